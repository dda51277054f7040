import { tracesEndpoint, tracingWanted } from './settings.js';

export interface Telemetry {
  /** What the start-up log says about it. */
  description: string;
  /** Sends the spans still buffered, then stops (before the process exits). */
  shutdown(): Promise<void>;
}

let started: Promise<Telemetry | undefined> | undefined;

/**
 * Starts OpenTelemetry tracing when the OTEL_* variables ask for it (settings.ts), once per
 * process; resolves undefined, having loaded nothing of OpenTelemetry, when they do not.
 *
 * It must run before the modules it instruments are imported (Fastify and node:http, pg through
 * knex, ioredis): with ESM the instrumentations see a module only if the loader hook is in
 * place when that module is loaded, so main.ts calls this and only then imports the server
 * (`await import('./app.js')`). `node --import ./dist/src/telemetry/register.js` does the same
 * for any other entry point.
 */
export function startTelemetryIfConfigured(env: Record<string, string | undefined> = process.env): Promise<Telemetry | undefined> {
  started ??= (async () => {
    if (!tracingWanted(env)) return undefined;
    const { startTelemetry } = await import('./start.js');
    const { shutdown } = await startTelemetry(env);
    return { description: `OpenTelemetry tracing on: spans to ${tracesEndpoint(env)}`, shutdown };
  })();
  return started;
}
