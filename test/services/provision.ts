// Provisions every server binary the tests need, in parallel, each step idempotent and cached:
// Debian packages (Redis, Prometheus, Alertmanager), fake-gcs-server, local-kms, toxiproxy, Kafka's jars and the OpenTelemetry Collector.
import { ensureCollector } from './collector-build.js';
import { ensureDebianPackages } from './debian-packages.js';
import { ensureFakeGcs } from './fake-gcs.js';
import { ensureKafka } from './kafka.js';
import { ensureLocalKms } from './local-kms.js';
import { ensureToxiproxy } from './toxiproxy.js';

export interface ProvisionOptions {
  /** Build (or find cached) the collector too (default true). */
  collector?: boolean;
}

export interface ProvisionReport {
  /** Seconds per step; a cached step takes a few milliseconds. */
  seconds: Record<string, number>;
  fakeGcsBinary: string;
  localKmsBinary: string;
  toxiproxyBinary: string;
  /** Directory of Kafka's runtime jars. */
  kafkaLib: string;
  collectorBinary?: string;
}

async function timed<T>(seconds: Record<string, number>, step: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    seconds[step] = (Date.now() - started) / 1000;
  }
}

export async function provisionServices(opts: ProvisionOptions = {}): Promise<ProvisionReport> {
  const seconds: Record<string, number> = {};
  const [, fakeGcsBinary, localKmsBinary, toxiproxyBinary, kafkaLib, collector] = await Promise.all([
    timed(seconds, 'debian-packages', () => ensureDebianPackages()),
    timed(seconds, 'fake-gcs-server', () => ensureFakeGcs()),
    timed(seconds, 'local-kms', () => ensureLocalKms()),
    timed(seconds, 'toxiproxy', () => ensureToxiproxy()),
    timed(seconds, 'kafka', () => ensureKafka()),
    opts.collector === false ? undefined : timed(seconds, 'otelcol', () => ensureCollector()),
  ]);
  return collector
    ? { seconds, fakeGcsBinary, localKmsBinary, toxiproxyBinary, kafkaLib, collectorBinary: collector.binary }
    : { seconds, fakeGcsBinary, localKmsBinary, toxiproxyBinary, kafkaLib };
}
