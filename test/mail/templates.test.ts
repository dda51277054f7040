import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/domain/mail/mail-worker.js';
import { MailKind } from '../../src/domain/mail/mail-outbox.repository.js';
import { renderMail } from '../../src/domain/mail/templates.js';
import { inWords } from '../../src/domain/auth/account.service.js';

/** What every mail says: the plain-text and HTML bodies carry the same link and code, and nothing is left blank. */

const LINK = 'https://app.example.com/verify-email#token=abc_DEF-123';
const ALL = { name: 'Ada <Lovelace>', link: LINK, code: '042917', validFor: '24 hours', otherEmail: 'new@example.com' };

describe('renderMail', () => {
  it('puts the link and the code in both bodies, the HTML escaped, and greets by name', () => {
    for (const kind of [MailKind.VERIFY_EMAIL, MailKind.CONFIRM_EMAIL_CHANGE]) {
      const mail = renderMail(kind, ALL);
      expect(mail.text).toContain(`: ${LINK}`);
      expect(mail.text).toContain('Code: 042917');
      expect(mail.text).toContain('24 hours');
      expect(mail.text.startsWith('Hello Ada <Lovelace>,\n')).toBe(true);
      expect(mail.html).toContain(`<a href="${LINK}"`);
      expect(mail.html).toContain('>042917</p>');
      expect(mail.html).toContain('Hello Ada &#60;Lovelace&#62;,');
      expect(mail.html).not.toContain('<Lovelace>');
      expect(mail.html).toMatch(/^<!doctype html>/);
      expect(mail.subject).toMatch(/email address/i);
    }
  });

  it('gives a reset mail a link and no code, and says how long it works', () => {
    const mail = renderMail(MailKind.PASSWORD_RESET, { ...ALL, code: undefined, validFor: '30 minutes' });
    expect(mail.subject).toBe('Reset your Wallet password');
    expect(mail.text).toContain(`Choose a new password: ${LINK}`);
    expect(mail.text).toContain('for 30 minutes');
    expect(mail.text).not.toMatch(/Code:/);
  });

  it('writes notices without links that act, naming the other address of an email change', () => {
    for (const kind of [MailKind.PASSWORD_CHANGED, MailKind.PASSWORD_WAS_RESET, MailKind.EMAIL_CHANGE_REQUESTED, MailKind.EMAIL_CHANGED]) {
      const mail = renderMail(kind, { name: 'Ada', otherEmail: 'new@example.com' });
      expect(mail.text).not.toMatch(/https?:/);
      expect(mail.text).toMatch(/^Hello Ada,/);
      expect(mail.text).toMatch(/reset your password/);
      expect(mail.text.endsWith('The Wallet team')).toBe(true);
    }
    expect(renderMail(MailKind.EMAIL_CHANGED, { otherEmail: 'new@example.com' }).text).toMatch(/^Hello,\n/);
    expect(renderMail(MailKind.EMAIL_CHANGED, { otherEmail: 'new@example.com' }).text).toContain('now uses new@example.com');
    expect(renderMail(MailKind.EMAIL_CHANGE_REQUESTED, { otherEmail: 'new@example.com' }).text).toContain('to use new@example.com');
  });

  it('refuses to render a mail without what it needs (never a link to "undefined")', () => {
    expect(() => renderMail(MailKind.VERIFY_EMAIL, { ...ALL, link: undefined })).toThrow('mail VERIFY_EMAIL needs link');
    expect(() => renderMail(MailKind.VERIFY_EMAIL, { ...ALL, code: undefined })).toThrow('needs code');
    expect(() => renderMail(MailKind.PASSWORD_RESET, { link: LINK })).toThrow('needs validFor');
    expect(() => renderMail(MailKind.EMAIL_CHANGED, {})).toThrow('needs otherEmail');
  });
});

describe('inWords', () => {
  it('says a lifetime in the largest whole unit', () => {
    expect([1800, 86_400, 3600, 60, 90, 1, 7200].map(inWords)).toEqual([
      '30 minutes',
      '24 hours',
      '1 hour',
      '1 minute',
      '90 seconds',
      '1 second',
      '2 hours',
    ]);
  });
});

describe('describeError', () => {
  it('keeps a database error kind and code, and nothing of its statement', () => {
    const withState = Object.assign(new Error("insert ... values ('secret')"), { name: 'error', sqlState: '23505' });
    expect(describeError(withState)).toBe('error');
    const named = Object.assign(new Error("update ... 'secret'"), { name: 'DeadlockException' });
    expect(describeError(named)).toBe('DeadlockException');
    const notDriver = Object.assign(new Error('Exceptional refusal'), { name: 'ExceptionalError' });
    expect(describeError(notDriver)).toBe('Exceptional refusal');
  });
});
