import { auditBench } from './audit/index.js';
import { chartsBench } from './charts/index.js';
import { fuzzBench } from './fuzz/index.js';
import { httpBench } from './http/index.js';
import { invalidationBench } from './invalidation/index.js';
import { nabBench } from './nab/index.js';
import { packagingBench } from './packaging/index.js';
import { panelRenderBench } from './panel-render/index.js';
import { piiBench } from './pii/index.js';
import { policiesBench } from './policies/index.js';
import { prefetchBench } from './prefetch/index.js';
import { securityBench } from './security/index.js';
import { soakBench } from './soak/index.js';
import { telemetryBench } from './telemetry/index.js';
import { tieredBench } from './tiered/index.js';

const suites: Record<string, () => Promise<void>> = {
  policies: policiesBench,
  tiered: tieredBench,
  telemetry: telemetryBench,
  packaging: packagingBench,
  pii: piiBench,
  audit: auditBench,
  security: securityBench,
  'panel-render': panelRenderBench,
  http: httpBench,
  nab: nabBench,
  invalidation: invalidationBench,
  fuzz: fuzzBench,
  // no measuring: redraws the SVG charts of bench/results/ from its JSON
  charts: chartsBench,
  soak: soakBench,
  prefetch: prefetchBench,
};

const name = process.argv[2];
const suite = name ? suites[name] : undefined;
if (!suite) {
  process.stderr.write(`usage: npm run bench -- <suite>; suites: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
await suite();
