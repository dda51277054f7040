/**
 * A preload for entry points other than main.ts (which starts telemetry itself):
 * `node --import ./dist/src/telemetry/register.js dist/src/<entry>.js`. Starts OpenTelemetry
 * when the OTEL_* variables ask for it, before the entry's modules load; otherwise does nothing.
 */
import { startTelemetryIfConfigured } from './bootstrap.js';

await startTelemetryIfConfigured();
