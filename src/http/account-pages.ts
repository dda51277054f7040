import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * The pages links in mail lead to, as the API serves them when no web app is built (with one,
 * the app has its own at the same paths). The token travels in the fragment (`#token=…`), so it
 * never reaches a server log or a Referer header; the page takes it out of the address bar and
 * calls /graphql itself. Each page carries its own strict CSP with a per-response nonce.
 */
export const ACCOUNT_PAGES = ['/verify-email', '/reset-password'] as const;
export type AccountPage = (typeof ACCOUNT_PAGES)[number];

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin-top:1rem;font-weight:600}input{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin-top:.25rem}
button{margin-top:1.25rem;font:inherit;padding:.6rem 1.2rem;background:#1d4ed8;color:#fff;border:0;border-radius:6px;cursor:pointer}
[role=alert]{color:#b91c1c}.ok{color:#166534}`;

/** Shared by both pages: reads and hides the token, and posts one mutation to /graphql. */
const COMMON = `const token = new URLSearchParams(location.hash.slice(1)).get('token');
history.replaceState(null, '', location.pathname);
const say = (text, kind) => { const s = document.getElementById('status'); s.textContent = text; s.className = kind === 'ok' ? 'ok' : ''; s.setAttribute('role', kind === 'ok' ? 'status' : 'alert'); };
async function call(query, variables) {
  const res = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  return body.errors ? { error: body.errors[0] } : { data: body.data };
}`;

const VERIFY = `${COMMON}
if (!token) say('This link is incomplete: open the whole link from the email, or ask for a new one.');
else call('mutation Verify($token: String!) { verifyEmail(input: { token: $token }) { email emailChanged } }', { token }).then(
  ({ data, error }) => error
    ? say(error.message)
    : say(data.verifyEmail.emailChanged ? 'Your account now uses ' + data.verifyEmail.email + '.' : data.verifyEmail.email + ' is verified. You can close this page.', 'ok'),
  () => say('The server could not be reached; try the link again.'));`;

const RESET = `${COMMON}
const form = document.getElementById('reset');
if (!token) { form.hidden = true; say('This link is incomplete: open the whole link from the email, or ask for a new one.'); }
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const password = form.elements.password.value;
  if (password !== form.elements.confirm.value) return say('The two passwords differ.');
  form.querySelector('button').disabled = true;
  try {
    const { data, error } = await call('mutation Reset($token: String!, $password: String!) { resetPassword(input: { token: $token, newPassword: $password }) { revokedSessions } }', { token, password });
    if (error) { say(error.message); if (error.extensions && error.extensions.field !== 'input.newPassword') form.hidden = true; return; }
    form.hidden = true;
    say('Your password is changed and every session was signed out. Sign in with the new password.', 'ok');
  } catch { say('The server could not be reached; try again.'); }
  finally { form.querySelector('button').disabled = false; }
});`;

function page(title: string, body: string, script: string, nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title><style>${STYLE}</style></head>
<body><main><h1>${title}</h1>${body}<p id="status" aria-live="polite"></p></main>
<script nonce="${nonce}">${script}</script></body></html>`;
}

/** Sends the page for `path`, never cached, with its own CSP. */
export function sendAccountPage(reply: FastifyReply, path: AccountPage): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  const html =
    path === '/verify-email'
      ? page('Verify your email', '', VERIFY, nonce)
      : page(
          'Choose a new password',
          `<form id="reset"><label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required>
<label for="confirm">New password again</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<button type="submit">Set password</button></form>`,
          RESET,
          nonce,
        );
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
    )
    .type('text/html; charset=utf-8')
    .send(html);
}
