import type * as OtelApi from '@opentelemetry/api';
import { requirePeer } from '../vendor/peer.js';

let api: typeof OtelApi | undefined;

/**
 * @opentelemetry/api, loaded on first use: the root entry imports without it (it is an optional peer), and
 * instrument()/traceCache() load it when called, failing with an error that names the package to install.
 */
export function otelApi(): typeof OtelApi {
  api ??= requirePeer<typeof OtelApi>('@opentelemetry/api', 'instrument() and traceCache()');
  return api;
}
