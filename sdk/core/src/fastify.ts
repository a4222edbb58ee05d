/**
 * omnicache/fastify: route-level response caching for Fastify 5 (Fastify is an optional peer dependency).
 * Register the plugin before the routes; cache a GET route with `config: { omnicache: { ttl } }`.
 */
import './integrations/fastify/peer.js';

export {
  type FastifyCacheOptions,
  type FastifyRouteCache,
  omnicacheFastify,
  omnicacheFastify as default,
} from './integrations/fastify/plugin.js';
export type {
  HttpCacheOptions,
  RouteCacheOptions,
  RouteInvalidateOptions,
} from './integrations/http/options.js';
export type { StoredResponse } from './integrations/http/stored-response.js';
