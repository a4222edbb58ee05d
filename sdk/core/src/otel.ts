/**
 * omnicache/otel: the one-call OpenTelemetry set-up for applications (NodeSDK, OTLP/HTTP exporters, a Prometheus
 * endpoint). Needs the OpenTelemetry SDK packages installed (see OTEL_SDK_PEERS). Libraries that only want
 * instruments on the global providers use `instrument()` from the root entry instead.
 */
export { OTEL_SDK_PEERS } from './telemetry/otel-sdk.js';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry/start-telemetry.js';
