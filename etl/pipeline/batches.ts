/**
 * Groups an async stream into arrays of at most `size`, pulling no further ahead than one batch. When the
 * stream fails (a file cut off in the middle), the items it gave before the failure still come out as a last
 * batch, and the failure after them: they were read, so they are loaded and counted, not silently dropped.
 */
export async function* batchesOf<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let batch: T[] = [];
  try {
    for await (const item of items) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (batch.length) yield batch;
    throw error;
  }
  if (batch.length) yield batch;
}
