/** omnicache/prom-client: the cache's series on a prom-client Registry. Needs `@opentelemetry/sdk-metrics` installed. */
export { type PromClientBridge, registerPromClient } from './telemetry/prom-client-bridge.js';
