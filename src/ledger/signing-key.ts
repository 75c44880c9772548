import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The key that signs ledger checkpoints (Ed25519). It lives outside the warehouse — in HUB_LEDGER_SIGNING_KEY (a
 * PEM or the path of one) or in the data folder (`ledger-signing-key.pem`, made on first use, readable by its
 * owner only) — because a key kept in the database could be used by whoever rewrote the database.
 */
export interface LedgerSigningKey { privateKey: crypto.KeyObject; publicKeyPem: string; origin: string }

export function ledgerSigningKey(options: { dataDir: string; env?: NodeJS.ProcessEnv; create?: boolean }): LedgerSigningKey | null {
  const configured = (options.env ?? process.env).HUB_LEDGER_SIGNING_KEY;
  let pem: string;
  let origin: string;
  if (configured) {
    pem = configured.includes('-----BEGIN') ? configured : fs.readFileSync(configured, 'utf8');
    origin = configured.includes('-----BEGIN') ? 'HUB_LEDGER_SIGNING_KEY' : configured;
  } else {
    origin = path.join(options.dataDir, 'ledger-signing-key.pem');
    if (!fs.existsSync(origin)) {
      if (options.create === false) return null;
      fs.mkdirSync(options.dataDir, { recursive: true });
      const { privateKey } = crypto.generateKeyPairSync('ed25519');
      fs.writeFileSync(origin, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    pem = fs.readFileSync(origin, 'utf8');
  }
  const privateKey = crypto.createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the ledger signing key (${origin}) is ${privateKey.asymmetricKeyType}, not an Ed25519 key`);
  return { privateKey, publicKeyPem: crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(), origin };
}
