import { stdSerializers } from 'pino';
import { describe, expect, it } from 'vitest';
import { prepared } from '../../src/db/prepared.js';
import { withoutStatementValues } from '../../src/http/logger.js';
import { SignUpDocument } from '../generated/graphql.js';
import { errorCode, withInsertFault } from '../support/helpers.js';
import { useTestServer } from '../support/server.js';

/**
 * Issue 14: a statement PostgreSQL refuses must not put its values in the log. MikroORM's
 * errors carry the failed statement with its parameters inlined (a sign-up's `password_hash`,
 * a user's email); the log keeps the error's kind, PostgreSQL's code and its own message.
 */
const server = useTestServer();

describe('a database error in the log', () => {
  it("names what failed without the statement's values", async () => {
    const email = 'leak-check@example.com';
    const res = await withInsertFault(server.app, 'users', 'true', () =>
      server.gql(SignUpDocument, { input: { email, password: 'correct horse battery', fullName: 'Leak Check' } }),
    );
    expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
    const lines = server.logs.filter((l) => l.includes('could not extend file'));
    expect(lines.length).toBeGreaterThan(0);
    const logs = server.logs.join('\n');
    expect(logs).not.toContain('$argon2');
    expect(logs).not.toContain(email);
    expect(logs).not.toMatch(/insert into/i);
  });

  it('is scrubbed as the cause of another error too, keeping PostgreSQL\'s message', () => {
    class DriverException extends Error {}
    const db = Object.assign(new DriverException(`insert into "users" values ('secret@example.com') - duplicate key value violates unique constraint`), {
      code: '23505',
      detail: 'Key (email)=(secret@example.com) already exists.',
    });
    const outer = new Error('could not sign up', { cause: db });
    const logged = JSON.stringify(stdSerializers.err(withoutStatementValues(outer) as Error));
    expect(logged).not.toContain('secret@example.com');
    expect(logged).toContain('duplicate key value violates unique constraint');
    expect(logged).toContain('could not sign up');
  });

  it("scrubs node-pg's own error (a prepared statement, as the money functions are called) alike", async () => {
    // The value reaches PostgreSQL's detail and where, and knex puts the statement before the message.
    const err = (await prepared(server.app.orm.em.fork(), 'log-scrub-check', 'select ?::jsonb as v', ['{"email": "secret@example.com"']).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.constructor.name).toBe('DatabaseError');
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).toContain('secret@example.com');
    const logged = JSON.stringify(stdSerializers.err(withoutStatementValues(err) as Error));
    expect(logged).not.toContain('secret@example.com');
    expect(logged).not.toContain('::jsonb as v');
    expect(logged).toContain('invalid input syntax for type json');
    expect(logged).toContain('22P02');
  });
});
