import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { useApi, useSession } from '../app-context';
import { Field, FormProblems, NewPasswordFields, Notice, problemFor } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { graphql } from '../gql';
import { navigate } from '../router';
import { verifiedWords } from './AuthRecovery';
import { ChangeEmailSection, CodeForm, EmailStatus, VerifyEmailSection, type Confirmed } from './SettingsEmail';

const SettingsScreenAccount = graphql(`
  query SettingsScreenAccount {
    me {
      id
      email
      fullName
      emailVerified
    }
  }
`);

const ChangePassword = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      revokedSessions
    }
  }
`);

/** Who is signed in and whether their email is verified, a new email, a new password, and signing out. */
export function SettingsScreen() {
  const api = useApi();
  const session = useSession();
  const { data } = useQuery(SettingsScreenAccount);
  const me = data?.me;
  const email = me?.email ?? session?.user.email ?? '';
  // An email change waiting for its code (known to this page only: the link in the email works anywhere).
  const [pending, setPending] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState<string | null>(null);

  function onConfirmed(result: Confirmed) {
    setConfirmed(verifiedWords(result));
    if (result.emailChanged) setPending(null);
  }

  const unverified = me !== undefined && me !== null && !me.emailVerified;
  return (
    <>
      <h1>Settings</h1>
      <section className="card-surface" aria-labelledby="account-heading">
        <h2 id="account-heading">Your account</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>{me?.fullName ?? session?.user.fullName}</dd>
          <dt>Email</dt>
          <dd>
            {email} {me ? <EmailStatus verified={me.emailVerified} /> : null}
          </dd>
        </dl>
        {confirmed ? <Notice kind="success">{confirmed}</Notice> : null}
      </section>
      {unverified ? <VerifyEmailSection email={email} onConfirmed={onConfirmed} /> : null}
      <ChangeEmailSection
        current={email}
        pending={pending}
        onPending={(to) => {
          setConfirmed(null);
          setPending(to);
        }}
        codeForm={unverified ? null : <CodeForm onConfirmed={onConfirmed} />}
      />
      <ChangePasswordSection />
      <section aria-labelledby="signout-heading">
        <h2 id="signout-heading" className="visually-hidden">
          Sign out
        </h2>
        <button
          type="button"
          className="danger"
          onClick={async () => {
            await api.signOut();
            navigate('/sign-in', { replace: true });
          }}
        >
          Sign out
        </button>
      </section>
    </>
  );
}

function ChangePasswordSection() {
  const [change, { loading }] = useMutation(ChangePassword);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [done, setDone] = useState<number | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setProblems([]);
    setDone(null);
    if (data.get('newPassword') !== data.get('confirm')) {
      setProblems([{ field: 'confirm', message: 'The two new passwords are not the same.' }]);
      return;
    }
    try {
      const result = await change({
        variables: { input: { currentPassword: String(data.get('currentPassword')), newPassword: String(data.get('newPassword')) } },
      });
      setDone(result.data!.changePassword.revokedSessions);
      form.reset();
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <section className="card-surface" aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          problem={problemFor(problems, 'currentPassword')}
        />
        <NewPasswordFields problems={problems} />
        <FormProblems problems={problems} fields={['currentPassword', 'newPassword', 'confirm']} />
        <button type="submit" className="primary" disabled={loading}>
          {loading ? 'Changing…' : 'Change password'}
        </button>
      </form>
      {done !== null ? (
        <Notice kind="success">
          Your password is changed.{' '}
          {done > 0 ? `You were signed out on ${done} other ${done === 1 ? 'device' : 'devices'}.` : 'You stay signed in here.'}
        </Notice>
      ) : null}
    </section>
  );
}
