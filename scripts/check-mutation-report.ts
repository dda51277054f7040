import { fileURLToPath } from 'node:url';
import { mutationScore, PENDING_FILE, readMutationState, reportProblems, scoreTable } from './mutation-report.js';

/**
 * `npm run mutation:check`: the committed mutation report was made on the code in the tree.
 * When it was not, rerun `npm run test:mutation` (incremental: only the changed files' mutants
 * are tested again) and commit reports/mutation/mutation.json. `npm test` checks the same.
 * With `--table`, it also prints the score of each file as docs/testing.md shows it.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const { mutate, reportFile, report, pending } = await readMutationState(root);
if (process.argv.includes('--table')) console.log(`${scoreTable(report)}\n`);
const problems = await reportProblems(root, mutate, report, pending);
if (problems.length > 0) {
  console.error(`${reportFile} was not made on this code; run npm run test:mutation and commit it:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`${reportFile} matches the ${Object.keys(report.files).length} mutated files; score ${mutationScore(report).toFixed(2)} %`);
if (pending.length > 0) console.log(`not measured yet (${PENDING_FILE}): ${pending.join(', ')}`);
