import type { Metrics, ProviderOutcome } from '../http/metrics.js';
import type { CardIssuer } from '../providers/card-issuer.js';
import { ProviderError, type PaymentProvider } from '../providers/payment-provider.js';

/** The calls that go to a provider (the others parse or list what is configured). */
const PAYMENT_CALLS = ['initializeDeposit', 'verifyDeposit', 'listBanks', 'resolveAccount', 'payout', 'checkPayout'] as const;
const ISSUER_CALLS = ['issue', 'setStatus', 'reveal', 'fund', 'withdraw'] as const;

function outcomeOf(err: unknown): ProviderOutcome {
  if (err instanceof ProviderError) return err.definite ? 'refused' : 'unavailable';
  return 'error';
}

/**
 * The adapter as it is, each call to its provider timed and counted in `provider_calls_total` /
 * `provider_call_duration_seconds` (by provider, operation, outcome). Every adapter is covered
 * alike (the SDK-based ones and the sandbox too), without touching their code. The object is a
 * Proxy over the adapter: `instanceof` and every other property answer as the adapter's, and
 * methods run with the adapter itself as `this`.
 */
function observed<T extends object>(adapter: T, provider: string, calls: readonly string[], metrics: Metrics): T {
  // By the function itself, not its name: a method replaced on the adapter later (as tests do)
  // is wrapped afresh rather than answered by the wrapper of the one it replaced.
  const wrapped = new WeakMap<object, unknown>();
  return new Proxy(adapter, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      let fn = wrapped.get(method);
      if (fn) return fn;
      if (typeof key === 'string' && calls.includes(key)) {
        fn = async (...args: unknown[]) => {
          const started = process.hrtime.bigint();
          const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
          try {
            const result = await method.apply(target, args);
            metrics.observeProviderCall(provider, key, 'ok', seconds());
            return result;
          } catch (err) {
            metrics.observeProviderCall(provider, key, outcomeOf(err), seconds());
            throw err;
          }
        };
      } else {
        fn = method.bind(target);
      }
      wrapped.set(method, fn);
      return fn;
    },
  });
}

export function observePaymentProvider(provider: PaymentProvider, metrics: Metrics): PaymentProvider {
  return observed(provider, provider.name, PAYMENT_CALLS, metrics);
}

export function observeCardIssuer(issuer: CardIssuer, metrics: Metrics): CardIssuer {
  return observed(issuer, issuer.name, ISSUER_CALLS, metrics);
}
