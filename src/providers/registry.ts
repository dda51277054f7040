import type { MikroORM } from '@mikro-orm/postgresql';
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
