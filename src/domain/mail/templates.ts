import { MailKind } from './mail-outbox.repository.js';

/** What a template is given: the stored data of the row, plus what was made when it was sent. */
export interface MailVariables {
  /** The account holder's name, when the mail is about an account. */
  name?: string;
  /** A link that acts (verify, reset); made with a fresh token when the mail is sent. */
  link?: string;
  /** The 6-digit code beside a verification link. */
  code?: string;
  /** How long the link works, in words ("30 minutes"). */
  validFor?: string;
  /** The other address of an email change. */
  otherEmail?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const PRODUCT = 'Wallet';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One paragraph, or a button-like link, or a code, in both forms. */
type Block = { p: string } | { link: string; label: string } | { code: string };

function compose(subject: string, greeting: string, blocks: Block[]): RenderedMail {
  const text = [greeting, '']
    .concat(
      blocks.flatMap((b) => ('p' in b ? [b.p, ''] : 'link' in b ? [`${b.label}: ${b.link}`, ''] : [`Code: ${b.code}`, ''])),
      [`The ${PRODUCT} team`],
    )
    .join('\n');
  const body = blocks
    .map((b) =>
      'p' in b
        ? `<p>${escape(b.p)}</p>`
        : 'link' in b
          ? `<p><a href="${escape(b.link)}" style="display:inline-block;padding:.6em 1.2em;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none">${escape(b.label)}</a></p>
<p style="font-size:.85em;color:#555">Or open this address: <span style="word-break:break-all">${escape(b.link)}</span></p>`
          : `<p style="font-size:1.6em;letter-spacing:.3em;font-family:monospace">${escape(b.code)}</p>`,
    )
    .join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111;max-width:36rem;margin:0 auto;padding:1.5rem">
<p>${escape(greeting)}</p>
${body}
<p>The ${PRODUCT} team</p>
</body></html>`;
  return { subject, text, html };
}

const hello = (v: MailVariables) => (v.name ? `Hello ${v.name},` : 'Hello,');
const NOT_YOU = 'If this was not you, reset your password now and review your account.';

/** Subject, plain text and HTML of a mail of `kind`. Every variable a kind needs must be there. */
export function renderMail(kind: MailKind, v: MailVariables): RenderedMail {
  const need = (name: keyof MailVariables): string => {
    const value = v[name];
    if (!value) throw new Error(`mail ${kind} needs ${name}`);
    return value;
  };
  switch (kind) {
    case MailKind.VERIFY_EMAIL:
      return compose(`Verify your email address for ${PRODUCT}`, hello(v), [
        { p: `Confirm that this address is yours. The link and the code work for ${need('validFor')}.` },
        { link: need('link'), label: 'Verify email address' },
        { p: 'In the mobile app, enter this code instead:' },
        { code: need('code') },
        { p: 'If you did not sign up, you can ignore this email.' },
      ]);
    case MailKind.CONFIRM_EMAIL_CHANGE:
      return compose(`Confirm your new email address for ${PRODUCT}`, hello(v), [
        { p: `You asked to use this address for your account. The link and the code work for ${need('validFor')}.` },
        { link: need('link'), label: 'Confirm new address' },
        { p: 'In the mobile app, enter this code instead:' },
        { code: need('code') },
        { p: 'If you did not ask for this, ignore this email: nothing changes until the address is confirmed.' },
      ]);
    case MailKind.PASSWORD_RESET:
      return compose(`Reset your ${PRODUCT} password`, hello(v), [
        { p: `Someone asked to reset the password of this account. The link works once, for ${need('validFor')}.` },
        { link: need('link'), label: 'Choose a new password' },
        { p: 'Resetting signs you out everywhere. If you did not ask for this, ignore this email: your password stays as it is.' },
      ]);
    case MailKind.PASSWORD_CHANGED:
      return compose(`Your ${PRODUCT} password was changed`, hello(v), [
        { p: 'The password of your account was just changed, and your other sessions were signed out.' },
        { p: NOT_YOU },
      ]);
    case MailKind.PASSWORD_WAS_RESET:
      return compose(`Your ${PRODUCT} password was reset`, hello(v), [
        { p: 'The password of your account was just reset through an emailed link, and every session was signed out.' },
        { p: NOT_YOU },
      ]);
    case MailKind.EMAIL_CHANGE_REQUESTED:
      return compose(`A new email address was requested for your ${PRODUCT} account`, hello(v), [
        { p: `Someone signed in to your account asked to use ${need('otherEmail')} instead of this address.` },
        { p: 'Nothing changes until the new address is confirmed. ' + NOT_YOU },
      ]);
    case MailKind.EMAIL_CHANGED:
      return compose(`The email address of your ${PRODUCT} account was changed`, hello(v), [
        { p: `Your account now uses ${need('otherEmail')}; this address no longer signs in.` },
        { p: NOT_YOU },
      ]);
  }
}
