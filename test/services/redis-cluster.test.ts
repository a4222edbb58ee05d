import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { startRedisCluster } from './redis-cluster.js';
import { respCommand } from './resp-command.js';

describe('startRedisCluster', () => {
  it('starts 3 masters + 3 replicas that serve SET/GET across slots, and stop() ends every node', async () => {
    const cluster = await startRedisCluster();
    const pids = cluster.nodes.map((n) => n.pid());
    try {
      expect(cluster.nodes).toHaveLength(6);
      const info = await respCommand(cluster.nodes[0]?.port ?? 0, ['CLUSTER', 'INFO']);
      expect(info).toMatch(/cluster_state:ok/);
      expect(info).toMatch(/cluster_size:3/);

      const client = new Cluster([...cluster.startupNodes]);
      try {
        const keys = Array.from({ length: 60 }, (_, i) => `harness:key:${i}`);
        await Promise.all(keys.map((k, i) => client.set(k, `v${i}`)));
        const values = await Promise.all(keys.map((k) => client.get(k)));
        expect(values).toEqual(keys.map((_, i) => `v${i}`));
        // The keys landed on every master, so the client really went through the cluster.
        const masters = client.nodes('master');
        expect(masters).toHaveLength(3);
        const sizes = await Promise.all(masters.map((m) => m.dbsize()));
        for (const size of sizes) expect(size).toBeGreaterThan(0);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(keys.length);
      } finally {
        client.disconnect();
      }
    } finally {
      await cluster.stop();
    }
    for (const pid of pids) expect(pidAlive(pid ?? -1)).toBe(false);
  });
});
