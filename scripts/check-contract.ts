import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { buildApiSchema } from '../src/schema/build-schema.js';
import { checkContract, parsePendingList } from './contract.js';

/**
 * `npm run contract:check`: the committed schema.graphql, and the schema the code builds
 * (for directives, which SDL does not show), against the contract kept in api/contract.graphql
 * and the pending list in contract-pending.txt. When the customer's copy
 * (../shared/api/contract.graphql, or CONTRACT_PATH) is beside the clone, the kept copy must
 * equal it. Exits non-zero listing every problem.
 */
const root = new URL('../../', import.meta.url);
const keptPath = new URL('api/contract.graphql', root).pathname;
const sharedPath = process.env.CONTRACT_PATH ?? new URL('../shared/api/contract.graphql', root).pathname;
const [contract, served, pending, shared] = await Promise.all([
  readFile(keptPath, 'utf8'),
  readFile(new URL('schema.graphql', root), 'utf8'),
  readFile(new URL('contract-pending.txt', root), 'utf8'),
  readFile(sharedPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  }),
]);
const pendingItems = parsePendingList(pending);
const problems = [
  ...new Set([...checkContract(contract, served, pendingItems), ...checkContract(contract, await buildApiSchema(), pendingItems)]),
];
if (shared !== undefined && shared !== contract) {
  problems.push(`api/contract.graphql differs from ${sharedPath}: copy the customer's contract over it`);
}
if (problems.length > 0) {
  console.error(`schema.graphql does not keep the contract (api/contract.graphql):`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(
  `schema.graphql keeps the contract; ${pendingItems.length} contract items pending; ` +
    (shared === undefined ? `no ${sharedPath} to compare the kept copy with` : `api/contract.graphql equals ${sharedPath}`),
);
