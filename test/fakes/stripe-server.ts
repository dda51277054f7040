/**
 * A local fake of the parts of Stripe's API the Stripe Issuing adapter uses, for tests of the
 * real `stripe` SDK code (issue 4).
 *
 * Objects come from Stripe's own example objects (stripe-issuing-fixtures.json beside this
 * file, copied from /work/shared/providers, from stripe/openapi fixtures3.json) with our
 * values laid over them. Endpoints: GET/POST /v1/issuing/cardholders, POST /v1/issuing/cards,
 * POST /v1/issuing/cards/:id, POST /v1/ephemeral_keys. Like Stripe: form-encoded bodies
 * (`a[b][c]=v`), `Authorization: Bearer <secret key>` or 401, errors as
 * `{error: {type, code?, message, param?}}`, `Idempotency-Key` replays the first answer (with
 * `Idempotent-Replayed: true`) and refuses other parameters under the same key, canceled cards
 * cannot change status, ephemeral keys need `Stripe-Version`. Webhooks are event envelopes
 * signed in `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, any>;

const FIXTURES = JSON.parse(readFileSync(new URL('./stripe-issuing-fixtures.json', import.meta.url), 'utf8')).resources as Record<string, Obj>;
const clone = <T>(v: T): T => structuredClone(v);
const API_VERSION = '2026-10-28.endive';

export interface StripeRequest {
  method: string;
  path: string;
  body: Obj;
  headers: IncomingMessage['headers'];
}

interface Injection {
  method?: string;
  path: string;
  status?: number;
  delayMs?: number;
}

/** Stripe's form encoding back into an object: `billing[address][line1]=x`, `expand[0]=y`. */
export function decodeForm(text: string): Obj {
  const out: Obj = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node = out;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else node = node[p] ??= {};
    });
  }
  return out;
}

export class FakeStripe {
  readonly secretKey: string;
  readonly webhookSecret: string;
  url = '';
  readonly requests: StripeRequest[] = [];
  readonly cardholders = new Map<string, Obj>();
  readonly cards = new Map<string, Obj>();
  readonly ephemeralKeys: Obj[] = [];
  private readonly idempotent = new Map<string, { params: string; status: number; body: unknown }>();
  private injections: Injection[] = [];
  private server: Server | undefined;

  private constructor(options: { secretKey?: string; webhookSecret?: string }) {
    this.secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  }

  static async start(options: { secretKey?: string; webhookSecret?: string } = {}): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    const server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    this.cardholders.clear();
    this.cards.clear();
    this.ephemeralKeys.length = 0;
    this.idempotent.clear();
    this.injections = [];
  }

  /**
   * The next `times` requests matching `target` ("POST /v1/issuing/cards", or a prefix ending
   * in "*") get `status` and do nothing. (The SDK retries a 5xx with the same Idempotency-Key.)
   */
  failNext(target: string, status = 500, times = 1): void {
    for (let i = 0; i < times; i++) this.injections.push({ ...parseTarget(target), status });
  }

  /** The next `times` matching requests are answered only after `ms` (beyond the client's timeout: a timeout). */
  delayNext(target: string, ms: number, times = 1): void {
    for (let i = 0; i < times; i++) this.injections.push({ ...parseTarget(target), delayMs: ms });
  }

  requestsTo(method: string, path: string): StripeRequest[] {
    const matches = path.endsWith('*') ? (p: string) => p.startsWith(path.slice(0, -1)) : (p: string) => p === path;
    return this.requests.filter((r) => r.method === method && matches(r.path));
  }

  // ---- webhook events, built from the fixture objects ----

  /** An issuing.authorization: pending with `pending_request` (a request) unless overridden. */
  authorization(cardId: string, amount: number, overrides: Obj = {}): Obj {
    const a = clone(FIXTURES['issuing.authorization']);
    const card = this.cards.get(cardId) ?? { ...clone(FIXTURES['issuing.card']), id: cardId };
    Object.assign(a, {
      id: `iauth_${randomBytes(12).toString('hex')}`,
      amount: 0,
      card,
      cardholder: typeof card.cardholder === 'object' ? card.cardholder?.id ?? null : card.cardholder,
      currency: card.currency,
      merchant_currency: card.currency,
      created: now(),
      pending_request: { ...a.pending_request, amount, merchant_amount: amount, currency: card.currency, merchant_currency: card.currency },
    });
    return Object.assign(a, overrides);
  }

  /** An issuing.transaction: a capture (negative amount, as Stripe reports it) or a refund. */
  transaction(cardId: string, type: 'capture' | 'refund', amount: number, authorizationId: string | null, overrides: Obj = {}): Obj {
    const t = clone(FIXTURES['issuing.transaction']);
    const card = this.cards.get(cardId);
    Object.assign(t, {
      id: `ipi_${randomBytes(12).toString('hex')}`,
      type,
      amount: type === 'capture' ? -amount : amount,
      merchant_amount: type === 'capture' ? -amount : amount,
      authorization: authorizationId,
      card: cardId,
      cardholder: card ? (typeof card.cardholder === 'object' ? card.cardholder.id : card.cardholder) : t.cardholder,
      currency: card?.currency ?? t.currency,
      created: now(),
    });
    return Object.assign(t, overrides);
  }

  event(type: string, object: Obj): Obj {
    return {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: API_VERSION,
      created: now(),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  /** `Stripe-Signature` for `body` as Stripe computes it (optionally with another secret or time). */
  sign(body: string, options: { secret?: string; timestamp?: number } = {}): string {
    const t = options.timestamp ?? now();
    const v1 = createHmac('sha256', options.secret ?? this.webhookSecret).update(`${t}.${body}`).digest('hex');
    return `t=${t},v1=${v1}`;
  }

  /** Posts a signed event to `url`, as Stripe delivers it; `signature: null` sends none. */
  async deliver(
    url: string,
    event: Obj,
    options: { signature?: string | null; body?: string } = {},
  ): Promise<{ status: number; headers: Headers; body: any }> {
    const body = options.body ?? JSON.stringify(event, null, 2);
    const signature = options.signature === undefined ? this.sign(body) : options.signature;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', ...(signature ? { 'stripe-signature': signature } : {}) },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  // ---- the API ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const body = method === 'GET' ? Object.fromEntries(url.searchParams) : decodeForm(raw);
    this.requests.push({ method, path: url.pathname, body, headers: req.headers });

    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(7).toString('hex')}`, 'stripe-version': API_VERSION, ...headers });
      res.end(JSON.stringify(payload));
    };

    const injection = this.takeInjection(method, url.pathname);
    if (injection?.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
    if (injection?.status) {
      return send(injection.status, { error: { type: 'api_error', message: 'An unknown error occurred (injected)' } });
    }
    if (res.destroyed) return;

    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_****' } });
    }

    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const scope = key ? `${key}` : undefined;
    if (method === 'POST' && scope) {
      const seen = this.idempotent.get(scope);
      if (seen) {
        if (seen.params !== `${url.pathname}?${raw}`) {
          return send(400, {
            error: {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          });
        }
        return send(seen.status, seen.body, { 'idempotent-replayed': 'true', 'idempotency-key': key! });
      }
    }
    const [status, payload] = this.route(method, url.pathname, body, req.headers);
    // Stripe saves the result of a request that ran (not of one refused before it started: 401, 429, 5xx).
    if (method === 'POST' && scope && status < 500) this.idempotent.set(scope, { params: `${url.pathname}?${raw}`, status, body: payload });
    send(status, payload, key ? { 'idempotency-key': key } : {});
  }

  private route(method: string, path: string, body: Obj, headers: IncomingMessage['headers']): [number, unknown] {
    const invalid = (message: string, param?: string): [number, unknown] => [400, { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } }];
    const missing = (id: string, what: string): [number, unknown] => [
      404,
      { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'`, param: 'id' } },
    ];

    if (path === '/v1/issuing/cardholders' && method === 'GET') {
      const data = [...this.cardholders.values()].filter((c) => !body.email || c.email === body.email).reverse();
      return [200, { object: 'list', data: data.slice(0, Number(body.limit ?? 10)), has_more: false, url: '/v1/issuing/cardholders' }];
    }
    if (path === '/v1/issuing/cardholders' && method === 'POST') {
      if (!body.name) return invalid('Missing required param: name.', 'name');
      const address = body.billing?.address;
      if (!address?.line1 || !address.city || !address.postal_code || !address.country) {
        return invalid('Missing required param: billing[address].', 'billing[address]');
      }
      const c = clone(FIXTURES['issuing.cardholder']);
      Object.assign(c, {
        id: `ich_${randomBytes(12).toString('hex')}`,
        created: now(),
        name: body.name,
        email: body.email ?? null,
        phone_number: body.phone_number ?? null,
        type: body.type ?? 'individual',
        status: body.status ?? 'active',
        metadata: body.metadata ?? {},
        billing: { address: { line2: null, state: null, ...address } },
        individual: body.individual ? { ...c.individual, ...body.individual } : null,
        company: null,
      });
      this.cardholders.set(c.id, c);
      return [200, c];
    }
    if (path === '/v1/issuing/cards' && method === 'POST') {
      const holder = this.cardholders.get(body.cardholder);
      if (!holder) return missing(String(body.cardholder), 'cardholder');
      if (!['usd', 'gbp', 'eur'].includes(body.currency)) return invalid(`Invalid currency: ${body.currency}.`, 'currency');
      if (body.type !== 'virtual' && body.type !== 'physical') return invalid('Invalid type.', 'type');
      const card = clone(FIXTURES['issuing.card']);
      Object.assign(card, {
        id: `ic_${randomBytes(12).toString('hex')}`,
        created: now(),
        cardholder: holder,
        currency: body.currency,
        type: body.type,
        status: body.status ?? 'inactive',
        metadata: body.metadata ?? {},
        last4: String(1000 + Math.floor(Math.random() * 9000)),
        exp_month: 1 + Math.floor(Math.random() * 12),
        exp_year: new Date().getUTCFullYear() + 3,
        shipping: body.type === 'virtual' ? null : card.shipping,
      });
      this.cards.set(card.id, card);
      return [200, card];
    }
    const cardPath = /^\/v1\/issuing\/cards\/([^/]+)$/.exec(path);
    if (cardPath && method === 'POST') {
      const card = this.cards.get(decodeURIComponent(cardPath[1]));
      if (!card) return missing(cardPath[1], 'issuing card');
      if (body.status) {
        if (!['active', 'inactive', 'canceled'].includes(body.status)) return invalid(`Invalid status: ${body.status}`, 'status');
        if (card.status === 'canceled') return invalid('This card has been canceled and cannot be updated.', 'status');
        card.status = body.status;
      }
      if (body.metadata) card.metadata = { ...card.metadata, ...body.metadata };
      return [200, card];
    }
    if (path === '/v1/ephemeral_keys' && method === 'POST') {
      if (!headers['stripe-version']) return invalid('Stripe-Version header is required for ephemeral keys.');
      const card = this.cards.get(body.issuing_card);
      if (!card) return missing(String(body.issuing_card), 'issuing card');
      if (!body.nonce) return invalid('You must provide a nonce when creating ephemeral keys for Issuing cards.', 'nonce');
      const created = now();
      const key = {
        id: `ephkey_${randomBytes(12).toString('hex')}`,
        object: 'ephemeral_key',
        associated_objects: [{ id: card.id, type: 'issuing.card' }],
        created,
        expires: created + 15 * 60,
        livemode: false,
        secret: `ek_test_${randomBytes(24).toString('hex')}`,
      };
      this.ephemeralKeys.push({ ...key, nonce: body.nonce });
      return [200, key];
    }
    return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } }];
  }

  private takeInjection(method: string, path: string): Injection | undefined {
    const i = this.injections.findIndex(
      (x) => (!x.method || x.method === method) && (x.path.endsWith('*') ? path.startsWith(x.path.slice(0, -1)) : path === x.path),
    );
    return i >= 0 ? this.injections.splice(i, 1)[0] : undefined;
  }
}

function parseTarget(target: string): { method?: string; path: string } {
  const [a, b] = target.split(' ');
  return b ? { method: a, path: b } : { path: a };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
