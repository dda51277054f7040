import { generateKeyPairSync } from 'node:crypto';

/** `npm run jwt:keys`: prints a fresh Ed25519 pair as JWT_PRIVATE_KEY / JWT_PUBLIC_KEY lines. */
const pair = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
console.log(`JWT_PRIVATE_KEY="${oneLine(pair.privateKey)}"`);
console.log(`JWT_PUBLIC_KEY="${oneLine(pair.publicKey)}"`);
