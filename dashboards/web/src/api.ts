/**
 * The page's only way to data: the hub's GraphQL API (and its exports) with the viewer's token. Errors come
 * back as one ApiError whose message a supervisor can read: in plain Chinese, saying what to do.
 */
const tokenKey = 'hub.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(tokenKey);
  else sessionStorage.setItem(tokenKey, token);
}

export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) { super(message); }
}

function headers(): Record<string, string> {
  const token = storedToken();
  return token && token !== 'PUBLIC' ? { authorization: `Bearer ${token}` } : {};
}

function plainMessage(status: number, code: string | undefined, message: string | undefined): string {
  if (status === 401 || code === 'UNAUTHENTICATED') return '登录已失效或令牌无效，请重新输入令牌。';
  if (status === 429) return '请求过于频繁，请稍候再试。';
  if (status === 413) return '请求过大。';
  if (code === 'BAD_USER_INPUT' && message) return `查询条件有误：${message}`;
  if (code === 'QUERY_TOO_COSTLY' || code === 'QUERY_TOO_DEEP') return '查询过大，请缩小范围或期间。';
  if (status >= 500) return '数据中台暂时无法回答，请稍后重试；如持续出现，请联系系统管理员。';
  return message ? `查询失败：${message}` : '查询失败。';
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers() },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('无法连接数据中台，请检查网络后重试。', 0);
  }
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json() as typeof body;
  } catch {
    throw new ApiError(plainMessage(response.status, undefined, undefined), response.status);
  }
  const first = body.errors?.[0];
  if (first || !response.ok || !body.data) {
    throw new ApiError(plainMessage(response.status, first?.extensions?.code, first?.message), response.status, first?.extensions?.code);
  }
  return body.data;
}

/** A file export (e.g. the ranking as Excel), downloaded with the viewer's token. */
export async function download(url: string, fallbackName: string): Promise<void> {
  const response = await fetch(url, { headers: headers() });
  if (!response.ok) {
    let message: string | undefined;
    try { message = ((await response.json()) as { errors?: { message: string }[] }).errors?.[0]?.message; } catch { /* not JSON */ }
    throw new ApiError(response.status === 403 ? (message ?? '无权导出该排名。') : plainMessage(response.status, undefined, message), response.status);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const name = encoded ? decodeURIComponent(encoded) : fallbackName;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
