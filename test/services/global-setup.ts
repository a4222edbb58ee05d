// vitest globalSetup of the `test` project: provisions every server binary once (Debian packages,
// fake-gcs-server, local-kms, toxiproxy, the collector), starts one shared Redis, Redis Cluster, fake-gcs-server and
// local-kms, provides their endpoints to the tests (see provided-context.ts), and stops them when the run ends, also on
// failure.
import type { TestProject } from 'vitest/node';
import './provided-context.js';
import { provisionServices } from './provision.js';
import { startStack } from './stack.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const report = await provisionServices();
  const slow = Object.entries(report.seconds).filter(([, s]) => s > 1);
  if (slow.length > 0) {
    process.stderr.write(
      `[services] provisioned: ${slow.map(([step, s]) => `${step} ${s.toFixed(1)} s`).join(', ')}\n`,
    );
  }
  const stack = await startStack({ redis: true, redisCluster: true, fakeGcs: true, localKms: true });
  const { redis, redisCluster, fakeGcs, localKms } = stack;
  if (!redis || !redisCluster || !fakeGcs || !localKms) {
    await stack.stop();
    throw new Error('the shared services did not all start');
  }
  project.provide('redis', { host: redis.host, port: redis.port, url: redis.url });
  project.provide('redisCluster', { startupNodes: [...redisCluster.startupNodes] });
  project.provide('gcs', { apiEndpoint: fakeGcs.apiEndpoint, projectId: 'test' });
  project.provide('kms', {
    endpoint: localKms.endpoint,
    region: localKms.region,
    keyArns: [...localKms.keyArns],
  });
  process.stderr.write(`[services] shared services up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return () => stack.stop();
}
