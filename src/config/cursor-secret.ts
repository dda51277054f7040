import type { Config } from './config.js';
import { loadSigningPems } from './jwt-keys.js';

/**
 * The secret history cursors are sealed with (their codec derives its keys from it with HKDF):
 * CURSOR_SECRET, or else the JWT private key, which every replica must share already. Changing
 * it turns the cursors clients hold into BAD_USER_INPUT; they start again from the first page.
 */
export async function loadCursorSecret(config: Config, log: { info(msg: string): void }): Promise<Buffer> {
  if (config.cursorSecret) return Buffer.from(config.cursorSecret);
  return Buffer.from((await loadSigningPems(config, log)).privatePem);
}
