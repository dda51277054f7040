/**
 * What must never reach a log line: the suite's setup file scans every test server's logs with
 * it once a file's tests are done (test/support/setup.ts), so the whole suite is scanned.
 */
const SECRETS: { what: string; pattern: RegExp }[] = [
  { what: 'an argon2 password hash', pattern: /\$argon2(id|i|d)\$/ },
  { what: 'a JWT (an access token)', pattern: /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/ },
  { what: 'a bearer credential', pattern: /Bearer\s+[\w.~+/-]{16,}/i },
  { what: 'an SQL statement with its values', pattern: /\b(insert into|update|delete from) [\\"\w.]+ .*values?\b.*'[^']*'/i },
  { what: 'statement parameters', pattern: /"(parameters|params|bindings)":\s*\[/ },
  // Not inside a longer number nor after a decimal point (a duration like 1.4683890000001156).
  { what: 'a card number', pattern: /(?<![\d.])(?:4\d{15}|5[1-5]\d{14}|2[2-7]\d{14})(?![\d.])/ },
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Each line that holds a secret, with what it holds (a card number only when its check digit is right). */
export function secretsIn(lines: readonly string[]): { what: string; line: string }[] {
  const found: { what: string; line: string }[] = [];
  for (const line of lines) {
    for (const { what, pattern } of SECRETS) {
      const match = line.match(pattern);
      if (!match || (what === 'a card number' && !luhn(match[0]))) continue;
      found.push({ what, line: line.length > 300 ? `${line.slice(0, 300)}…` : line });
    }
  }
  return found;
}
