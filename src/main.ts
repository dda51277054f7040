import 'reflect-metadata';
import pino from 'pino';
import { ConfigError, loadConfig } from './config/config.js';
import { loggerOptions } from './http/logger.js';
import { startTelemetryIfConfigured, type Telemetry } from './telemetry/bootstrap.js';

// Start-up order: OpenTelemetry (when OTEL_* asks for it) starts before anything it instruments
// is imported. With ESM a module is instrumented only if the loader hook was in place when it
// loaded, and static imports all load before this file runs: so this file imports nothing that
// talks to PostgreSQL, Redis or HTTP, and brings the rest in with import() once tracing is up
// (src/telemetry/bootstrap.ts). Without OTEL_* nothing of OpenTelemetry is loaded.

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = pino(loggerOptions(config));
  let telemetry: Telemetry | undefined;
  try {
    telemetry = await startTelemetryIfConfigured();
    if (telemetry) log.info(telemetry.description);
  } catch (err) {
    log.error({ err }, 'OpenTelemetry could not start: running without tracing');
  }
  const { startEmbeddedPostgres } = await import('./db/embedded-postgres.js');
  // The embedded PostgreSQL (initdb on a first run) starts while the server's modules load:
  // both take seconds, and one is another process.
  const embedded = config.database.url
    ? undefined
    : startEmbeddedPostgres(config.database.embeddedDir, config.database.embeddedPort, log, {
        dirChosen: config.database.embeddedDirChosen,
      });
  embedded?.catch(() => undefined); // reported when createApp awaits it
  let app;
  try {
    const { createApp } = await import('./app.js');
    app = await createApp(config, { log, embedded });
  } catch (err) {
    // A start-up that fails leaves no PostgreSQL behind.
    await embedded?.then(
      (db) => db.stop(),
      () => undefined,
    );
    throw err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal} received: finishing requests in flight, then stopping`);
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    force.unref();
    app.close().then(
      async () => {
        app.log.info('stopped');
        // The spans still buffered are sent before the process goes.
        await telemetry?.shutdown().catch((err: Error) => app.log.warn({ err: err.message }, 'spans not sent'));
        process.exit(0);
      },
      (err: Error) => {
        app.log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const url = await app.listen();
  app.log.info(
    config.isProduction ? `GraphQL API at ${url}/graphql` : `GraphQL API and Apollo Sandbox at ${config.http.publicUrl}/graphql`,
  );
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
