/**
 * A local fake of Paystack's REST API for tests of the real adapter code (issue 3).
 *
 * Follows /work/shared/providers/paystack-openapi.yaml for: POST /transaction/initialize,
 * GET /transaction/verify/{reference}, GET /bank (currency filter), GET /bank/resolve,
 * POST /transferrecipient (an account it already knows returns the existing recipient),
 * POST /transfer and GET /transfer/verify/{reference}; bodies `{status: true, message, data}`,
 * errors `{status: false, message}` (401 "Invalid key" without the Bearer secret key, 404 for
 * unknown references, TransactionInitializeBadRequestModel for a duplicate transaction
 * reference). From Paystack's guides rather than the file: a reused transfer reference is
 * refused with 400 and pays nothing; unpaid checkouts verify as "abandoned"; "Could not
 * resolve account name" is a 422; webhooks are `{event, data}` signed with hex HMAC-SHA512 of
 * the raw body in `x-paystack-signature`, and no event is sent for a declined charge.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routePaystack } from './paystack-routes.js';
import {
  DEFAULT_BANKS,
  cardFee,
  recipientObject,
  transactionObject,
  transferObject,
  type FakeBank,
  type FakeRecipient,
  type FakeTransaction,
  type FakeTransfer,
} from './paystack-objects.js';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
  /** Requests this fake had received and not yet answered when this one arrived. */
  othersInFlight: number;
}

export interface WebhookDelivery {
  status: number;
  body: string;
}

interface Injection {
  method?: string;
  path: string;
  status?: number;
  body?: unknown;
  afterProcessing?: boolean;
  delayMs?: number;
}

export interface FakePaystackOptions {
  secretKey?: string;
  /** When set, pay() and settleTransfer() deliver their webhook here. */
  webhookUrl?: string;
}

export class FakePaystack {
  readonly secretKey: string;
  webhookUrl: string | undefined;
  url = '';
  readonly requests: LoggedRequest[] = [];
  readonly transactions = new Map<string, FakeTransaction>();
  readonly recipients = new Map<string, FakeRecipient>();
  readonly transfers = new Map<string, FakeTransfer>();
  readonly banks: FakeBank[] = [];
  /** Accounts the banks do not know: resolve says so, recipient creation refuses them. */
  readonly unresolvable = new Set(['0000000000']);
  readonly accountNames = new Map<string, string>();
  /** Paystack balance per currency in subunits; a transfer above it is refused. */
  readonly balances = new Map<string, number>();
  private nextId = 1000;
  private injections: Injection[] = [];
  /** Requests received and not yet answered (LoggedRequest.othersInFlight). */
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;

  private constructor(options: FakePaystackOptions) {
    this.secretKey = options.secretKey ?? `sk_test_${randomBytes(16).toString('hex')}`;
    this.webhookUrl = options.webhookUrl;
    this.reset();
  }

  static async start(options: FakePaystackOptions = {}): Promise<FakePaystack> {
    const fake = new FakePaystack(options);
    const server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Back to the starting state: no payments, default banks and balances, empty request log. */
  reset(): void {
    this.requests.length = 0;
    this.transactions.clear();
    this.recipients.clear();
    this.transfers.clear();
    this.injections = [];
    this.banks.splice(0, this.banks.length, ...DEFAULT_BANKS.map((b) => ({ ...b })));
    this.unresolvable.clear();
    this.unresolvable.add('0000000000');
    this.accountNames.clear();
    this.balances.clear();
    for (const currency of ['NGN', 'GHS', 'ZAR', 'KES']) this.balances.set(currency, 10_000_000_000);
  }

  newId(): number {
    return ++this.nextId;
  }

  /**
   * The next request matching `target` ("/transfer", "POST /transfer", or a prefix ending in
   * "*") gets `status`. By default nothing happens before the failure; `afterProcessing`
   * makes the fake act first and then answer the failure, like a 5xx after the money moved.
   */
  failNext(target: string, status: number, options: { body?: unknown; afterProcessing?: boolean } = {}): void {
    this.injections.push({ ...parseTarget(target), status, ...options });
  }

  /** The next request matching `target` is processed at once but answered only after `ms`. */
  delayNext(target: string, ms: number): void {
    this.injections.push({ ...parseTarget(target), delayMs: ms });
  }

  /** Logged requests to `path`, or to any path under it when it ends in "*". */
  requestsTo(method: string, path: string): LoggedRequest[] {
    const matches = path.endsWith('*') ? (p: string) => p.startsWith(path.slice(0, -1)) : (p: string) => p === path;
    return this.requests.filter((r) => r.method === method && matches(r.path));
  }

  bankName(code: string): string {
    return this.banks.find((b) => b.code === code)?.name ?? 'Unknown Bank';
  }

  /** The customer paid: verify says success (with `amount` to fake a mismatch); charge.success follows. */
  async pay(
    reference: string,
    options: { amount?: number | bigint; currency?: string; fees?: number | bigint } = {},
  ): Promise<{ data: ReturnType<typeof transactionObject>; webhook?: WebhookDelivery }> {
    const t = this.transaction(reference);
    if (options.amount !== undefined) t.amount = Number(options.amount);
    if (options.currency) t.currency = options.currency;
    t.status = 'success';
    t.gatewayResponse = 'Successful';
    t.paidAt = new Date().toISOString();
    t.fees = options.fees !== undefined ? Number(options.fees) : cardFee(t.amount);
    const data = transactionObject(t);
    const webhook = this.webhookUrl ? await this.sendWebhook(this.webhookUrl, 'charge.success', data) : undefined;
    return { data, webhook };
  }

  /** The card was declined: verify says failed. Paystack sends no webhook for this. */
  decline(reference: string): ReturnType<typeof transactionObject> {
    const t = this.transaction(reference);
    t.status = 'failed';
    t.gatewayResponse = 'Declined';
    return transactionObject(t);
  }

  /** The bank's answer on a transfer; failed and reversed return the money to the balance. */
  async settleTransfer(
    reference: string,
    outcome: 'success' | 'failed' | 'reversed',
  ): Promise<{ data: ReturnType<typeof transferObject>; webhook?: WebhookDelivery }> {
    const t = this.transfers.get(reference);
    if (!t) throw new Error(`fake Paystack: no transfer ${reference}`);
    if (outcome !== 'success' && t.status !== 'failed' && t.status !== 'reversed') {
      this.balances.set(t.currency, (this.balances.get(t.currency) ?? 0) + t.amount);
    }
    t.status = outcome;
    t.updatedAt = new Date().toISOString();
    if (outcome === 'success') t.transferredAt = t.updatedAt;
    const data = this.transferWithRecipient(t);
    const webhook = this.webhookUrl ? await this.sendWebhook(this.webhookUrl, `transfer.${outcome}`, data) : undefined;
    return { data, webhook };
  }

  transferWithRecipient(t: FakeTransfer): ReturnType<typeof transferObject> {
    return transferObject(t, recipientObject(t.recipient, this.bankName(t.recipient.bankCode)));
  }

  sign(rawBody: string): string {
    return createHmac('sha512', this.secretKey).update(rawBody).digest('hex');
  }

  /** POSTs `{event, data}` as Paystack does; `signature: null` leaves the header out. */
  async sendWebhook(
    url: string,
    event: string,
    data: unknown,
    options: { signature?: string | null } = {},
  ): Promise<WebhookDelivery> {
    const body = JSON.stringify({ event, data });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = options.signature === undefined ? this.sign(body) : options.signature;
    if (signature !== null) headers['x-paystack-signature'] = signature;
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text() };
  }

  private transaction(reference: string): FakeTransaction {
    const t = this.transactions.get(reference);
    if (!t) throw new Error(`fake Paystack: no transaction ${reference}`);
    return t;
  }

  private takeInjection(method: string, path: string): Injection | undefined {
    const i = this.injections.findIndex(
      (x) =>
        (!x.method || x.method === method) &&
        (x.path.endsWith('*') ? path.startsWith(x.path.slice(0, -1)) : x.path === path),
    );
    return i < 0 ? undefined : this.injections.splice(i, 1)[0];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const entry: LoggedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseBody(raw, req.headers['content-type']),
      authorization: req.headers.authorization,
      othersInFlight: this.inFlight,
    };
    this.requests.push(entry);
    this.inFlight += 1;
    res.on('close', () => (this.inFlight -= 1));
    const send = (status: number, body: unknown, type = 'application/json; charset=utf-8') => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (method === 'GET' && url.pathname.startsWith('/checkout/')) {
      const t = [...this.transactions.values()].find((x) => `/checkout/${x.accessCode}` === url.pathname);
      return t
        ? send(200, `<!doctype html><title>Paystack checkout</title><p>${t.currency} ${t.amount} for ${t.reference}</p>`, 'text/html')
        : send(404, 'Not found', 'text/plain');
    }
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) return send(401, { status: false, message: 'Invalid key' });

    const injection = this.takeInjection(method, url.pathname);
    if (injection?.status !== undefined && !injection.afterProcessing) {
      return send(injection.status, injection.body ?? { status: false, message: 'Internal server error' });
    }
    let [status, body] = routePaystack(this, method, url.pathname, entry.query, entry.body);
    if (injection?.status !== undefined) {
      [status, body] = [injection.status, injection.body ?? { status: false, message: 'Internal server error' }];
    }
    if (injection?.delayMs) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send(status, body);
      }, injection.delayMs);
      this.timers.add(timer);
      return;
    }
    send(status, body);
  }
}

function parseTarget(target: string): { method?: string; path: string } {
  const m = /^(GET|POST|PUT|PATCH|DELETE)\s+(\S+)$/.exec(target.trim());
  return m ? { method: m[1], path: m[2] } : { path: target.trim() };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The OpenAPI file accepts JSON and form bodies alike. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
