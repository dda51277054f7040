import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useMutation } from '@apollo/client/react';
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useApi, useSession } from '../app-context';
import { Field, FormProblems, Loading, NewPasswordFields, Notice, problemFor } from '../components/ui';
import { isDeadToken, problems as problemsOf, type Problem } from '../errors';
import { graphql } from '../gql';
import { VerifyEmail } from '../operations';
import { Link } from '../router';
import { sessionStore } from '../session';
import { AuthLayout } from './Auth';

const ForgotPasswordScreenRequest = graphql(`
  mutation ForgotPasswordScreenRequest($email: String!) {
    requestPasswordReset(input: { email: $email }) {
      accepted
    }
  }
`);

const ResetPasswordScreenReset = graphql(`
  mutation ResetPasswordScreenReset($token: String!, $newPassword: String!) {
    resetPassword(input: { token: $token, newPassword: $newPassword }) {
      revokedSessions
    }
  }
`);

/** How long a reset link works (the API's default, PASSWORD_RESET_TTL_SECONDS). */
const RESET_LINK_LIFETIME = '30 minutes';

/**
 * The `token` of a link from an email (`…#token=…`), taken out of the address bar before the
 * page is painted, so it is not left in the history, a bookmark or a screenshot. It is in the
 * fragment, so it never reached the server's logs either.
 */
function useLinkToken(): string | null {
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token'));
  useLayoutEffect(() => {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  }, []);
  return token;
}

/** Words for what verifyEmail did: an address verified, or an email change completed. */
export function verifiedWords(result: { email: string; emailChanged: boolean }): string {
  return result.emailChanged ? `Your account now uses ${result.email}.` : `${result.email} is verified.`;
}

/** The way on from a link page: home when signed in, else the sign-in screen. */
function WayOn({ signedIn }: { signedIn: boolean }) {
  return (
    <div className="actions">
      {signedIn ? (
        <Link to="/" className="button primary">
          Back to your wallets
        </Link>
      ) : (
        <Link to="/sign-in" className="button primary">
          Sign in
        </Link>
      )}
    </div>
  );
}

/**
 * /verify-email#token=…: the link in a verification or email-change email. It works signed in
 * or not; signed in as the account's owner, the account on screen is updated too.
 */
export function VerifyEmailScreen() {
  const token = useLinkToken();
  const signedIn = useSession() !== null;
  const [verify] = useMutation(VerifyEmail);
  const [result, setResult] = useState<{ email: string; emailChanged: boolean } | null>(null);
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const [attempt, setAttempt] = useState(0);
  // One request per attempt, also when React runs the effect twice (development).
  const started = useRef(-1);

  useEffect(() => {
    if (!token || started.current === attempt) return;
    started.current = attempt;
    setFailure(null);
    verify({ variables: { token } }).then(
      ({ data }) => {
        const verified = data!.verifyEmail;
        if (verified.user) sessionStore.updateEmail(verified.user);
        setResult(verified);
      },
      (error: unknown) => setFailure({ error }),
    );
  }, [token, attempt, verify]);

  if (!token) {
    return (
      <AuthLayout title="This link is incomplete">
        <Notice kind="error">
          <p>Open the whole link from the email: it ends with a long code.</p>
        </Notice>
        <NewEmailHint signedIn={signedIn} />
        <WayOn signedIn={signedIn} />
      </AuthLayout>
    );
  }
  if (result) {
    return (
      <AuthLayout title={result.emailChanged ? 'Email changed' : 'Email verified'}>
        <Notice kind="success">
          <p>{verifiedWords(result)}</p>
          {result.emailChanged ? <p>Sign in with this address from now on.</p> : null}
        </Notice>
        <WayOn signedIn={signedIn} />
      </AuthLayout>
    );
  }
  if (failure) {
    const dead = isDeadToken(failure.error);
    const problem = problemsOf(failure.error)[0];
    const retry = !CombinedGraphQLErrors.is(failure.error) || failure.error.errors.some((e) => e.extensions?.code === 'RATE_LIMITED');
    return (
      <AuthLayout title="This link did not work">
        <Notice kind="error">
          {dead ? (
            <p>This link has expired or was already used. If you opened it before, your email may be verified already.</p>
          ) : (
            <p>{problem?.message}</p>
          )}
        </Notice>
        {retry ? (
          <div className="actions">
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          </div>
        ) : null}
        <NewEmailHint signedIn={signedIn} />
        <WayOn signedIn={signedIn} />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Verifying your email">
      <Loading what="Checking your link" />
    </AuthLayout>
  );
}

/** Where a new verification email is asked for. */
function NewEmailHint({ signedIn }: { signedIn: boolean }) {
  return signedIn ? (
    <p>
      You can see whether your email is verified, and ask for a new email, in <Link to="/settings">Settings</Link>.
    </p>
  ) : (
    <p>To ask for a new email, sign in and open Settings.</p>
  );
}

/**
 * /reset-password#token=…: the link in a password-reset email. A new password, twice; on
 * success every session of the account has ended, so this page is signed out too.
 */
export function ResetPasswordScreen() {
  const api = useApi();
  const token = useLinkToken();
  const signedIn = useSession() !== null;
  const [reset, { loading }] = useMutation(ResetPasswordScreenReset);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [dead, setDead] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const newPassword = String(data.get('newPassword') ?? '');
    setProblems([]);
    if (!newPassword) {
      setProblems([{ field: 'newPassword', message: 'Choose a new password.' }]);
      return;
    }
    if (newPassword !== data.get('confirm')) {
      setProblems([{ field: 'confirm', message: 'The two new passwords are not the same.' }]);
      return;
    }
    try {
      await reset({ variables: { token: token!, newPassword } });
      // The server ended every session of the account: this page's, if it had one, too.
      if (sessionStore.load()) await api.signOut({ ended: true });
      setDone(true);
    } catch (err) {
      if (isDeadToken(err)) setDead(true);
      else setProblems(problemsOf(err));
    }
  }

  if (done) {
    return (
      <AuthLayout title="Password changed">
        <Notice kind="success">
          <p>Your password is changed, and every session of your account was signed out, on every device.</p>
          <p>Sign in with your new password.</p>
        </Notice>
        <WayOn signedIn={false} />
      </AuthLayout>
    );
  }
  if (!token || dead) {
    return (
      <AuthLayout title={token ? 'This link did not work' : 'This link is incomplete'}>
        <Notice kind="error">
          <p>
            {token
              ? `This link has expired or was already used. A reset link works once, for ${RESET_LINK_LIFETIME}.`
              : 'Open the whole link from the email: it ends with a long code.'}
          </p>
        </Notice>
        {signedIn ? (
          <p>
            You are signed in: you can change your password in <Link to="/settings">Settings</Link>.
          </p>
        ) : (
          <div className="actions">
            <Link to="/forgot-password" className="button primary">
              Ask for a new link
            </Link>
            <Link to="/sign-in" className="button">
              Sign in
            </Link>
          </div>
        )}
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password">
      <p>Every device signed in to your account will be signed out.</p>
      <form onSubmit={submit} noValidate>
        <NewPasswordFields problems={problems} />
        <FormProblems problems={problems} fields={['newPassword', 'confirm']} />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Setting it…' : 'Set new password'}
        </button>
      </form>
    </AuthLayout>
  );
}

/** /forgot-password: an address, then the same answer whether or not an account uses it. */
export function ForgotPasswordScreen() {
  const [request, { loading }] = useMutation(ForgotPasswordScreenRequest);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
    setProblems([]);
    if (!email) {
      setProblems([{ field: 'email', message: 'Enter the email address of your account.' }]);
      return;
    }
    try {
      await request({ variables: { email } });
      setSentTo(email);
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <AuthLayout title="Reset your password">
      {sentTo ? (
        <>
          <Notice kind="success">
            <p>
              If an account uses {sentTo}, a link to choose a new password is on its way; it works for {RESET_LINK_LIFETIME}.
            </p>
          </Notice>
          <p className="hint">No email after a few minutes? Check your spam folder, or ask again.</p>
          <div className="actions">
            <button type="button" onClick={() => setSentTo(null)}>
              Ask again
            </button>
          </div>
        </>
      ) : (
        <>
          <p>Enter the email address of your account, and we will email you a link to choose a new password.</p>
          <form onSubmit={submit} noValidate>
            <Field label="Email" name="email" type="email" autoComplete="email" required problem={problemFor(problems, 'email')} />
            <FormProblems problems={problems} fields={['email']} />
            <button type="submit" className="primary" disabled={loading}>
              {loading ? 'Sending…' : 'Email me a link'}
            </button>
          </form>
        </>
      )}
      <p className="switch">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </AuthLayout>
  );
}
