// `@omnicache/demo/grafana-host`: the Grafana stand-in for the panel plugin, used by the demo's live page and by the
// panel's browser test and render benchmark.
export type { HostApi, RenderCostRequest, RenderRequest, RenderResult, Source } from './host-api.js';
export { buildHostPage } from './page-bundle.js';
export { buildPanelPlugin } from './plugin-bundle.js';
export {
  type GrafanaHostHandle,
  type GrafanaHostOptions,
  type JsonRoute,
  startGrafanaHost,
} from './server.js';
