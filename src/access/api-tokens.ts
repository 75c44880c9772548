import crypto from 'node:crypto';
import fs from 'node:fs';
import { SignJWT, importSPKI, jwtVerify, decodeProtectedHeader, type KeyLike } from 'jose';
import type { Pool } from 'pg';
import type { ApiConfig } from '../config';
import { checkViewer, type Viewer } from '../domain/access/viewer';
import { InvalidValueError } from '../domain/errors';

/**
 * API tokens (JWT): HS256 with the configured secret or the warehouse's own key, or EdDSA (Ed25519) with a
 * configured public key when tokens are issued elsewhere (a province's identity service). Claims: `role`,
 * `region` (SUPERVISOR, optionally PROVINCE), `agency` (AGENCY), `sub` (who), `exp`.
 */
export interface ApiTokens {
  /** the viewer a bearer token stands for, or an InvalidValueError that says why it is refused */
  verify(token: string): Promise<Viewer>;
  /** a new HS256 token; claims are checked as verify would */
  sign(claims: { role: string; region?: string; agency?: string; sub?: string }, lifetime: string): Promise<string>;
}

const issuer = 'supervision-hub';

/** The HS256 secret: configured, or the warehouse's (created once; concurrent creators keep the first). */
async function hs256Secret(ownerPool: Pool, config: ApiConfig): Promise<Uint8Array> {
  if (config.jwtSecret) return new TextEncoder().encode(config.jwtSecret);
  await ownerPool.query(`insert into api_signing_keys (id, algorithm, secret) values ('default', 'HS256', $1) on conflict (id) do nothing`,
    [crypto.randomBytes(32).toString('base64url')]);
  const { rows } = await ownerPool.query<{ secret: string }>(`select secret from api_signing_keys where id = 'default'`);
  return Buffer.from(rows[0]!.secret, 'base64url');
}

async function ed25519Key(config: ApiConfig): Promise<KeyLike | null> {
  if (!config.jwtPublicKey) return null;
  const text = config.jwtPublicKey.includes('BEGIN PUBLIC KEY') ? config.jwtPublicKey : fs.readFileSync(config.jwtPublicKey, 'utf8');
  return importSPKI(text, 'EdDSA');
}

export async function openApiTokens(ownerPool: Pool, config: ApiConfig): Promise<ApiTokens> {
  const secret = await hs256Secret(ownerPool, config);
  const publicKey = await ed25519Key(config);
  const refuse = (why: string) => new InvalidValueError('BAD_TOKEN', null, `令牌无效：${why}`);
  async function verifyOnce(token: string): Promise<{ viewer: Viewer; expiresAt: number | null }> {
    let alg: string | undefined;
    try { alg = decodeProtectedHeader(token).alg; } catch { throw refuse('不是 JWT'); }
    let payload;
    try {
      if (alg === 'HS256') ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer }));
      else if (alg === 'EdDSA' && publicKey) ({ payload } = await jwtVerify(token, publicKey, { algorithms: ['EdDSA'] }));
      else throw refuse(`不接受签名算法 ${String(alg)}`);
    } catch (error) {
      if (error instanceof InvalidValueError) throw error;
      const code = (error as { code?: string }).code;
      throw refuse(code === 'ERR_JWT_EXPIRED' ? '已过期' : '签名或声明不正确');
    }
    return { viewer: checkViewer(payload as Record<string, unknown>), expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
  }

  // Tokens already verified, until they expire (and for 5 minutes at most): a dashboard sends the same token with
  // every request, and checking its signature and claims each time costs as much as a rollup answer. Bounded; a
  // token is its own key (the cache holds nothing a token's bearer could not get by verifying it).
  const verified = new Map<string, { viewer: Viewer; until: number }>();
  const VERIFIED_KEPT = 10_000;
  const VERIFIED_AT_MOST_MS = 5 * 60_000;
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && known.until > Date.now()) return known.viewer;
      if (known) verified.delete(token);
      const { viewer, expiresAt } = await verifyOnce(token);
      if (verified.size >= VERIFIED_KEPT) verified.clear();
      verified.set(token, { viewer: Object.freeze(viewer), until: Math.min(expiresAt ?? Infinity, Date.now() + VERIFIED_AT_MOST_MS) });
      return viewer;
    },
    async sign(claims, lifetime) {
      const viewer = checkViewer(claims);
      return new SignJWT({
        role: viewer.role,
        ...(viewer.regionCode && { region: viewer.regionCode }),
        ...(viewer.agencyUscc && { agency: viewer.agencyUscc }),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.sub ?? `${viewer.role.toLowerCase()}:${viewer.regionCode ?? viewer.agencyUscc ?? 'all'}`)
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime(lifetime)
        .sign(secret);
    },
  };
}
