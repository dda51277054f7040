import type { SpendingInterval } from './card.js';

const DAY_MS = 86_400_000;

/**
 * Where a card's spending-limit interval starts (UTC): null for a limit that looks at one
 * authorization alone. Weeks start on Monday; ALL_TIME counts from the epoch.
 */
export function intervalStart(interval: SpendingInterval, now = new Date()): Date | null {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (interval) {
    case 'PER_AUTHORIZATION':
      return null;
    case 'DAILY':
      return new Date(day);
    case 'WEEKLY':
      return new Date(day - ((now.getUTCDay() + 6) % 7) * DAY_MS);
    case 'MONTHLY':
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    case 'ALL_TIME':
      return new Date(0);
  }
}
