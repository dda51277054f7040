import type { EntityManager } from '@mikro-orm/postgresql';
import type { Log } from '../shared/log.js';
import { MailOutbox, type OutboxRow } from './mail-outbox.repository.js';
import { renderMail, type MailVariables } from './templates.js';
import type { MailTransport } from './transport.js';

/**
 * What a row needs when it is sent, from the part that owns its meaning (account tokens are made
 * here, in `tx`, committed before the message leaves), or why it is no longer to be sent.
 */
export type MailPreparer = (tx: EntityManager, row: OutboxRow) => Promise<MailVariables | { skip: string }>;

export interface MailWorkerSettings {
  from: string;
  /** Host part of Message-IDs. */
  messageIdHost: string;
  /** How long a claimed row is this worker's; a send is bounded well below it. */
  leaseSeconds: number;
  /** Attempts before a row is given up (FAILED, logged at error level). */
  maxAttempts: number;
  /** Delay before the first retry; doubled each time, at most an hour. */
  retryBaseSeconds: number;
  /** Rows claimed per round. */
  batch: number;
}

/**
 * An error as the outbox row keeps it: a database error's message begins with its statement,
 * values inlined, so only its kind and code are kept. (The log's serializer scrubs the same way.)
 */
export function describeError(err: unknown): string {
  const e = err as Error & { code?: unknown; sqlState?: unknown };
  if (!(err instanceof Error)) return String(err);
  if (e.sqlState !== undefined || /Exception$/.test(e.name)) return `${e.name}${e.code !== undefined ? ` (${String(e.code)})` : ''}`;
  return e.message;
}

/** Seconds before attempt `attempts + 1`: base, twice that, four times … at most an hour. */
export function retryDelaySeconds(attempts: number, baseSeconds: number): number {
  return Math.min(3600, baseSeconds * 2 ** Math.min(20, Math.max(0, attempts - 1)));
}

/**
 * Sends what the outbox holds. A row is claimed for a lease, prepared (tokens made and
 * committed), rendered, handed to the transport and marked SENT once the server accepted it.
 * A crash before the server's acceptance leaves the row PENDING: it is sent when the lease ends
 * (a server that never got the whole DATA delivers nothing). A crash in the instant between
 * acceptance and marking sends it again, with the same Message-ID.
 */
export class MailWorker {
  private readonly outbox: MailOutbox;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    outbox: MailOutbox,
    private readonly fork: () => EntityManager,
    private readonly transport: MailTransport,
    private readonly prepare: MailPreparer,
    private readonly settings: MailWorkerSettings,
    private readonly log: Log,
  ) {
    this.outbox = outbox;
  }

  /** Runs rounds until nothing is due; a call while one runs makes it look once more. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.round()) > 0);
        } while (this.again && !this.stopped);
      } catch (err) {
        this.log.warn({ err }, 'mail worker round failed; it runs again on the next tick');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One batch: returns how many rows it took. */
  async round(): Promise<number> {
    const em = this.fork();
    const rows = await this.outbox.claim(em, this.settings.batch, this.settings.leaseSeconds);
    for (const row of rows) await this.deliver(em, row);
    return rows.length;
  }

  /** Takes no more rows, waits for the round in progress (its sends are bounded), and closes the transport. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.transport.close();
  }

  private async deliver(em: EntityManager, row: OutboxRow): Promise<void> {
    try {
      const prepared = await em.transactional((tx) => this.prepare(tx, row));
      if ('skip' in prepared) {
        await this.outbox.markSkipped(em, row.id, prepared.skip);
        this.log.info({ outboxId: row.id, kind: row.kind, reason: prepared.skip }, 'mail not sent');
        return;
      }
      const rendered = renderMail(row.kind, { ...row.data, ...prepared });
      const messageId = `<${row.id}@${this.settings.messageIdHost}>`;
      await this.transport.send(em, { ...rendered, messageId, outboxId: row.id, kind: row.kind, from: this.settings.from, to: row.to });
      await this.outbox.markSent(em, row.id, messageId);
      this.log.info({ outboxId: row.id, kind: row.kind, attempt: row.attempts }, 'mail sent');
    } catch (err) {
      const message = describeError(err);
      const giveUp = row.attempts >= this.settings.maxAttempts;
      await this.outbox
        .markFailed(em, row.id, message, giveUp ? null : retryDelaySeconds(row.attempts, this.settings.retryBaseSeconds))
        .catch((markErr: unknown) => this.log.warn({ outboxId: row.id, err: markErr }, 'mail failure not recorded; the lease ends it'));
      if (giveUp) this.log.error({ outboxId: row.id, kind: row.kind, attempts: row.attempts, err }, 'mail given up after every attempt');
      else this.log.warn({ outboxId: row.id, kind: row.kind, attempt: row.attempts, err }, 'mail not sent; tried again later');
    }
  }
}
