// A 6-node Redis Cluster (3 masters + 3 replicas) on free 127.0.0.1 ports, created with
// `redis-cli --cluster create` and ready once every node reports cluster_state:ok.

import { setTimeout as sleep } from 'node:timers/promises';
import { requireExecutable } from './debian-packages.js';
import { logTail } from './readiness.js';
import { type RedisEndpoint, type RedisHandle, startRedis } from './redis.js';
import { respCommand } from './resp-command.js';
import { runCommand } from './run-command.js';

export interface RedisClusterOptions {
  /** Masters (default 3); each gets `replicasPerMaster` replicas (default 1). */
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout in ms (default 5000). */
  nodeTimeoutMs?: number;
  readyTimeoutMs?: number;
}

export interface RedisClusterHandle {
  /** Every node, masters first as created. Individual nodes can be kill()ed and restart()ed. */
  readonly nodes: readonly RedisHandle[];
  /** Startup nodes for `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly RedisEndpoint[];
  /** Stops every node and removes their directories. */
  stop(): Promise<void>;
}

async function clusterInfo(port: number): Promise<Map<string, string>> {
  const text = await respCommand(port, ['CLUSTER', 'INFO']);
  const info = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) info.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return info;
}

async function replicasSynced(nodes: readonly RedisHandle[]): Promise<boolean> {
  const infos = await Promise.all(
    nodes.map((n) => respCommand(n.port, ['INFO', 'replication']).catch(() => '')),
  );
  return infos.every((text) => !text.includes('role:slave') || text.includes('master_link_status:up'));
}

export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  const total = masters * (1 + replicas);
  const cli = requireExecutable('redis-cli');
  const nodes: RedisHandle[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: total }, (_, i) =>
        startRedis({
          name: `redis-cluster-node-${i + 1}`,
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(opts.nodeTimeoutMs ?? 5000),
            // Replicas sync at once (the default waits 5 s for more replicas before a diskless sync).
            '--repl-diskless-sync-delay',
            '0',
          ],
        }),
      ),
    );
    for (const r of settled) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const started = [...nodes];
    await runCommand(
      cli,
      [
        '--cluster',
        'create',
        ...started.map((n) => `${n.host}:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeoutMs: 60_000 },
    );
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
    for (;;) {
      const infos = await Promise.all(
        started.map((n) => clusterInfo(n.port).catch(() => new Map<string, string>())),
      );
      const ok = infos.every(
        (i) =>
          i.get('cluster_state') === 'ok' &&
          i.get('cluster_slots_ok') === '16384' &&
          i.get('cluster_known_nodes') === String(total),
      );
      // Ready also means every replica has synced with its master once: a replica that never did refuses to
      // be promoted (its data counts as too old), so killing a master right away would not fail over.
      if (ok && (await replicasSynced(started))) break;
      if (Date.now() > deadline) {
        const states = infos
          .map((i, k) => `${started[k]?.port}: ${i.get('cluster_state') ?? '?'}`)
          .join(', ');
        const first = started[0];
        throw new Error(
          `redis cluster not ok after ${opts.readyTimeoutMs ?? 30_000} ms (${states})${first ? `; log of node 1:\n${logTail(first.logFile)}` : ''}`,
        );
      }
      await sleep(100);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    nodes,
    startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    stop: stopAll,
  };
}
