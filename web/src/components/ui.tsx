import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useCurrency } from '../app-context';
import type { Problem } from '../errors';
import { formatMoney } from '../format';
import { Link } from '../router';

/** An amount in minor units, formatted for its currency and the reader's locale. */
export function Money({ amount, currency, className }: { amount: string; currency: string; className?: string }) {
  const info = useCurrency(currency);
  return <span className={['money', className].filter(Boolean).join(' ')}>{formatMoney(amount, info)}</span>;
}

/** A labelled input with its problem beside it (announced to screen readers). */
export function Field({
  label,
  problem,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: string; problem?: string | null; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : hint ? `${id}-hint` : undefined}
        {...input}
      />
      {hint && !problem ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p className="problem" id={`${id}-problem`} role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField({
  label,
  problem,
  children,
  ...select
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; problem?: string | null; children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-problem` : undefined} {...select}>
        {children}
      </select>
      {problem ? (
        <p className="problem" id={`${id}-problem`} role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** The problems of a form that belong to no input (or to one the form does not show). */
export function FormProblems({ problems, fields = [] }: { problems: Problem[]; fields?: string[] }) {
  const general = problems.filter((p) => !p.field || !fields.includes(p.field));
  if (general.length === 0) return null;
  return (
    <div className="notice error" role="alert">
      {general.map((p, i) => (
        <p key={i}>
          {p.message}
          {p.link ? (
            <>
              {' '}
              <Link to={p.link.to}>{p.link.label}</Link>
            </>
          ) : null}
        </p>
      ))}
    </div>
  );
}

/** The words for one input out of a form's problems. */
/** A new password typed twice (`newPassword`, `confirm`), with their problems beside them. */
export function NewPasswordFields({ problems }: { problems: Problem[] }) {
  return (
    <>
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
    </>
  );
}

export function problemFor(problems: Problem[], field: string): string | null {
  return problems.find((p) => p.field === field)?.message ?? null;
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'error'; children: ReactNode }) {
  return (
    <div className={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** What could not be loaded, why in words when known, and a way to try again (whose failure shows again here). */
export function LoadFailed({ what, why, retry }: { what: string; why?: string | null; retry: () => unknown }) {
  return (
    <Notice kind="error">
      <p>
        We could not load {what}.{why ? ` ${why}` : ''}
      </p>
      <button type="button" onClick={() => void Promise.resolve(retry()).catch(() => undefined)}>
        Try again
      </button>
    </Notice>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Whether the browser says it is online, kept up to date. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** A key for one action, kept while the action is on screen: a retry of the same action reuses it. */
export function useIdempotencyKey(): [string, () => void] {
  const [key, setKey] = useState(() => crypto.randomUUID());
  return [key, () => setKey(crypto.randomUUID())];
}
