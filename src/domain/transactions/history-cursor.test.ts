import { describe, expect, it } from 'vitest';
import { HistoryCursors } from './history-cursor.js';

const SECRET = Buffer.alloc(32, 7);
const cursors = new HistoryCursors(SECRET);
const MAX_SEQ = 2n ** 63n - 1n;

describe('HistoryCursors', () => {
  it('gives 22 URL-safe characters that decode to the sequence, in the list they came from', () => {
    for (const seq of [1n, 2n, 1_000_000n, MAX_SEQ]) {
      const cursor = cursors.encode('user:a', seq);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(cursors.decode('user:a', cursor)).toBe(seq);
    }
  });

  it('gives the same cursor for the same row and list, and one that tells nothing of the sequence', () => {
    expect(cursors.encode('user:a', 41n)).toBe(cursors.encode('user:a', 41n));
    const a = cursors.encode('user:a', 41n);
    const b = cursors.encode('user:a', 42n);
    // Neighbouring rows share no visible prefix, as a counter in clear would.
    expect(a.slice(0, 4)).not.toBe(b.slice(0, 4));
  });

  it("refuses a cursor of another list or viewer, another secret's, an altered one and one made up", () => {
    const cursor = cursors.encode('user:a', 42n);
    expect(cursors.decode('user:b', cursor)).toBeNull();
    expect(cursors.decode('user:a:wallet:1', cursor)).toBeNull();
    expect(new HistoryCursors(Buffer.alloc(32, 8)).decode('user:a', cursor)).toBeNull();
    for (let i = 0; i < cursor.length; i++) {
      const altered = cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
      expect(cursors.decode('user:a', altered), altered).toBeNull();
    }
    for (const junk of ['', 'abc', 'A'.repeat(22), 'A'.repeat(23), `${cursor}=`, cursor.replace(/.$/, '!')]) {
      expect(cursors.decode('user:a', junk), junk).toBeNull();
    }
  });

  it('accepts only the one spelling it gives out (the last character carries 4 spare bits)', () => {
    const cursor = cursors.encode('user:a', 42n);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spellings = [...alphabet]
      .map((c) => cursor.slice(0, 21) + c)
      .filter((c) => Buffer.from(c, 'base64url').equals(Buffer.from(cursor, 'base64url')));
    expect(spellings.length).toBeGreaterThan(1);
    for (const other of spellings) expect(cursors.decode('user:a', other)).toBe(other === cursor ? 42n : null);
  });

  it('refuses a sequence of 0, and a secret shorter than 32 bytes', () => {
    expect(cursors.decode('user:a', cursors.encode('user:a', 0n))).toBeNull();
    expect(() => new HistoryCursors(Buffer.alloc(31))).toThrow(/at least 32 bytes/);
  });

  it('names its key: the same for the same secret, another for another', () => {
    expect(new HistoryCursors(SECRET).keyId).toBe(cursors.keyId);
    expect(new HistoryCursors(Buffer.alloc(32, 9)).keyId).not.toBe(cursors.keyId);
    expect(cursors.keyId).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
