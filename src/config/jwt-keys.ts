import { generateKeyPairSync, createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { importPKCS8, importSPKI, type CryptoKey, type KeyObject } from 'jose';
import type { Config } from './config.js';

/** The only algorithm we sign with and the only one we accept. */
export const JWT_ALGORITHM = 'EdDSA';

export interface SigningKeys {
  privateKey: CryptoKey | KeyObject;
  publicKey: CryptoKey | KeyObject;
  /** Key id, so keys can be rotated later without breaking verification. */
  kid: string;
}

interface Log {
  info(msg: string): void;
}

async function readIfExists(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/**
 * JWT signing keys: from JWT_PRIVATE_KEY/JWT_PUBLIC_KEY when set (required in production);
 * otherwise an Ed25519 pair generated once into `<DATA_DIR>/jwt/`, so restarts keep
 * everyone signed in.
 */
export async function loadSigningKeys(config: Config, log: Log): Promise<SigningKeys> {
  const { privatePem, publicPem } = await loadSigningPems(config, log);
  const [privateKey, publicKey] = await Promise.all([importPKCS8(privatePem, JWT_ALGORITHM), importSPKI(publicPem, JWT_ALGORITHM)]);
  const kid = createHash('sha256').update(publicPem).digest('base64url').slice(0, 16);
  return { privateKey, publicKey, kid };
}

/** The PEM texts behind `loadSigningKeys` (the history cursor secret derives from them too). */
export async function loadSigningPems(config: Config, log: Log): Promise<{ privatePem: string; publicPem: string }> {
  let privatePem = config.jwt.privateKeyPem;
  let publicPem = config.jwt.publicKeyPem;
  if (!privatePem || !publicPem) {
    if (config.isProduction) throw new Error('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required in production');
    const dir = path.join(config.dataDir, 'jwt');
    const privateFile = path.join(dir, 'private.pem');
    const publicFile = path.join(dir, 'public.pem');
    privatePem = await readIfExists(privateFile);
    publicPem = await readIfExists(publicFile);
    if (!privatePem || !publicPem) {
      const pair = generateKeyPairSync('ed25519', {
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      // DATA_DIR keeps the default mode (the embedded PostgreSQL's user must pass through it);
      // only the key folder is private.
      await fs.mkdir(config.dataDir, { recursive: true });
      await fs.mkdir(dir, { mode: 0o700 });
      await fs.writeFile(privateFile, pair.privateKey, { mode: 0o600 });
      await fs.writeFile(publicFile, pair.publicKey, { mode: 0o644 });
      privatePem = pair.privateKey;
      publicPem = pair.publicKey;
      log.info(`Generated a JWT signing key pair in ${dir} (development only)`);
    }
  }
  return { privatePem, publicPem };
}
