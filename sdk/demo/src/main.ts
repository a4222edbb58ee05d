import { parseArgs } from 'node:util';
import { ConfigError } from 'omnicache';
import { DemoEnvironmentError } from './environment.js';
import { runLiveDemo } from './live-cache.js';
import { comparePolicies } from './policy-comparison.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '40' },
    once: { type: 'boolean', default: false },
    hold: { type: 'boolean', default: false },
    port: { type: 'string', default: '9464' },
    'page-port': { type: 'string', default: '9465' },
    'no-page': { type: 'boolean', default: false },
  },
});
const durationSeconds = Number(values.duration);
const port = Number(values.port);
const pagePort = Number(values['page-port']);
const isPort = (p: number) => Number.isInteger(p) && p >= 0 && p < 65536;
if (!(durationSeconds > 0) || !isPort(port) || !isPort(pagePort)) {
  process.stderr.write(
    [
      'usage: npm run demo -- [--duration SECONDS] [--once [--hold]] [--port PORT] [--page-port PORT | --no-page]',
      '  --duration   seconds per pass through the four workload phases (default 40); passes repeat until Ctrl-C',
      '  --once       stop after one pass; --hold keeps serving /metrics and the page afterwards until Ctrl-C',
      '  --port       /metrics port (default 9464); --page-port: the web page (default 9465); 0 or busy: any free port',
      'environment: OMNICACHE_L2_REDIS_URL, OMNICACHE_L3_GCS_BUCKET, ... (the core configuration), OMNICACHE_BUS_KAFKA_BROKERS,',
      '  OMNICACHE_BUS_REDIS_URL, OMNICACHE_PREFETCH, OTEL_EXPORTER_OTLP_ENDPOINT put the demo on servers: see docs/demo.md',
      '',
    ].join('\n'),
  );
  process.exit(2);
}
comparePolicies();
try {
  await runLiveDemo({
    durationSeconds,
    once: values.once,
    hold: values.hold,
    port,
    pagePort: values['no-page'] ? false : pagePort,
  });
} catch (error) {
  // A backend named by the environment is wrong or down: say which and stop (see docs/demo.md).
  if (!(error instanceof DemoEnvironmentError || error instanceof ConfigError)) throw error;
  process.stderr.write(`\nomnicache demo: ${error.message}\n`);
  process.exit(2);
}
