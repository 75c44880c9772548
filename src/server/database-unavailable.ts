/**
 * Whether a failure means the database cannot be reached right now (down, restarting, shutting down, the
 * connection lost) rather than that the request or the hub's code is wrong. Such a request is answered 503
 * with a Retry-After, in words a dashboard user can act on ("try again shortly"), and is not logged as a bug.
 */
export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

export const databaseUnavailableMessage = '数据库暂不可用（可能正在重启或连接中断），请稍后重试';

/** seconds a client is asked to wait before it tries again */
export const databaseRetryAfterSeconds = 5;

/** Socket errors of a connection that cannot be made or was cut (Node's codes, as node-postgres passes them on). */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * PostgreSQL's SQLSTATEs for the same: class 08 (connection exception), and 57P01–57P03 (the server is shutting
 * down, crashed, or is not yet accepting connections).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** node-postgres's own messages for a connection that ended or cannot be used, which carry no code. */
const lostConnection = /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (socketCodes.has(code) || isUnavailableSqlState(code))) return true;
    if (typeof message === 'string' && lostConnection.test(message)) return true;
    // an error wrapped by a resolver, GraphQL or fetch keeps the original as its cause
    cause = (cause as { cause?: unknown; originalError?: unknown }).originalError ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}
