import type http from 'node:http';

/** A request body larger than the limit: refused before it is read whole (413). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`请求体超过 ${limit} 字节上限`);
  }
}

/** Reads a request body up to `limit` bytes; stops reading (and refuses) as soon as it is exceeded. */
export function readBody(request: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
