import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CardIssuer, CardIssuerName } from './card-issuer.js';
import { SandboxIssuer } from './sandbox/sandbox.issuer.js';
import type { Config } from '../config/config.js';
import type { PaymentProvider, PaymentProviderName } from './payment-provider.js';
import { PaystackProvider } from './paystack/paystack.provider.js';
import { SandboxProvider } from './sandbox/sandbox.provider.js';

/** The payment provider chosen by PAYMENT_PROVIDER; its webhooks are the ones we accept. */
export function createPaymentProvider(config: Config, orm: MikroORM): PaymentProvider {
  const builders: { [key in PaymentProviderName]: () => PaymentProvider } = {
    sandbox: () => {
      if (config.isProduction) throw new Error('The sandbox payment provider refuses to run in production');
      return new SandboxProvider(orm, { publicUrl: config.http.publicUrl, payoutDelayMs: config.payments.sandboxPayoutDelayMs });
    },
    paystack: () =>
      new PaystackProvider({
        secretKey: config.payments.paystack.secretKey!,
        baseUrl: config.payments.paystack.baseUrl,
        timeoutMs: config.payments.providerTimeoutMs,
      }),
  };
  return builders[config.payments.provider]();
}

/**
 * The card issuer chosen by CARD_ISSUER. The sandbox derives card numbers from a secret kept
 * in DATA_DIR (or SANDBOX_CARD_SECRET), so a card shows the same number after restarts.
 * The other issuers' modules (and their SDKs) are loaded only when chosen: a faster start.
 */
export async function createCardIssuer(config: Config, orm: MikroORM, log: { info(msg: string): void }): Promise<CardIssuer> {
  const builders: { [key in CardIssuerName]: () => Promise<CardIssuer> } = {
    sandbox: async () => {
      if (config.isProduction) throw new Error('The sandbox card issuer refuses to run in production');
      return new SandboxIssuer(orm, { publicUrl: config.http.publicUrl, secret: await sandboxSecret(config, log) });
    },
    stripe: async () => {
      const { StripeIssuer } = await import('./stripe/stripe.issuer.js');
      return new StripeIssuer({
        secretKey: config.cards.stripe.secretKey!,
        webhookSecret: config.cards.stripe.webhookSecret!,
        apiUrl: config.cards.stripe.apiUrl,
        timeoutMs: config.payments.providerTimeoutMs,
      });
    },
    flutterwave: async () => {
      const { FlutterwaveIssuer } = await import('./flutterwave/flutterwave.issuer.js');
      return new FlutterwaveIssuer({
        secretKey: config.cards.flutterwave.secretKey!,
        secretHash: config.cards.flutterwave.secretHash!,
        baseUrl: config.cards.flutterwave.baseUrl,
        timeoutMs: config.payments.providerTimeoutMs,
      });
    },
  };
  return builders[config.cards.issuer]();
}

async function sandboxSecret(config: Config, log: { info(msg: string): void }): Promise<Buffer> {
  if (config.cards.sandboxSecret) return Buffer.from(config.cards.sandboxSecret);
  const file = path.join(config.dataDir, 'sandbox-card-secret');
  const existing = await readFile(file).catch(() => undefined);
  if (existing && existing.length >= 32) return existing;
  const secret = randomBytes(32);
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, secret, { mode: 0o600 });
  log.info(`Generated the sandbox card secret in ${file} (development only)`);
  return secret;
}
