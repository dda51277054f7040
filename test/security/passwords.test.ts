import { describe, expect, it, vi } from 'vitest';
import { ChangePasswordDocument, LogInDocument, SignUpDocument } from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';

/**
 * Passwords as NIST SP 800-63B asks: the most common ones are refused (a maintained list from
 * npm, @zxcvbn-ts/language-common), as is one character repeated; no more than 256 bytes ever
 * reach argon2, at sign-up, sign-in or a password change.
 */
const server = useTestServer();
let n = 0;
const signUp = (password: string) => {
  n += 1;
  return server.gql(SignUpDocument, { input: { email: `pw${n}@example.com`, password, fullName: 'Pass Word' } });
};

describe('passwords', () => {
  it.each(['password', 'Password', ' password ', '12345678', 'qwertyuiop', 'iloveyou', '        ', 'aaaaaaaaaa'])(
    'refuses %j at sign-up as BAD_USER_INPUT on password, creating nothing',
    async (password) => {
      const res = await signUp(password);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
      expect(res.errors?.[0].message).toMatch(/common|guess/);
    },
  );

  it('accepts a password that is neither common nor repeated, 256 bytes at most, and refuses 257', async () => {
    expect((await signUp('k3#Lp9!q')).errors).toBeUndefined();
    // 'é' is two bytes: 128 of them are 256 bytes; one more character makes 258.
    expect((await signUp('é'.repeat(127) + 'xy')).errors).toBeUndefined();
    const long = await signUp('é'.repeat(129));
    expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
  });

  it('refuses seven characters that are not common as too short', async () => {
    const res = await signUp('k3#Lp9!');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
    expect(res.errors?.[0].message).toMatch(/at least 8 characters/);
  });

  it('never gives argon2 more than 256 bytes: an overlong password at sign-in or as the current one is refused unhashed', async () => {
    const res = await signUp('k3#Lp9!q-overlong');
    const { accessToken, user } = res.data!.signUp;
    const verify = vi.spyOn(server.app.passwords, 'verify');
    try {
      const logIn = await server.gql(LogInDocument, { input: { email: user.email, password: 'é'.repeat(129) } });
      expect(logIn.errors?.[0].extensions?.code).toBe('INVALID_CREDENTIALS');
      const change = await server.gql(
        ChangePasswordDocument,
        { input: { currentPassword: 'é'.repeat(129), newPassword: 'another horse battery' } },
        { token: accessToken },
      );
      expect(change.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDENTIALS', field: 'input.currentPassword' });
      expect(verify).not.toHaveBeenCalled();
      // 256 bytes are hashed and compared as usual.
      await server.gql(LogInDocument, { input: { email: user.email, password: 'é'.repeat(128) } });
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  it('refuses a common new password on change, and never hashes an overlong one at sign-in', async () => {
    const res = await signUp('k3#Lp9!q-change');
    const token = res.data!.signUp.accessToken;
    const change = await server.gql(ChangePasswordDocument, { input: { currentPassword: 'k3#Lp9!q-change', newPassword: 'football' } }, { token });
    expect(change.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.newPassword' });
    const email = res.data!.signUp.user.email;
    const overlong = await server.gql(LogInDocument, { input: { email, password: 'x'.repeat(90_000) } });
    expect(overlong.errors?.[0].extensions?.code).toBe('INVALID_CREDENTIALS');
    // The right password still works: the refusal counted as one failed attempt, nothing more.
    expect((await server.gql(LogInDocument, { input: { email, password: 'k3#Lp9!q-change' } })).errors).toBeUndefined();
  });
});
