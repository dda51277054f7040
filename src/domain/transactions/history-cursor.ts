import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const MAX_SEQ = 2n ** 63n - 1n;
/** 16 bytes in base64url, unpadded. */
const SHAPE = /^[A-Za-z0-9_-]{22}$/;

/**
 * History cursors: one AES-256 block (a pseudo-random permutation, so ECB on exactly 16 bytes)
 * over [8-byte row sequence | 8-byte HMAC of (list scope, sequence)]. The same row in the same
 * list always gives the same 22 characters (client caches dedupe edges), they tell nothing
 * (not the platform's row count), and one altered, made up or taken from another viewer's list
 * fails the MAC. The keys come from one server secret all replicas share.
 */
export class HistoryCursors {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;
  /** Names the key, so a cached page sealed under another secret is never served. */
  readonly keyId: string;

  constructor(secret: Buffer) {
    if (secret.length < 32) throw new Error('The history cursor secret must be at least 32 bytes');
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'wallet-api history cursors', info, 32));
    this.encKey = derive('v1 aes-256');
    this.macKey = derive('v1 hmac-sha256');
    this.keyId = createHmac('sha256', this.macKey).update('key id').digest('base64url').slice(0, 8);
  }

  /** `scope` names the list and its viewer: a cursor is only good in the list it came from. */
  encode(scope: string, seq: bigint): string {
    const block = Buffer.alloc(16);
    block.writeBigUInt64BE(seq, 0);
    this.mac(scope, block.subarray(0, 8)).copy(block, 8);
    const cipher = createCipheriv('aes-256-ecb', this.encKey, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
  }

  /** The row sequence, or null for anything this server did not give out for `scope`. */
  decode(scope: string, cursor: string): bigint | null {
    if (!SHAPE.test(cursor)) return null;
    const sealed = Buffer.from(cursor, 'base64url');
    // The last character carries 4 spare bits: only the one spelling we give out is accepted.
    if (sealed.length !== 16 || sealed.toString('base64url') !== cursor) return null;
    const decipher = createDecipheriv('aes-256-ecb', this.encKey, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(sealed), decipher.final()]);
    if (!timingSafeEqual(block.subarray(8), this.mac(scope, block.subarray(0, 8)))) return null;
    const seq = block.readBigUInt64BE(0);
    return seq > 0n && seq <= MAX_SEQ ? seq : null;
  }

  private mac(scope: string, seqBytes: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(scope).update('\0').update(seqBytes).digest().subarray(0, 8);
  }
}
