import crypto from 'node:crypto';

/**
 * Answers of read-only GraphQL requests, kept per viewer, request and data version, so that a dashboard
 * opened by many supervisors of one bureau is computed once per change of the warehouse. The key holds the
 * viewer (role, region, agency and subject: nothing computed for one viewer is shown to another), the query,
 * its variables, today's date and the data version (data-version.ts); every committed write empties the cache.
 * Entries also expire after `ttlSeconds`, for answers that move with the clock alone (a source becoming late).
 * Bounded by the bytes of the answers held; the least recently used go first.
 */
export interface ResponseCacheOptions { ttlSeconds: number; maxBytes: number }

interface Entry { body: string; bytes: number; expires: number }

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly options: ResponseCacheOptions) {}

  get enabled(): boolean {
    return this.options.ttlSeconds > 0 && this.options.maxBytes > 0;
  }

  static key(parts: { viewer: string; version: string; today: string; query: string; operationName: string | null; variables: unknown }): string {
    return crypto.createHash('sha256')
      .update(JSON.stringify([parts.viewer, parts.version, parts.today, parts.operationName, parts.query, parts.variables ?? null]))
      .digest('base64url');
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expires <= Date.now()) {
      if (entry) this.remove(key, entry);
      this.misses++;
      return undefined;
    }
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return entry.body;
  }

  set(key: string, body: string): void {
    if (!this.enabled || body.length > this.options.maxBytes / 4) return;
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    const bytes = Buffer.byteLength(body);
    this.entries.set(key, { body, bytes, expires: Date.now() + this.options.ttlSeconds * 1000 });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.remove(oldest, entry);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
