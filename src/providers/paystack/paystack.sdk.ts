import Paystack from 'paystack-sdk';
import type { PaystackHttpClient } from './paystack.http.js';

/** The paystack-sdk modules this provider uses, each running the SDK's own code over our client. */
export type PaystackModules = Pick<Paystack, 'transaction' | 'transfer' | 'recipient' | 'verification' | 'misc'>;

const MODULES = ['transaction', 'transfer', 'recipient', 'verification', 'misc'] as const;

/**
 * paystack-sdk 4.2.1 exports only its root (`exports: { ".": ... }`), so its module classes
 * cannot be imported by path. One throwaway instance hands them over (constructing it only
 * builds the SDK's unused client, no request), and each is rebuilt around our client: the
 * modules take their `http` in the constructor.
 */
export function paystackModules(http: PaystackHttpClient): PaystackModules {
  const template = new Paystack('sk_unused');
  const rebuild = <K extends keyof PaystackModules>(name: K): PaystackModules[K] => {
    const Module = template[name].constructor as new (client: PaystackHttpClient) => PaystackModules[K];
    return new Module(http);
  };
  const modules = {} as { [K in keyof PaystackModules]: PaystackModules[K] };
  for (const name of MODULES) (modules as Record<string, unknown>)[name] = rebuild(name);
  return modules;
}
