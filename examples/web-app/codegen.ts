import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * How an app generates typed operations from this API's committed schema, with GraphQL Code
 * Generator's client preset. Run from the repository root:
 *   npx graphql-codegen --config examples/web-app/codegen.ts
 * In your own app, point `schema` at a copy of schema.graphql (or at the running server's
 * /graphql in development, where introspection is on) and `documents` at your sources.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/web-app/src/**/*.ts', '!examples/web-app/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'examples/web-app/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        // ES modules (NodeNext): imports between the generated files end in .js.
        importExtension: '.js',
        enumsAsTypes: true,
        // Amounts travel as strings of minor units; dates as ISO-8601 strings.
        scalars: { DateTime: 'string', MinorUnits: 'string' },
      },
    },
  },
};

export default config;
