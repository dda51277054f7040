import { dictionary } from '@zxcvbn-ts/language-common';

/** The ~49,000 most common passwords of leaked sets, as zxcvbn-ts publishes and maintains them. */
let common: Set<string> | undefined;

/**
 * True for a password attackers try first: on the list (case and surrounding spaces ignored),
 * or a single character repeated ("aaaaaaaa", eight spaces).
 */
export function isCommonPassword(password: string): boolean {
  const chars = [...password];
  if (chars.every((c) => c === chars[0])) return true;
  common ??= new Set(dictionary['passwords-common'] as string[]);
  return common.has(password.trim().toLowerCase());
}
