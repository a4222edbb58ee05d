import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { ALL_SERVICES, startStack } from './stack.js';

describe('startStack (what `npm run services` starts)', () => {
  it('starts every service wired together, and stop() ends them all', async () => {
    const stack = await startStack(ALL_SERVICES);
    const { redis, redisCluster, fakeGcs, localKms, kafka, prometheus, alertmanager, collector } = stack;
    const pids: number[] = [];
    try {
      if (
        !redis ||
        !redisCluster ||
        !fakeGcs ||
        !localKms ||
        !kafka ||
        !prometheus ||
        !alertmanager ||
        !collector
      ) {
        throw new Error('a service of the stack is missing');
      }
      pids.push(
        fakeGcs.pid,
        localKms.pid,
        prometheus.pid,
        alertmanager.pid,
        collector.pid,
        redis.pid() ?? -1,
      );
      pids.push(kafka.pid() ?? -1);
      for (const n of redisCluster.nodes) pids.push(n.pid() ?? -1);
      for (const pid of pids) expect(pidAlive(pid)).toBe(true);

      expect((await fetch(`http://127.0.0.1:${collector.ports.health}/`)).status).toBe(200);
      // Prometheus sends alerts to the stack's Alertmanager.
      await expect
        .poll(
          async () => {
            const body = (await (await fetch(`${prometheus.url}/api/v1/alertmanagers`)).json()) as {
              data: { activeAlertmanagers: Array<{ url: string }> };
            };
            return body.data.activeAlertmanagers.map((a) => a.url);
          },
          { timeout: 15_000, interval: 500 },
        )
        .toContain(`${alertmanager.url}/api/v2/alerts`);
    } finally {
      await stack.stop();
    }
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });
});
