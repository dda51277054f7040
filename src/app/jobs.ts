import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { RedisHandle } from '../cache/redis.js';
import type { Config } from '../config/config.js';
import type { Readiness } from '../http/health.js';
import type { MailWorker } from '../domain/mail/mail-worker.js';
import type { PaymentRecovery } from '../domain/payments/payment-recovery.js';
import type { RetentionRepository } from '../domain/retention/retention.repository.js';
import type { Services } from '../schema/services.js';

const REVOCATION_RESYNC_MS = 30_000;

export interface Jobs {
  /** Migrations have been applied: run the payment job and the allowlist resync now. */
  migrated(): void;
  /** Stops the timers and waits for a payment run in progress. */
  stop(): Promise<void>;
}

/**
 * What runs in the background of every replica:
 * - rule 8: settle what is due and ask the provider about what waits, on an interval and at
 *   start-up. Leases in the payments table keep replicas from doing the same one twice;
 * - the session allowlist in Redis, cleared of revoked sessions at start, when Redis comes back
 *   (it is not believed until then: a restored snapshot may list sessions revoked since) and
 *   on an interval (a removal another replica could not make);
 * - retention: idempotency keys, ended sessions and webhook events past their time are deleted
 *   (RETENTION_*), at start and on an interval; every replica may run it, deleting is idempotent;
 * - mail: the outbox is sent on an interval (MAIL_WORKER_INTERVAL_MS, 1 s); leases on the rows
 *   keep replicas from taking one at the same time.
 */
export function startJobs(
  config: Config,
  orm: MikroORM,
  redis: RedisHandle,
  services: Services,
  recovery: PaymentRecovery,
  retention: RetentionRepository,
  mailWorker: MailWorker,
  readiness: Readiness,
  log: Logger,
): Jobs {
  let stopping = false;
  let jobRun: Promise<void> | undefined;
  const runPayments = () => {
    if (jobRun || !readiness.migrated) return;
    jobRun = (async () => {
      try {
        while ((await services.track(() => recovery.runDue(orm.em.fork()))) > 0 && !stopping);
      } catch (err) {
        log.error({ err }, 'payment job failed; it runs again on the next tick');
      } finally {
        jobRun = undefined;
      }
    })();
  };
  const jobTimer = setInterval(runPayments, config.payments.jobIntervalMs);
  jobTimer.unref();

  const resync = () => {
    if (!readiness.migrated || !redis.isUp()) return;
    services.auth.resyncRevocations(orm.em.fork()).catch((err: Error) => log.warn({ err: err.message }, 'revocation resync failed'));
  };
  redis.onReconnect(() => {
    services.auth.distrustAllowlist();
    resync();
  });
  const resyncTimer = setInterval(resync, REVOCATION_RESYNC_MS);
  resyncTimer.unref();

  let pruning: Promise<void> | undefined;
  const prune = () => {
    if (!readiness.migrated || pruning || stopping) return;
    pruning = retention
      .prune(orm.em.fork(), config.retention)
      .then((pruned) => {
        if (Object.values(pruned).some((n) => n > 0)) log.info({ pruned }, 'retention: old rows deleted');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'retention job failed; it runs again on the next tick'))
      .finally(() => (pruning = undefined));
  };
  const retentionTimer = setInterval(prune, config.retention.jobIntervalMs);
  retentionTimer.unref();

  const sendMail = () => {
    if (readiness.migrated && !stopping) void mailWorker.run();
  };
  const mailTimer = setInterval(sendMail, config.mail.workerIntervalMs);
  mailTimer.unref();

  return {
    migrated() {
      runPayments();
      resync();
      prune();
      sendMail();
    },
    async stop() {
      stopping = true;
      clearInterval(resyncTimer);
      clearInterval(retentionTimer);
      clearInterval(jobTimer);
      clearInterval(mailTimer);
      await Promise.all([jobRun, pruning, mailWorker.stop()]);
    },
  };
}
