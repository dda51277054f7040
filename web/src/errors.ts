import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** What went wrong, in words for a person, and which input it belongs beside (null: the form's). */
export interface Problem {
  field: string | null;
  message: string;
  /** Where to go to put it right, when that is another page (shown as a link after the words). */
  link?: { to: string; label: string };
}

const WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find that.',
  EMAIL_TAKEN: 'An account with this email already exists. Sign in instead?',
  INVALID_CREDENTIALS: 'That email and password do not match.',
  INSUFFICIENT_FUNDS: 'There is not enough money available for this.',
  CARD_NOT_ACTIVE: 'This card is frozen or terminated.',
  CURRENCY_MISMATCH: 'These are in different currencies.',
  LIMIT_EXCEEDED: 'This is over a limit on your account.',
  UNSUPPORTED_CURRENCY: 'This is not available in that currency.',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'We are still working on your last request. Try again in a moment.',
  IDEMPOTENCY_KEY_REUSED: 'This request changed after it was sent. Start again.',
  RATE_LIMITED: 'Too many attempts. Wait a little, then try again.',
  PROVIDER_UNAVAILABLE: 'Our payment partner is not answering. Nothing was charged; try again.',
};

/** Words for a refused value of one input, by field name (the end of `extensions.field`). */
const FIELD_WORDS: Record<string, string> = {
  email: 'Enter a valid email address.',
  recipientEmail: 'Enter the email address of the person you are paying.',
  password: 'Choose a longer, less common password (at least 8 characters).',
  newPassword: 'Choose a longer, less common password (at least 8 characters).',
  currentPassword: 'That is not your current password.',
  newEmail: 'Enter a valid email address, other than the one you use now.',
  token: 'This link or code is wrong, has expired or was already used.',
  fullName: 'Enter your name.',
  amount: 'Enter an amount greater than zero.',
  initialAmount: 'Enter an amount, or leave it empty.',
  accountNumber: 'Enter the 10-digit account number.',
  bankCode: 'Choose a bank.',
  label: 'Use a shorter label.',
  note: 'Use a shorter note.',
  merchantName: 'Enter the name of a shop.',
  billingAddress: 'This card issuer needs the cardholder’s billing address.',
  line1: 'Enter the street and number.',
  city: 'Enter the city or town.',
  postalCode: 'Enter the postal code.',
  country: 'Enter the two-letter country code, e.g. NG.',
};

/**
 * Turns what Apollo threw into words, by `extensions.code` and `extensions.field` (e.g.
 * `input.amount`), never the server's raw message. A network failure says so.
 */
export function problems(error: unknown): Problem[] {
  if (!CombinedGraphQLErrors.is(error)) {
    const offline = typeof navigator !== 'undefined' && !navigator.onLine;
    return [
      {
        field: null,
        message: offline ? 'You are offline. Check your connection and try again.' : 'We could not reach the server. Try again.',
      },
    ];
  }
  return error.errors.map((e) => {
    const code = String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    const path = typeof e.extensions?.field === 'string' ? e.extensions.field : null;
    const field = path ? path.split('.').pop()! : null;
    if (code === 'BAD_USER_INPUT') {
      return { field, message: (field && FIELD_WORDS[field]) ?? 'Check this value.' };
    }
    // A wrong current password (changePassword) is INVALID_CREDENTIALS about that input; a
    // wrong sign-in is about the pair, never saying which of the two was wrong.
    if (code === 'INVALID_CREDENTIALS') {
      return field === 'currentPassword' ? { field, message: FIELD_WORDS.currentPassword } : { field: null, message: WORDS[code] };
    }
    // Taken at sign-up is a hint to sign in; taken as a new address (changeEmail, or meanwhile
    // by the time it is confirmed) is not.
    if (code === 'EMAIL_TAKEN' && field !== 'email') {
      return { field: field === 'newEmail' ? field : null, message: 'Another account already uses this email address.' };
    }
    if (code === 'FORBIDDEN' && e.extensions?.reason === 'EMAIL_NOT_VERIFIED') {
      return {
        field: null,
        message: 'Verify your email address before you send or withdraw money. It takes a minute, in Settings.',
        link: { to: '/settings', label: 'Verify your email' },
      };
    }
    if (code === 'RATE_LIMITED' && typeof e.extensions?.retryAfterSeconds === 'number') {
      return { field: null, message: `Too many attempts. Try again ${waitWords(e.extensions.retryAfterSeconds)}.` };
    }
    return { field, message: WORDS[code] ?? 'Something went wrong on our side. Try again.' };
  });
}

/** Whether the API refused an emailed link's token or code itself: wrong, used, expired or superseded. */
export function isDeadToken(error: unknown): boolean {
  return (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some(
      (e) =>
        e.extensions?.code === 'BAD_USER_INPUT' &&
        String(e.extensions.field ?? '')
          .split('.')
          .pop() === 'token',
    )
  );
}

/** "in a minute", "in 12 minutes", "in about 2 hours". */
export function waitWords(seconds: number): string {
  if (seconds <= 60) return 'in a minute';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `in ${minutes} minutes`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

/** The first problem's words (for a toast or a banner). */
export function firstProblem(error: unknown): string {
  return problems(error)[0]?.message ?? 'Something went wrong.';
}
