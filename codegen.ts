import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen`: typed documents for the operations under test/operations, checked
 * against the committed schema.graphql (tests import them from test/generated/graphql.ts), and
 * the web app's typed `graphql()` (web/src/gql/).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'test/generated/graphql.ts': {
      documents: ['test/operations/**/*.graphql'],
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: false,
        scalars: { DateTime: 'string', MinorUnits: 'string' },
      },
    },
    // The web app (web/): the client preset's typed `graphql()` for the documents in its sources.
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', MinorUnits: 'string' },
      },
    },
  },
  hooks: {},
};

export default config;
