import type { EntitySpec } from '../../feed/feed-entities';
import type { WireRecord } from '../bad-rows';

/** One open feed file (or API entity) being written; rows go in one at a time, memory stays bounded. */
export interface FeedWriter {
  /** the file name as the readers will name it in positions */
  readonly fileName: string;
  readonly spec: EntitySpec;
  /**
   * Writes one row. Returns the position label the readers will give it, or null when it is only known later
   * (API items, placed by their updatedAt), in which case `later` receives it.
   */
  write(row: WireRecord, later?: (label: string) => void): string | null;
  /** bytes written but not yet on disk (streamed writers compress and write on other threads) */
  backlog?(): number;
  close(): Promise<void>;
}
