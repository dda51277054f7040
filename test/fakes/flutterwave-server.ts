/**
 * A local fake of Flutterwave's virtual-cards REST API (v3) for tests of the real adapter code.
 *
 * Flutterwave publishes no machine-readable spec: this follows its public virtual-cards and
 * webhooks reference as we know it, not a file we could check against:
 *   POST /virtual-cards {currency, amount, billing_name, ...}   -> card (with card_pan and cvv)
 *   GET  /virtual-cards/:id
 *   POST /virtual-cards/:id/fund {amount, debit_currency}
 *   POST /virtual-cards/:id/withdraw {amount}
 *   PUT  /virtual-cards/:id/status/block | /status/unblock
 *   PUT  /virtual-cards/:id/terminate
 *   GET  /virtual-cards/:id/transactions
 * Answers are `{status: 'success', message, data}`, refusals `{status: 'error', message, data:
 * null}` (401 without the Bearer secret key, 404 for unknown cards, 400 for a short balance or
 * a card that is not active). Amounts are decimal major units. Webhooks carry the dashboard's
 * secret hash verbatim in `verif-hash`; card transactions are `{event: 'card.transaction',
 * data: {id, card_id, amount, currency, type: 'debit'|'credit', status, merchant_name, ...}}`.
 *
 * State is in memory: each card has its own balance (fund takes it from our Flutterwave
 * balance, withdraw and termination put it back, a purchase spends it; declined when short or
 * blocked, as Flutterwave decides on its own card balance).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFlwCard {
  id: string;
  currency: string;
  /** Minor units. */
  balance: bigint;
  status: 'active' | 'blocked' | 'terminated';
  pan: string;
  cvv: string;
  expiration: string;
  nameOnCard: string;
  transactions: FakeFlwTransaction[];
}

export interface FakeFlwTransaction {
  id: number;
  cardId: string;
  amount: bigint;
  currency: string;
  type: 'debit' | 'credit';
  status: 'successful' | 'failed';
  product: string;
  narration: string;
  merchantName?: string;
  createdAt: string;
}

export interface LoggedFlwRequest {
  method: string;
  path: string;
  body: unknown;
  rawBody: string;
  authorization: string | undefined;
}

interface Injection {
  method?: string;
  path: RegExp;
  status?: number;
  body?: unknown;
  delayMs?: number;
  /** Let the request change state first, then answer with the injected failure. */
  afterProcessing?: boolean;
  times: number;
}

export interface WebhookDelivery {
  status: number;
  body: string;
  payload: unknown;
}

const EXP = 2; // USD and NGN

function major(minor: bigint): string {
  const d = minor.toString().padStart(EXP + 1, '0');
  return `${d.slice(0, -EXP)}.${d.slice(-EXP)}`;
}

/** A JSON number or numeric string in major units to minor units, exactly; null if unreadable. */
function minor(value: unknown): bigint | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0') : null;
}

function luhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

export class FakeFlutterwave {
  readonly secretKey: string;
  readonly secretHash: string;
  webhookUrl: string | undefined;
  url = '';
  readonly requests: LoggedFlwRequest[] = [];
  readonly cards = new Map<string, FakeFlwCard>();
  /** Our Flutterwave account balance per currency (minor units): funding takes from it. */
  readonly balances = new Map<string, bigint>();
  /** Every full number and CVV this fake handed out (for tests that scan for leaks). */
  readonly handedOut: string[] = [];
  /** When set, create answers with this much already on the card (an enforced minimum). */
  createMinimum: bigint | null = null;
  private nextTx = 5000;
  private injections: Injection[] = [];
  private server: Server | undefined;

  private constructor(options: { secretKey?: string; secretHash?: string; webhookUrl?: string }) {
    this.secretKey = options.secretKey ?? `FLWSECK_TEST-${randomBytes(16).toString('hex')}-X`;
    this.secretHash = options.secretHash ?? randomBytes(16).toString('hex');
    this.webhookUrl = options.webhookUrl;
    this.reset();
  }

  static async start(options: { secretKey?: string; secretHash?: string; webhookUrl?: string } = {}): Promise<FakeFlutterwave> {
    const fake = new FakeFlutterwave(options);
    const server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
    return fake;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.cards.clear();
    this.injections = [];
    this.createMinimum = null;
    this.balances.clear();
    this.balances.set('USD', 100_000_000n);
    this.balances.set('NGN', 100_000_000_000n);
  }

  /** The next `times` requests matching answer `status` with `body` (or hang `delayMs` first). */
  fail(
    path: RegExp,
    opts: { method?: string; status?: number; body?: unknown; delayMs?: number; afterProcessing?: boolean; times?: number } = {},
  ): void {
    this.injections.push({ path, times: opts.times ?? 1, ...opts });
  }

  /** The settings that make a server issue its cards at this fake. */
  serverEnv(timeoutMs: number): Record<string, string> {
    return {
      CARD_ISSUER: 'flutterwave',
      FLUTTERWAVE_SECRET_KEY: this.secretKey,
      FLUTTERWAVE_SECRET_HASH: this.secretHash,
      FLUTTERWAVE_BASE_URL: this.url,
      PROVIDER_TIMEOUT_MS: String(timeoutMs),
    };
  }

  balanceOf(cardId: string): bigint {
    return this.cards.get(cardId)?.balance ?? 0n;
  }

  /**
   * A merchant charges the card. Flutterwave decides on its own balance and status: approved
   * purchases spend it. The card.transaction webhook is delivered when webhookUrl is set.
   */
  async spend(cardId: string, amount: bigint, merchantName = 'Test merchant'): Promise<{ transaction: FakeFlwTransaction; delivery?: WebhookDelivery }> {
    const card = this.cards.get(cardId);
    if (!card) throw new Error(`no such fake card ${cardId}`);
    const ok = card.status === 'active' && card.balance >= amount;
    if (ok) card.balance -= amount;
    const tx = this.record(card, amount, 'debit', ok ? 'successful' : 'failed', 'Card purchase', merchantName, merchantName);
    return { transaction: tx, delivery: this.webhookUrl ? await this.deliver(this.eventFor(tx)) : undefined };
  }

  /** A merchant refunds onto the card. */
  async refund(cardId: string, amount: bigint, merchantName = 'Test merchant'): Promise<{ transaction: FakeFlwTransaction; delivery?: WebhookDelivery }> {
    const card = this.cards.get(cardId);
    if (!card) throw new Error(`no such fake card ${cardId}`);
    card.balance += amount;
    const tx = this.record(card, amount, 'credit', 'successful', 'Card refund', `Refund from ${merchantName}`, merchantName);
    return { transaction: tx, delivery: this.webhookUrl ? await this.deliver(this.eventFor(tx)) : undefined };
  }

  /** The webhook payload Flutterwave sends for a card transaction. */
  eventFor(tx: FakeFlwTransaction): Record<string, unknown> {
    return {
      event: 'card.transaction',
      data: {
        id: tx.id,
        card_id: tx.cardId,
        amount: Number(major(tx.amount)),
        currency: tx.currency,
        type: tx.type,
        status: tx.status,
        product: tx.product,
        narration: tx.narration,
        merchant_name: tx.merchantName ?? null,
        created_at: tx.createdAt,
      },
    };
  }

  /** POSTs a webhook with verif-hash (the right one unless `hash` says otherwise; null: none). */
  async deliver(payload: unknown, opts: { hash?: string | null; url?: string } = {}): Promise<WebhookDelivery> {
    const url = opts.url ?? this.webhookUrl;
    if (!url) throw new Error('no webhook URL');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const hash = opts.hash === undefined ? this.secretHash : opts.hash;
    if (hash !== null) headers['verif-hash'] = hash;
    const res = await fetch(url, { method: 'POST', headers, body: typeof payload === 'string' ? payload : JSON.stringify(payload) });
    return { status: res.status, body: await res.text(), payload };
  }

  private record(
    card: FakeFlwCard,
    amount: bigint,
    type: 'debit' | 'credit',
    status: 'successful' | 'failed',
    product: string,
    narration: string,
    merchantName?: string,
  ): FakeFlwTransaction {
    const tx: FakeFlwTransaction = {
      id: ++this.nextTx,
      cardId: card.id,
      amount,
      currency: card.currency,
      type,
      status,
      product,
      narration,
      merchantName,
      createdAt: new Date().toISOString(),
    };
    card.transactions.push(tx);
    return tx;
  }

  private cardObject(card: FakeFlwCard): Record<string, unknown> {
    return {
      id: card.id,
      account_id: 118468,
      amount: major(card.balance),
      currency: card.currency,
      card_hash: card.id,
      card_pan: card.pan,
      masked_pan: `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`,
      city: 'Lekki',
      state: 'Lagos',
      address_1: '19, Olubunmi Rotimi',
      zip_code: '105102',
      cvv: card.cvv,
      expiration: card.expiration,
      send_to: null,
      bin_check_name: null,
      card_type: 'mastercard',
      name_on_card: card.nameOnCard,
      created_at: new Date().toISOString(),
      is_active: card.status === 'active',
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    this.requests.push({ method, path, body, rawBody, authorization: req.headers.authorization });
    const send = (status: number, payload: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };

    const injection = this.injections.find((i) => i.times > 0 && (!i.method || i.method === method) && i.path.test(path));
    if (injection) {
      injection.times--;
      if (injection.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
      if (!injection.afterProcessing) {
        if (injection.status) return send(injection.status, injection.body ?? { status: 'error', message: 'Injected failure', data: null });
        if (injection.delayMs) return send(500, { status: 'error', message: 'Too late', data: null });
      }
    }
    const answer = this.route(method, path, req.headers.authorization, body);
    if (injection?.afterProcessing && injection.status) {
      return send(injection.status, injection.body ?? { status: 'error', message: 'Injected failure', data: null });
    }
    send(answer.status, answer.body);
  }

  private route(method: string, path: string, authorization: string | undefined, body: unknown): { status: number; body: unknown } {
    const ok = (message: string, data: unknown) => ({ status: 200, body: { status: 'success', message, data } });
    const err = (status: number, message: string) => ({ status, body: { status: 'error', message, data: null } });
    if (authorization !== `Bearer ${this.secretKey}`) return err(401, 'Invalid authorization key');
    const m = /^\/v3\/virtual-cards(?:\/([^/]+)(?:\/(fund|withdraw|terminate|transactions|status\/block|status\/unblock))?)?$/.exec(path);
    if (!m) return err(404, 'Route not found');
    const [, rawId, action] = m;
    const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;

    if (!rawId) {
      if (method !== 'POST') return err(405, 'Method not allowed');
      const currency = String(input.currency ?? '');
      if (!['USD', 'NGN'].includes(currency)) return err(400, 'Invalid currency');
      const amount = minor(input.amount);
      if (amount === null) return err(400, 'amount is required');
      if (!input.billing_name) return err(400, 'billing_name is required');
      const opening = amount > (this.createMinimum ?? 0n) ? amount : (this.createMinimum ?? 0n);
      const wallet = this.balances.get(currency) ?? 0n;
      if (wallet < opening) return err(400, 'Insufficient balance in your wallet');
      this.balances.set(currency, wallet - opening);
      const pan = luhn(`553188${String(Date.now() + this.cards.size).slice(-9).padStart(9, '0')}`);
      const cvv = String(100 + (this.cards.size % 900));
      const id = randomUUID();
      const exp = new Date();
      const card: FakeFlwCard = {
        id,
        currency,
        balance: opening,
        status: 'active',
        pan,
        cvv,
        expiration: `${exp.getUTCFullYear() + 3}-${String(exp.getUTCMonth() + 1).padStart(2, '0')}`,
        nameOnCard: String(input.billing_name),
        transactions: [],
      };
      this.handedOut.push(pan, cvv);
      this.cards.set(id, card);
      return ok('Card created successfully', this.cardObject(card));
    }

    const card = this.cards.get(decodeURIComponent(rawId));
    if (!card) return err(404, 'Card not found');
    if (!action) return method === 'GET' ? ok('Card fetched successfully', this.cardObject(card)) : err(405, 'Method not allowed');
    if (action === 'transactions') {
      if (method !== 'GET') return err(405, 'Method not allowed');
      return ok(
        'Card transactions fetched successfully',
        card.transactions.map((t) => ({
          id: t.id,
          amount: Number(major(t.amount)),
          fee: 0,
          product: t.product,
          gateway_reference: `flw-${t.id}`,
          reference: `ref-${t.id}`,
          currency: t.currency,
          indicator: t.type === 'debit' ? 'D' : 'C',
          status: t.status === 'successful' ? 'Successful' : 'Failed',
          narration: t.narration,
          created_at: t.createdAt,
        })),
      );
    }
    if (action === 'fund' || action === 'withdraw') {
      if (method !== 'POST') return err(405, 'Method not allowed');
      const amount = minor(input.amount);
      if (amount === null || amount <= 0n) return err(400, 'amount must be a positive number');
      if (card.status === 'terminated') return err(400, 'This card has been terminated');
      const wallet = this.balances.get(card.currency) ?? 0n;
      if (action === 'fund') {
        if (input.debit_currency && input.debit_currency !== card.currency) return err(400, 'debit_currency must match the card currency');
        if (wallet < amount) return err(400, 'Insufficient balance in your wallet');
        this.balances.set(card.currency, wallet - amount);
        card.balance += amount;
        this.record(card, amount, 'credit', 'successful', 'Card Funding', 'Funding of card');
        return ok('Card funded successfully', null);
      }
      if (card.balance < amount) return err(400, 'Insufficient card balance');
      card.balance -= amount;
      this.balances.set(card.currency, wallet + amount);
      this.record(card, amount, 'debit', 'successful', 'Card Withdrawal', 'Withdrawal from card');
      return ok('Card withdrawal successful', null);
    }
    if (method !== 'PUT') return err(405, 'Method not allowed');
    if (card.status === 'terminated') return err(400, 'This card has been terminated');
    if (action === 'terminate') {
      // Whatever is left goes back to our Flutterwave balance.
      this.balances.set(card.currency, (this.balances.get(card.currency) ?? 0n) + card.balance);
      card.balance = 0n;
      card.status = 'terminated';
      return ok('Card terminated successfully', null);
    }
    card.status = action === 'status/block' ? 'blocked' : 'active';
    return ok(`Card ${action === 'status/block' ? 'blocked' : 'unblocked'} successfully`, null);
  }
}
