import type { ApolloServerPlugin } from '@apollo/server';

/**
 * What the server asks of tracing, without loading it: set only once OpenTelemetry has started
 * (src/telemetry/start.ts, when OTEL_* asks for it). Without it every call below is a no-op,
 * and no OpenTelemetry module is ever loaded.
 */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
}

export interface TelemetryHooks {
  /** The span current where this is called (during a request: the HTTP server span). */
  activeSpan(): SpanLike | undefined;
  /** An Apollo plugin naming the GraphQL operation on the request's span. */
  apolloPlugin(): ApolloServerPlugin<{ viewer: { userId: string } | null }>;
}

let installed: TelemetryHooks | undefined;

export function installTelemetryHooks(hooks: TelemetryHooks): void {
  installed = hooks;
}

export function telemetryHooks(): TelemetryHooks | undefined {
  return installed;
}

/** Spans of requests in flight, by the raw request (set at onRequest, read when the viewer is known). */
const requestSpans = new WeakMap<object, SpanLike>();

/** The request's span gets its request id (`http.request_id`), also the one answered in X-Request-Id. */
export function tagRequestSpan(request: { id: string; raw: object }): void {
  const span = installed?.activeSpan();
  if (!span) return;
  span.setAttribute('http.request_id', request.id);
  requestSpans.set(request.raw, span);
}

/** Once authenticated: the request's span names its user (`enduser.id`). */
export function tagRequestUser(request: { raw: object }, userId: string | undefined): void {
  if (userId) requestSpans.get(request.raw)?.setAttribute('enduser.id', userId);
}
