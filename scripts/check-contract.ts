import { readFile } from 'node:fs/promises';
import { checkContract, parsePendingList } from './contract.js';

/**
 * `npm run contract:check`: the committed schema.graphql against ../shared/api/contract.graphql
 * and the pending list in contract-pending.txt. Exits non-zero listing every problem.
 */
const root = new URL('../../', import.meta.url);
const contractPath = process.env.CONTRACT_PATH ?? new URL('../shared/api/contract.graphql', root).pathname;
const [contract, served, pending] = await Promise.all([
  readFile(contractPath, 'utf8'),
  readFile(new URL('schema.graphql', root), 'utf8'),
  readFile(new URL('contract-pending.txt', root), 'utf8'),
]);
const problems = checkContract(contract, served, parsePendingList(pending));
if (problems.length > 0) {
  console.error(`schema.graphql does not keep the contract (${contractPath}):`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`schema.graphql keeps the contract; ${parsePendingList(pending).length} contract items pending`);
