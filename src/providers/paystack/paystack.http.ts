import { ProviderError, isDefiniteRefusal } from '../payment-provider.js';

/**
 * The HTTP client paystack-sdk's modules are built with, replacing the SDK's own
 * createHttpClient (same get/post/put/patch/delete/request surface), because that one
 * hard-codes https://api.paystack.co, has no timeout, and the SDK's transfer.verify passes a
 * path without its leading slash (STACK.md, trap 7).
 */

export interface PaystackRequestOptions {
  params?: Record<string, unknown>;
  data?: unknown;
}

export interface PaystackHttpClient {
  get<T>(url: string, options?: PaystackRequestOptions): Promise<T>;
  post<T>(url: string, data?: unknown): Promise<T>;
  put<T>(url: string, data?: unknown): Promise<T>;
  patch<T>(url: string, data?: unknown): Promise<T>;
  delete<T>(url: string, options?: PaystackRequestOptions): Promise<T>;
  request<T>(config: PaystackRequestOptions & { url: string; method: 'get' | 'post' | 'put' | 'patch' | 'delete' }): Promise<T>;
}

export interface PaystackHttpOptions {
  secretKey: string;
  baseUrl: string;
  timeoutMs: number;
}

/** A Paystack refusal or failure, with Paystack's own error `code` when it sent one. */
export class PaystackApiError extends ProviderError {
  constructor(
    message: string,
    definite: boolean,
    status?: number,
    readonly code?: string,
  ) {
    super(message, definite, status);
    this.name = 'PaystackApiError';
  }
}

function query(params: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      search.append(key, item instanceof Date ? item.toISOString() : String(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function errorBody(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== 'object') return {};
  const { message, code } = body as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : undefined,
    code: typeof code === 'string' ? code : undefined,
  };
}

export function createPaystackHttp({ secretKey, baseUrl, timeoutMs }: PaystackHttpOptions): PaystackHttpClient {
  const root = baseUrl.replace(/\/+$/, '');
  const headers = { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json', Accept: 'application/json' };

  async function send<T>(url: string, method: string, options: PaystackRequestOptions = {}): Promise<T> {
    const path = url.startsWith('/') ? url : `/${url}`;
    const what = `Paystack ${method} ${path}`;
    // One deadline for the whole exchange: the signal also aborts reading the body.
    const signal = AbortSignal.timeout(timeoutMs);
    const body = options.data === undefined ? undefined : typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${root}${path}${query(options.params)}`, { method, headers, body, signal });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const name = (err as Error)?.name;
      const reason =
        name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${timeoutMs} ms` : `failed: ${(err as Error)?.message}`;
      throw new PaystackApiError(`${what} ${reason}`, false);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300) {
      const { message, code } = errorBody(parsed);
      throw new PaystackApiError(message ?? `${what} answered ${status}`, isDefiniteRefusal(status), status, code);
    }
    // A 2xx we cannot read (a proxy's page, a cut body) tells us nothing about what happened.
    if (parsed === undefined || parsed === null || typeof parsed !== 'object') {
      throw new PaystackApiError(`${what} answered ${status} with an unreadable body`, false, status);
    }
    if ((parsed as { status?: unknown }).status === false) {
      const { message, code } = errorBody(parsed);
      throw new PaystackApiError(message ?? `${what} refused`, true, status, code);
    }
    return parsed as T;
  }

  return {
    get: (url, options) => send(url, 'GET', options),
    post: (url, data) => send(url, 'POST', { data }),
    put: (url, data) => send(url, 'PUT', { data }),
    patch: (url, data) => send(url, 'PATCH', { data }),
    delete: (url, options) => send(url, 'DELETE', options),
    request: (config) => send(config.url, config.method.toUpperCase(), { params: config.params, data: config.data }),
  };
}
