import type { EntityManager } from '@mikro-orm/postgresql';
import { createTransport } from 'nodemailer';
import type { Log } from '../shared/log.js';
import { keep } from './dev-mailbox.repository.js';

/** A message as the worker hands it to a transport. */
export interface MailMessage {
  /** Stable per outbox row (`<id@host>`): a resend after a crash carries the same one. */
  messageId: string;
  outboxId: string;
  kind: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** Resolves once the message is accepted (an SMTP server's 250 after DATA). */
  send(em: EntityManager, message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer (SMTP_URL: smtp:// with STARTTLS when offered, smtps:// for implicit
 * TLS, credentials in the URL). Every step is bounded by `timeoutMs`, so a send ends well within
 * the worker's lease on the row.
 */
export class SmtpTransport implements MailTransport {
  private readonly transporter;

  constructor(url: string, timeoutMs: number) {
    this.transporter = createTransport({
      url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
    });
  }

  async send(_em: EntityManager, m: MailMessage): Promise<void> {
    await this.transporter.sendMail({
      messageId: m.messageId,
      from: m.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      headers: { 'X-Mail-Kind': m.kind },
    });
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * Without SMTP_URL (never in production): mail is kept in `dev_mailbox`, readable at
 * /dev/mailbox, and logged as one line that names it without its body (no token in logs).
 */
export class DevMailbox implements MailTransport {
  constructor(
    private readonly log: Log,
    private readonly mailboxUrl: string,
  ) {}

  async send(em: EntityManager, m: MailMessage): Promise<void> {
    await keep(em, m);
    this.log.info({ to: m.to, kind: m.kind, outboxId: m.outboxId }, `mail kept in the development mailbox: ${this.mailboxUrl}`);
  }

  close(): void {}
}
