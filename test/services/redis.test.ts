import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { type RedisHandle, startRedis } from './redis.js';

describe('startRedis', () => {
  let redis: RedisHandle | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('starts a node that answers SET/GET and stop() leaves no process behind', async () => {
    redis = await startRedis();
    expect(redis.host).toBe('127.0.0.1');
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const client = new Redis(redis.port, redis.host);
    try {
      expect(await client.set('harness:k', 'v1')).toBe('OK');
      expect(await client.get('harness:k')).toBe('v1');
    } finally {
      client.disconnect();
    }
    const pid = redis.pid();
    expect(pid).toBeTypeOf('number');
    await redis.stop();
    expect(redis.running()).toBe(false);
    expect(pidAlive(pid ?? -1)).toBe(false);
  });

  it('kill() takes the node down and restart() brings it back on the same port', async () => {
    redis = await startRedis();
    const port = redis.port;
    const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    const connectionErrors: Error[] = [];
    client.on('error', (err: Error) => connectionErrors.push(err));
    try {
      await client.set('before', '1');
      const firstPid = redis.pid();
      await redis.kill();
      expect(redis.running()).toBe(false);
      expect(pidAlive(firstPid ?? -1)).toBe(false);
      await expect(client.get('before')).rejects.toThrow();
      expect(connectionErrors.length).toBeGreaterThan(0);

      await redis.restart();
      expect(redis.port).toBe(port);
      expect(redis.running()).toBe(true);
      expect(redis.pid()).not.toBe(firstPid);
      // No persistence: the restarted node is empty, and the same client reconnects to it.
      await expect.poll(() => client.ping().catch(() => 'down'), { timeout: 10_000 }).toBe('PONG');
      expect(await client.get('before')).toBeNull();
      await client.set('after', '2');
      expect(await client.get('after')).toBe('2');

      // restart() of a running node is a graceful stop + start.
      await redis.restart();
      await expect.poll(() => client.ping().catch(() => 'down'), { timeout: 10_000 }).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('reports a readiness failure with the log tail', async () => {
    await expect(startRedis({ extraArgs: ['--no-such-option', 'x'] })).rejects.toThrow(/no-such-option/);
  });
});
