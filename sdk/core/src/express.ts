/**
 * omnicache/express: response caching middleware for Express 4.21+ and 5 (Express is an optional peer
 * dependency). `omnicacheExpress({ cache }).route({ ttl })` on a GET route; `.invalidate({...})` on mutations.
 */
import './integrations/express/peer.js';

export {
  type ExpressCache,
  type ExpressCacheOptions,
  omnicacheExpress,
} from './integrations/express/middleware.js';
export type {
  HttpCacheOptions,
  RouteCacheOptions,
  RouteInvalidateOptions,
} from './integrations/http/options.js';
export type { RouteStats } from './integrations/http/route-stats.js';
export type { StoredResponse } from './integrations/http/stored-response.js';
