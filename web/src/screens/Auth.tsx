import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../app-context';
import { FormProblems, Field, problemFor } from '../components/ui';
import { problems as problemsOf, type Problem } from '../errors';
import { graphql } from '../gql';
import { Link, navigate } from '../router';

const LogIn = graphql(`
  mutation LogIn($input: LogInInput!) {
    logIn(input: $input) {
      ...SessionFields
    }
  }
`);

const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...SessionFields
    }
  }
`);

/** Sign in and sign up share one page layout; `mode` says which form it shows. */
export function AuthScreen({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const api = useApi();
  const [logIn, logInState] = useMutation(LogIn);
  const [signUp, signUpState] = useMutation(SignUp);
  const [problems, setProblems] = useState<Problem[]>([]);
  const busy = logInState.loading || signUpState.loading;
  const signingUp = mode === 'sign-up';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setProblems([]);
    try {
      const session = signingUp
        ? (await signUp({ variables: { input: { email, password, fullName: String(form.get('fullName') ?? '').trim() } } })).data!.signUp
        : (await logIn({ variables: { input: { email, password } } })).data!.logIn;
      api.signIn(session);
      navigate('/', { replace: true });
    } catch (err) {
      setProblems(problemsOf(err));
    }
  }

  return (
    <AuthLayout title={signingUp ? 'Create your account' : 'Sign in'}>
      <form onSubmit={submit} noValidate>
        {signingUp ? (
          <Field label="Full name" name="fullName" autoComplete="name" required problem={problemFor(problems, 'fullName')} />
        ) : null}
        <Field label="Email" name="email" type="email" autoComplete="email" required problem={problemFor(problems, 'email')} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete={signingUp ? 'new-password' : 'current-password'}
          required
          minLength={signingUp ? 8 : undefined}
          hint={signingUp ? 'At least 8 characters, not a common password.' : undefined}
          problem={problemFor(problems, 'password')}
        />
        <FormProblems problems={problems} fields={['fullName', 'email', 'password']} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Please wait…' : signingUp ? 'Create account' : 'Sign in'}
        </button>
      </form>
      {signingUp ? null : (
        <p className="switch">
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
      )}
      <p className="switch">
        {signingUp ? (
          <>
            Have an account? <Link to="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link to="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </AuthLayout>
  );
}

/** The page around sign-in, sign-up and the pages links in mail open: the logo, a heading, the content. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth" id="main">
      <div className="brand" aria-hidden="true">
        <img src="/icon.svg" alt="" width="48" height="48" />
      </div>
      <h1>{title}</h1>
      {children}
    </main>
  );
}
