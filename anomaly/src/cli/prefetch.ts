import type { Command } from 'commander';
import { kafkaPrefetchBus } from 'omnicache/kafka';
import { PREFETCH_MODEL_NAMES, type PrefetchModelName } from '../prefetch/model.js';
import { PrefetchDaemon } from '../prefetch-service/daemon.js';

function num(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${v}"`);
    return n;
  };
}

export function registerPrefetchCommand(program: Command): void {
  program
    .command('prefetch')
    .description('prefetch daemon: consume the access stream from Kafka, feed the model, publish hints back')
    .requiredOption('--brokers <list>', 'Kafka brokers, comma-separated host:port')
    .requiredOption('--group <name>', "cache group (the caches' prefetch.group, default their cache name)")
    .option('--model <name>', `model: ${PREFETCH_MODEL_NAMES.join(', ')}`, 'markov')
    .option('--min-confidence <p>', 'smallest confidence sent', num('min-confidence'), 0.3)
    .option('--max-hints <n>', 'predictions per access', num('max-hints'), 4)
    .option('--horizon-ms <ms>', 'hint deadline after prediction', num('horizon-ms'), 5000)
    .action(
      async (o: {
        brokers: string;
        group: string;
        model: string;
        minConfidence: number;
        maxHints: number;
        horizonMs: number;
      }) => {
        if (!(PREFETCH_MODEL_NAMES as readonly string[]).includes(o.model)) {
          throw new Error(`--model ${o.model}: choose one of ${PREFETCH_MODEL_NAMES.join(', ')}`);
        }
        const daemon = new PrefetchDaemon({
          bus: kafkaPrefetchBus({ brokers: o.brokers.split(',').map((b) => b.trim()) }),
          group: o.group,
          model: o.model as PrefetchModelName,
          minConfidence: o.minConfidence,
          maxHints: o.maxHints,
          horizonMs: o.horizonMs,
        });
        await daemon.start();
        console.error(
          `[anomaly] prefetch daemon for group ${o.group} (${o.model}) consuming the access stream`,
        );
        const shutdown = async () => {
          await daemon.close();
          process.exit(0);
        };
        process.once('SIGINT', () => void shutdown());
        process.once('SIGTERM', () => void shutdown());
      },
    );
}
