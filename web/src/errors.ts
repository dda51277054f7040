import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** What went wrong, in words for a person, and which input it belongs beside (null: the form's). */
export interface Problem {
  field: string | null;
  message: string;
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
    return { field, message: WORDS[code] ?? 'Something went wrong on our side. Try again.' };
  });
}

/** The first problem's words (for a toast or a banner). */
export function firstProblem(error: unknown): string {
  return problems(error)[0]?.message ?? 'Something went wrong.';
}
