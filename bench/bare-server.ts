/** The B5 baseline: graphql-js parse, validate and execute on node:http, nothing else. */
import http from 'node:http';
import { buildSchema, execute, parse, validate } from 'graphql';

const schema = buildSchema('type Query { hello: String }');
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown> };
    const document = parse(query);
    const errors = validate(schema, document);
    const result = errors.length ? { errors } : execute({ schema, document, variableValues: variables, rootValue: { hello: 'world' } });
    const body = JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`LISTENING ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
