import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../app-context';
import { Field, FormProblems, Notice, problemFor } from '../components/ui';
import { isDeadToken, problems as problemsOf, type Problem } from '../errors';
import { graphql } from '../gql';
import { VerifyEmail } from '../operations';
import { sessionStore } from '../session';

const SettingsScreenResend = graphql(`
  mutation SettingsScreenResend {
    resendVerificationEmail {
      email
    }
  }
`);

const SettingsScreenChangeEmail = graphql(`
  mutation SettingsScreenChangeEmail($input: ChangeEmailInput!) {
    changeEmail(input: $input) {
      pendingEmail
      user {
        id
        email
        emailVerified
      }
    }
  }
`);

export interface Confirmed {
  email: string;
  emailChanged: boolean;
}

const WRONG_CODE = 'That code is wrong or has expired. Use the code in the latest email, or ask for a new one.';

/** "Verified" or "Not verified", beside the address. */
export function EmailStatus({ verified }: { verified: boolean }) {
  return <span className={`status ${verified ? 'verified' : 'unverified'}`}>{verified ? 'Verified' : 'Not verified'}</span>;
}

/** The 6-digit code of a verification or email-change email (the same as opening its link). */
export function CodeForm({ onConfirmed }: { onConfirmed: (result: Confirmed) => void }) {
  const [verify, { loading }] = useMutation(VerifyEmail);
  const [problems, setProblems] = useState<Problem[]>([]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const code = String(new FormData(form).get('code') ?? '').replace(/[\s-]/g, '');
    setProblems([]);
    if (!/^\d{6}$/.test(code)) {
      setProblems([{ field: 'code', message: 'Enter the 6 digits of the code in the email.' }]);
      return;
    }
    try {
      const { data } = await verify({ variables: { token: code } });
      const result = data!.verifyEmail;
      if (result.user) sessionStore.updateEmail(result.user);
      form.reset();
      onConfirmed(result);
    } catch (err) {
      setProblems(isDeadToken(err) ? [{ field: 'code', message: WRONG_CODE }] : problemsOf(err));
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Field
        label="Code from the email"
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]*"
        required
        hint="6 digits."
        problem={problemFor(problems, 'code')}
      />
      <FormProblems problems={problems} fields={['code']} />
      <div className="actions">
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Checking…' : 'Confirm code'}
        </button>
      </div>
    </form>
  );
}

/** An address not verified yet: its code, and a new email when the first went missing. */
export function VerifyEmailSection({ email, onConfirmed }: { email: string; onConfirmed: (result: Confirmed) => void }) {
  return (
    <section className="card-surface" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify your email</h2>
      <p>
        We emailed a link and a 6-digit code to <strong>{email}</strong>. Open the link, or enter the code here.
      </p>
      <CodeForm onConfirmed={onConfirmed} />
      <Resend />
    </section>
  );
}

function Resend() {
  const api = useApi();
  const [resend, { loading }] = useMutation(SettingsScreenResend);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function click() {
    setProblems([]);
    setSentTo(null);
    try {
      const { data } = await resend();
      setSentTo(data!.resendVerificationEmail.email);
    } catch (err) {
      // BAD_USER_INPUT here means verified already (in another tab, or by a link): say so.
      const verified = CombinedGraphQLErrors.is(err) && err.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT');
      setProblems(verified ? [{ field: null, message: 'Your email address is verified already.' }] : problemsOf(err));
      if (verified) void api.apollo.refetchQueries({ include: 'active' }).catch(() => undefined);
    }
  }

  return (
    <>
      <p className="hint">No email? Check your spam folder, or ask for a new one: links and codes sent before it stop working.</p>
      <div className="actions">
        <button type="button" onClick={() => void click()} disabled={loading}>
          {loading ? 'Sending…' : 'Resend email'}
        </button>
      </div>
      {sentTo ? <Notice kind="success">A new email is on its way to {sentTo}.</Notice> : null}
      <FormProblems problems={problems} />
    </>
  );
}

/**
 * A new address: it is used once confirmed through the link or code sent to it (`codeForm`,
 * shown here while a change waits for it, unless the page shows one already).
 */
export function ChangeEmailSection({
  current,
  pending,
  onPending,
  codeForm,
}: {
  current: string;
  pending: string | null;
  onPending: (email: string) => void;
  codeForm: ReactNode;
}) {
  const [change, { loading }] = useMutation(SettingsScreenChangeEmail);
  const [problems, setProblems] = useState<Problem[]>([]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const newEmail = String(data.get('newEmail') ?? '').trim();
    const currentPassword = String(data.get('currentPassword') ?? '');
    const found: Problem[] = [];
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(newEmail))
      found.push({ field: 'newEmail', message: 'Enter the new email address, like name@example.com.' });
    else if (newEmail.toLowerCase() === current.toLowerCase())
      found.push({ field: 'newEmail', message: 'That is the email address you use now.' });
    if (!currentPassword) found.push({ field: 'currentPassword', message: 'Enter your password.' });
    setProblems(found);
    if (found.length > 0) return;
    try {
      const result = await change({ variables: { input: { newEmail, currentPassword } } });
      onPending(result.data!.changeEmail.pendingEmail);
      form.reset();
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <section className="card-surface" aria-labelledby="email-heading">
      <h2 id="email-heading">Change your email</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label="New email"
          name="newEmail"
          type="email"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          problem={problemFor(problems, 'newEmail')}
        />
        <Field
          label="Your password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          hint="To check that it is you."
          problem={problemFor(problems, 'currentPassword')}
        />
        <FormProblems problems={problems} fields={['newEmail', 'currentPassword']} />
        <div className="actions">
          <button type="submit" className="primary" disabled={loading}>
            {loading ? 'Sending…' : 'Change email'}
          </button>
        </div>
      </form>
      {pending ? (
        <>
          <Notice kind="success">
            <p>We sent a link and a 6-digit code to {pending}.</p>
            <p>
              Your account keeps using {current} until you confirm the new address: open the link in that email, or enter its code{' '}
              {codeForm ? 'here' : 'under “Verify your email”'}.
            </p>
          </Notice>
          {codeForm}
        </>
      ) : null}
    </section>
  );
}
