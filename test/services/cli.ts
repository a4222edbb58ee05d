// `npm run services`: provisions and starts every service the tests use, prints the endpoints, and keeps
// them running until Ctrl-C (SIGINT) or SIGTERM, then stops them all.
import { provisionServices } from './provision.js';
import { ALL_SERVICES, startStack } from './stack.js';

async function main(): Promise<void> {
  const t0 = Date.now();
  const report = await provisionServices();
  for (const [step, s] of Object.entries(report.seconds)) {
    process.stderr.write(`[services] ${step}: ${s < 1 ? 'cached' : `${s.toFixed(1)} s`}\n`);
  }
  const stack = await startStack(ALL_SERVICES);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n[services] ${signal}: stopping...\n`);
    try {
      await stack.stop();
      process.stderr.write('[services] all stopped\n');
      process.exit(0);
    } catch (err) {
      process.stderr.write(`[services] stop failed: ${(err as Error).message}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const { redis, redisCluster, fakeGcs, localKms, kafka, prometheus, alertmanager, collector } = stack;
  const lines = [
    `redis (single)        ${redis?.url}`,
    `redis cluster nodes   ${redisCluster?.startupNodes.map((n) => `${n.host}:${n.port}`).join(' ')}`,
    `fake-gcs-server       ${fakeGcs?.apiEndpoint}   (new Storage({ apiEndpoint, projectId: 'test' }))`,
    `local-kms (AWS KMS)   ${localKms?.endpoint}   region ${localKms?.region}, keys ${localKms?.keyArns.join(' ')}`,
    `kafka (KRaft)         ${kafka?.broker}   (new Kafka({ brokers: [broker] }))`,
    `prometheus            ${prometheus?.url}   remote write: ${prometheus?.remoteWriteUrl}`,
    `alertmanager          ${alertmanager?.url}`,
    `otel collector        OTLP gRPC 127.0.0.1:${collector?.ports.otlpGrpc}  OTLP HTTP http://127.0.0.1:${collector?.ports.otlpHttp}`,
    `                      metrics http://127.0.0.1:${collector?.ports.prometheus}/metrics  health http://127.0.0.1:${collector?.ports.health}/`,
    `                      config: ${collector?.configSource}`,
  ];
  process.stdout.write(
    `\nOmniCache test services are up (${((Date.now() - t0) / 1000).toFixed(1)} s):\n  ${lines.join('\n  ')}\nLogs: ${[
      redis?.logFile,
      fakeGcs?.logFile,
      localKms?.logFile,
      kafka?.logFile,
      prometheus?.logFile,
      alertmanager?.logFile,
      collector?.logFile,
    ].join(' ')}\nPress Ctrl-C to stop them all.\n`,
  );
  // Keep the process alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  process.stderr.write(`[services] ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
