import { describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  LogInDocument,
  MeDocument,
  RefreshTokenDocument,
  SignUpDocument,
} from '../generated/graphql.js';
import { useTestServer } from '../support/server.js';

// The most talkative level: whatever is logged at all is logged here.
const server = useTestServer({ LOG_LEVEL: 'trace' }, { reset: false });

describe('logs', () => {
  it('never contain passwords, access tokens or refresh tokens', async () => {
    const secrets: string[] = ['first-Secret-pw', 'second-Secret-pw', 'wrong-Secret-pw'];
    const up = await server.gql(SignUpDocument, {
      input: { email: 'quiet@example.com', password: secrets[0], fullName: 'Quiet' },
    });
    const { accessToken, refreshToken } = up.data!.signUp;
    secrets.push(accessToken, refreshToken);

    await server.gql(LogInDocument, { input: { email: 'quiet@example.com', password: secrets[2] } });
    const refreshed = await server.gql(RefreshTokenDocument, { input: { refreshToken } });
    secrets.push(refreshed.data!.refreshToken.accessToken, refreshed.data!.refreshToken.refreshToken);
    // Reusing a refresh token is logged as a warning: without the token itself.
    await server.gql(RefreshTokenDocument, { input: { refreshToken } });
    const token = refreshed.data!.refreshToken.accessToken;
    await server.gql(MeDocument, {}, { token });
    await server.gql(
      ChangePasswordDocument,
      { input: { currentPassword: secrets[0], newPassword: secrets[1] } },
      { token: (await server.gql(LogInDocument, { input: { email: 'quiet@example.com', password: secrets[0] } })).data!.logIn.accessToken },
    );

    const text = server.logs.join('\n');
    expect(server.logs.length).toBeGreaterThan(10);
    expect(text).toContain('refresh token reused');
    for (const secret of secrets) expect(text).not.toContain(secret);
    // Nor even part of a token: the signature segment of a JWT is unique to it.
    expect(text).not.toContain(accessToken.split('.')[2]);
  });
});
