import { createHash, createHmac, randomBytes } from 'node:crypto';
import { CURRENCY_CODES } from '../../config/currencies.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { CardIssuer, CardReveal, IssueCardInput, IssuedCard, IssuerCardStatus } from '../card-issuer.js';
import { luhnDigit } from './luhn.js';

const REVEAL_TTL_SECONDS = 120;
/** The sandbox issues cards in every currency of the platform. */
const CURRENCIES: string[] = CURRENCY_CODES;

/**
 * The built-in issuer, offline. A card's full number is never stored: it is derived on
 * demand from a server secret and the card's id (Luhn-valid, VISA test BIN), and shown only on
 * a one-time reveal page. Authorizations come from simulateCardPurchase, through the same path
 * a real issuer's webhooks take.
 */
export class SandboxIssuer implements CardIssuer {
  readonly name = 'sandbox' as const;
  readonly requires = { billingAddress: false, revealNonce: false } as const;

  constructor(
    private readonly orm: MikroORM,
    private readonly settings: { publicUrl: string; secret: Buffer },
  ) {}

  currencies(): readonly string[] {
    return CURRENCIES;
  }

  async issue(input: IssueCardInput): Promise<IssuedCard> {
    const pan = this.number(input.cardId);
    const now = new Date();
    return {
      issuerCardId: `sbx_card_${input.cardId.replace(/-/g, '')}`,
      brand: 'VISA',
      last4: pan.slice(-4),
      expMonth: now.getUTCMonth() + 1,
      expYear: now.getUTCFullYear() + 3,
    };
  }

  async setStatus(_issuerCardId: string, _status: IssuerCardStatus): Promise<void> {
    // The sandbox keeps no state of its own: our card row is the issuer's record.
  }

  async reveal(card: { id: string }): Promise<CardReveal> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + REVEAL_TTL_SECONDS * 1000);
    await this.orm.em
      .fork()
      .execute('insert into card_reveal_tokens (token_hash, card_id, expires_at) values (?, ?, ?)', [hash(token), card.id, expiresAt]);
    return { url: `${this.settings.publicUrl}/sandbox/cards/${token}`, expiresAt };
  }

  /** Spends a reveal token (once, before it expires): the card's details, or null. */
  async redeem(token: string): Promise<{ cardId: string; number: string; cvv: string } | null> {
    const [row] = await this.orm.em.fork().execute<{ card_id: string }[]>(
      `update card_reveal_tokens set used_at = now() where token_hash = ? and used_at is null and expires_at > now()
       returning card_id`,
      [hash(token)],
    );
    if (!row) return null;
    return { cardId: row.card_id, number: this.number(row.card_id), cvv: this.cvv(row.card_id) };
  }

  /** 16 digits: the VISA test BIN 400000, nine digits from the secret and id, a Luhn digit. */
  private number(cardId: string): string {
    const mac = createHmac('sha256', this.settings.secret).update(`pan:${cardId}`).digest();
    const body = `400000${BigInt(`0x${mac.subarray(0, 8).toString('hex')}`)
      .toString()
      .slice(-9)
      .padStart(9, '0')}`;
    return body + luhnDigit(body);
  }

  private cvv(cardId: string): string {
    const mac = createHmac('sha256', this.settings.secret).update(`cvv:${cardId}`).digest();
    return String(mac.readUInt16BE(0) % 1000).padStart(3, '0');
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
