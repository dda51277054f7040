// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './architecture-layers.cjs';

/**
 * ESLint (`npm run lint`, run by `npm test` and CI): the recommended JavaScript and TypeScript
 * rules, the cause kept when a caught error is thrown again as another, and the import rules of
 * docs/architecture.md, one block per layer (dependency-cruiser, `npm run lint:deps`, checks the
 * same layers and import circles over the whole graph).
 */

const TEST_CODE = { group: ['**/test/**'], message: 'Source never imports test code.' };

/** What files of one layer may not import: folders of src/, reached by relative imports at any depth. */
function layer(files, message, folders) {
  return {
    files,
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: folders.length > 0 ? [{ group: folders.map((f) => `**/${f}/**`), message }, TEST_CODE] : [TEST_CODE] },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'reports/**',
      'coverage/**',
      '.stryker-tmp/**',
      '.data/**',
      '**/generated/**',
      'examples/*/src/gql/**',
      'web/src/gql/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A refusal that replaces a caught error keeps it as its cause, for the logs (issue 13).
      'preserve-caught-error': ['error', { requireCatchParameter: true }],
      // `_name` marks what is left unused on purpose (a field destructured away).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The web app talks to the API over the network only: it never imports the server's code.
  {
    files: ['web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+src/', message: 'The web app uses the API over HTTP and WebSocket, never the server code.' }] },
      ],
    },
  },
  // The web app's service worker runs in the browser, as a worker.
  { files: ['web/public/sw.js'], languageOptions: { globals: globals.serviceworker } },
  // Plain JavaScript run by Node (scripts, configs).
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], languageOptions: { globals: globals.node } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // The fake providers answer with the providers' own JSON, typed as loosely as they document it.
  { files: ['test/fakes/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Every folder of src/: no test code. The layers below (later blocks win) add their own rules.
  layer(['src/**'], '', []),
  // The layers of docs/architecture.md (architecture-layers.cjs, which dependency-cruiser reads too).
  ...layers.map(({ comment, from, forbidden }) => layer([`src/${from}/**`], comment, forbidden)),
  // SQL of the domain sits in repositories, one per table or group of tables (issue 13).
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['execute', 'createQueryBuilder', 'getConnection', 'getKnex'].map((name) => ({
          selector: `CallExpression[callee.property.name='${name}']`,
          message: `SQL sits in a repository (*.repository.ts) of the table, not in a service: docs/architecture.md.`,
        })),
        {
          selector: "CallExpression[callee.name='prepared']",
          message: 'SQL sits in a repository (*.repository.ts) of the table, not in a service: docs/architecture.md.',
        },
      ],
    },
  },
);
