import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { useApi, useSession } from '../app-context';
import { Field, FormProblems, Notice, problemFor } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { graphql } from '../gql';
import { navigate } from '../router';

const ChangePassword = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      revokedSessions
    }
  }
`);

/** Who is signed in, a new password, and signing out. */
export function SettingsScreen() {
  const api = useApi();
  const session = useSession();
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
    <>
      <h1>Settings</h1>
      <section className="card-surface" aria-labelledby="account-heading">
        <h2 id="account-heading">Your account</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>{session?.user.fullName}</dd>
          <dt>Email</dt>
          <dd>{session?.user.email}</dd>
        </dl>
      </section>
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
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            hint="At least 8 characters, not a common password."
            problem={problemFor(problems, 'newPassword')}
          />
          <Field
            label="New password again"
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            problem={problemFor(problems, 'confirm')}
          />
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
