import { ProviderError, type PaymentProvider } from '../../providers/payment-provider.js';
import { PaymentError, PaymentException } from './payments.errors.js';

/** The banks a payout can go to, and the name on an account: both asked of the payment provider. */
export class BankAccounts {
  constructor(private readonly provider: PaymentProvider) {}

  async list(currency: string) {
    try {
      return await this.provider.listBanks(currency);
    } catch (err) {
      throw providerFailure(err);
    }
  }

  /** The account holder's name; refuses an account number of the wrong shape or a bank unknown in `currency`. */
  async resolve(bankCode: string, accountNumber: string, currency?: string): Promise<string> {
    if (!/^\d{10}$/.test(accountNumber)) throw new PaymentException(PaymentError.InvalidBankAccount);
    let name: string | null;
    try {
      if (currency && !(await this.provider.listBanks(currency)).some((b) => b.code === bankCode)) {
        throw new PaymentException(PaymentError.UnknownBank);
      }
      name = await this.provider.resolveAccount(bankCode, accountNumber);
    } catch (err) {
      throw providerFailure(err);
    }
    if (!name) throw new PaymentException(PaymentError.InvalidBankAccount);
    return name;
  }
}

/** The provider failing is PROVIDER_UNAVAILABLE; our own refusals (and our bugs) pass on as they are. */
function providerFailure(err: unknown): Error {
  if (err instanceof ProviderError) return new PaymentException(PaymentError.ProviderUnavailable, { cause: err });
  return err as Error;
}
