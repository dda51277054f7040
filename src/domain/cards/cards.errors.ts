import { DomainError, ErrorCode, withField } from '../shared/error-codes.js';

export enum CardError {
  CardNotFound = 'CardNotFound',
  MalformedId = 'MalformedId',
  CardNotActive = 'CardNotActive',
  CardTerminated = 'CardTerminated',
  UnsupportedCurrency = 'UnsupportedCurrency',
  BillingAddressRequired = 'BillingAddressRequired',
  LabelTooLong = 'LabelTooLong',
  NotSandboxCard = 'NotSandboxCard',
  IssuerUnavailable = 'IssuerUnavailable',
  NonceRequired = 'NonceRequired',
  RevealUnsupported = 'RevealUnsupported',
  IssuerRefused = 'IssuerRefused',
}

const codes: { [key in CardError]: ErrorCode } = {
  [CardError.CardNotFound]: ErrorCode.NOT_FOUND,
  [CardError.MalformedId]: ErrorCode.BAD_USER_INPUT,
  [CardError.CardNotActive]: ErrorCode.CARD_NOT_ACTIVE,
  [CardError.CardTerminated]: ErrorCode.CARD_NOT_ACTIVE,
  [CardError.UnsupportedCurrency]: ErrorCode.UNSUPPORTED_CURRENCY,
  [CardError.BillingAddressRequired]: ErrorCode.BAD_USER_INPUT,
  [CardError.LabelTooLong]: ErrorCode.BAD_USER_INPUT,
  [CardError.NotSandboxCard]: ErrorCode.FORBIDDEN,
  [CardError.IssuerUnavailable]: ErrorCode.PROVIDER_UNAVAILABLE,
  [CardError.NonceRequired]: ErrorCode.BAD_USER_INPUT,
  // Permanent for this issuer: a retry cannot help, so not PROVIDER_UNAVAILABLE.
  [CardError.RevealUnsupported]: ErrorCode.BAD_USER_INPUT,
  [CardError.IssuerRefused]: ErrorCode.BAD_USER_INPUT,
};

/** The input each error is about. */
const fields: { [key in CardError]?: string } = {
  [CardError.CardNotFound]: 'cardId',
  [CardError.CardNotActive]: 'cardId',
  [CardError.CardTerminated]: 'cardId',
  [CardError.UnsupportedCurrency]: 'walletId',
  [CardError.BillingAddressRequired]: 'billingAddress',
  [CardError.LabelTooLong]: 'label',
  [CardError.NotSandboxCard]: 'cardId',
  [CardError.NonceRequired]: 'nonce',
  [CardError.RevealUnsupported]: 'cardId',
};

const messages: { [key in CardError]: string } = {
  [CardError.CardNotFound]: 'No such card',
  [CardError.MalformedId]: 'This is not an id: ids are UUIDs (see extensions.field)',
  [CardError.CardNotActive]: 'The card is not active',
  [CardError.CardTerminated]: 'The card is terminated and can never be used again',
  [CardError.UnsupportedCurrency]: 'The card issuer cannot issue cards in this currency',
  [CardError.BillingAddressRequired]: 'This card issuer needs a billing address',
  [CardError.LabelTooLong]: 'Labels can be at most 64 characters long',
  [CardError.NotSandboxCard]: 'Only cards the sandbox issued can be charged by simulateCardPurchase',
  [CardError.IssuerUnavailable]: 'The card issuer could not be reached; nothing changed, try again',
  [CardError.NonceRequired]: 'This card issuer shows card details through Stripe.js: pass the nonce it created',
  [CardError.RevealUnsupported]: "This card's issuer offers no short-lived page to show its details",
  [CardError.IssuerRefused]: 'The card issuer refused the request; check the details (see extensions.issuerMessage)',
};

export class CardException extends DomainError<CardError> {
  readonly code: ErrorCode;

  constructor(error: CardError, extensions?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(error, messages[error], withField(fields[error], extensions), options);
    this.code = codes[error];
  }
}
