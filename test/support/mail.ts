import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll } from 'vitest';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** A message the test SMTP server accepted, parsed. */
export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  kind: string;
  raw: ParsedMail;
}

export interface TestMailServer {
  /** SMTP_URL for the server under test. */
  url: string;
  /** Every message accepted, oldest first. */
  received: ReceivedMail[];
  /** How many DATA transfers began (accepted or not). */
  dataStarted(): number;
  /** Connections open now. */
  openConnections(): number;
  /** Waits until a message matching `match` arrives (default: to `to`), and returns it. */
  waitFor(to: string, match?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /**
   * From now on, DATA is read but not answered until `release()` (a server mid-send). A held
   * message whose client hung up meanwhile is dropped, as a well-behaved server drops a message
   * it never acknowledged.
   */
  hold(): void;
  release(): void;
  /** Answers the next `n` messages to `to` with 451 (a temporary failure). */
  refuse(to: string, n: number): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on a loopback port, as a mail relay would be:
 * nodemailer talks SMTP to it, and the test reads what it accepted.
 */
export async function startMailServer(): Promise<TestMailServer> {
  const received: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let started = 0;
  let holding = false;
  const refusals = new Map<string, number>();
  const held: Array<() => void> = [];
  const closed = new Set<string>();
  let open = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
      open++;
      callback();
    },
    onClose(session: SMTPServerSession) {
      open--;
      closed.add(session.id);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      started++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accept = async () => {
          if (closed.has(session.id)) return;
          const to = session.envelope.rcptTo.map((r) => r.address).join(',');
          const left = refusals.get(to) ?? 0;
          if (left > 0) {
            refusals.set(to, left - 1);
            const err = new Error('Try again later') as Error & { responseCode: number };
            err.responseCode = 451;
            return callback(err);
          }
          const parsed = await simpleParser(Buffer.concat(chunks));
          received.push({
            to,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            kind: String(parsed.headers.get('x-mail-kind') ?? ''),
            raw: parsed,
          });
          callback();
          for (const w of waiters.splice(0)) w();
        };
        if (holding) held.push(() => void accept());
        else void accept();
      });
    },
  });
  // A client that dies mid-session (the restart test kills the server under test) resets its
  // connection: smtp-server reports it here, and without a listener it would be uncaught.
  const connectionErrors: Error[] = [];
  server.on('error', (err: Error) => connectionErrors.push(err));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    dataStarted: () => started,
    openConnections: () => open,
    async waitFor(to, match = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((m) => m.to === to && match(m));
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms (received: ${received.map((m) => `${m.to}: ${m.subject}`).join('; ')})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    hold: () => (holding = true),
    release() {
      holding = false;
      for (const go of held.splice(0)) go();
    },
    refuse: (to, n) => refusals.set(to, n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first link in a mail (`…#token=…`). */
export function linkToken(mail: { text: string }): string {
  const match = mail.text.match(/#token=([A-Za-z0-9_-]+)/);
  if (!match) throw new Error(`no link with a token in: ${mail.text}`);
  return match[1];
}

/** The 6-digit code of a verification mail. */
export function mailCode(mail: { text: string }): string {
  const match = mail.text.match(/Code: (\d{6})/);
  if (!match) throw new Error(`no code in: ${mail.text}`);
  return match[1];
}

/** The link itself. */
export function mailLink(mail: { text: string }): string {
  const match = mail.text.match(/https?:\/\/\S+#token=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`no link in: ${mail.text}`);
  return match[0];
}

/**
 * A suite's SMTP server: started before its tests (register it before `useTestServer`, whose
 * env may then read `mail.url`), closed after them.
 */
export function useMailServer(): TestMailServer {
  let mail: TestMailServer | undefined;
  beforeAll(async () => {
    mail = await startMailServer();
  });
  afterAll(() => mail?.close());
  return new Proxy({} as TestMailServer, {
    get(_, key: keyof TestMailServer) {
      if (!mail) throw new Error(`the mail server is used (${String(key)}) before its beforeAll started it`);
      const value = mail[key];
      return typeof value === 'function' ? value.bind(mail) : value;
    },
  });
}
