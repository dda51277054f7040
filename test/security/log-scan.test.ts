import { describe, expect, it } from 'vitest';
import { secretsIn } from '../support/log-scan.js';

/**
 * The scan every test file's server logs go through (test/support/setup.ts fails the file on a
 * finding): shown here to find each kind of secret, and to leave ordinary lines alone.
 */
describe('the log scan', () => {
  it.each([
    ['an argon2 password hash', '{"msg":"x","hash":"$argon2id$v=19$m=19456,t=2,p=1$abc"}'],
    ['a JWT (an access token)', '{"token":"eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLW9mLWF0LWxlYXN0LTIw"}'],
    ['a bearer credential', '{"authorization":"Bearer abcdefghijklmnopqrstu"}'],
    ['an SQL statement with its values', `{"err":"insert into \\"users\\" (\\"email\\") values ('a@b.c')"}`],
    ['statement parameters', '{"err":{"params":["secret"]}}'],
    ['a card number', '{"pan":"4242424242424242"}'],
  ])('finds %s', (what, line) => {
    expect(secretsIn([line]).map((f) => f.what)).toContain(what);
  });

  it('leaves ordinary lines alone: amounts, ids, a 16-digit number with a wrong check digit', () => {
    const lines = [
      '{"level":30,"reqId":"7f1c","msg":"request completed","amount":"999999999999999999"}',
      '{"msg":"deposit","reference":"dep-0123456789abcdef","amount":"4242424242424241"}',
      '{"msg":"update wallets","sessionId":"2b0b6b8e-8f5e-4b8a-9d4e-0f6c1d2a3b4c"}',
      '{"msg":"request completed","responseTime":1.4683890000001156}',
    ];
    expect(secretsIn(lines)).toEqual([]);
  });
});
