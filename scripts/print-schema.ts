import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { buildApiSchema, printApiSchema } from '../src/schema/build-schema.js';

/** `npm run schema`: writes the served schema to schema.graphql (committed; a test keeps it fresh). */
const sdl = printApiSchema(await buildApiSchema());
await writeFile(new URL('../../schema.graphql', import.meta.url), sdl);
console.log('schema.graphql written');
