import { invalidationBench } from './invalidation/index.js';
import { policiesBench } from './policies/index.js';
import { telemetryBench } from './telemetry/index.js';
import { tieredBench } from './tiered/index.js';

const suites: Record<string, () => Promise<void>> = {
  policies: policiesBench,
  tiered: tieredBench,
  telemetry: telemetryBench,
  invalidation: invalidationBench,
};

const name = process.argv[2];
const suite = name ? suites[name] : undefined;
if (!suite) {
  process.stderr.write(`usage: npm run bench -- <suite>; suites: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
await suite();
