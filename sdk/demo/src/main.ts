import { parseArgs } from 'node:util';
import { runLiveDemo } from './live-cache.js';
import { comparePolicies } from './policy-comparison.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    port: { type: 'string', default: '9464' },
    hold: { type: 'boolean', default: false },
  },
});
const durationSeconds = Number(values.duration);
const port = Number(values.port);
if (!(durationSeconds > 0) || !Number.isInteger(port) || port < 0) {
  process.stderr.write('usage: npm run demo -- [--duration SECONDS] [--port PORT] [--hold]\n');
  process.exit(2);
}
comparePolicies();
await runLiveDemo({ durationSeconds, port, hold: values.hold });
