/** Descriptions that several schema items share, so they read the same everywhere. */

/** The idempotencyKey of every input that moves money (DESIGN.md, money rule 6). */
export const IDEMPOTENCY_KEY =
  'Your key for this request, 1 to 255 characters, scoped to you. A repeat with the same input returns the first answer ' +
  '(a refusal such as INSUFFICIENT_FUNDS too) and moves nothing; other input is IDEMPOTENCY_KEY_REUSED, and a repeat ' +
  'while the first still runs waits up to 5 s, then IDEMPOTENCY_KEY_IN_PROGRESS.';

/** The filter of transaction connections (the paging arguments are TransactionPageArgs). */
export const PAGE_FILTER =
  "Narrows the rows; every condition given must hold. A wallet or card that is not the viewer's gives an empty page.";
