// Free TCP ports on 127.0.0.1, found by binding port 0; a port is never handed out twice by one process.
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function bindAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(got));
    });
  });
}

/** True when `port` can be bound on 127.0.0.1 right now. */
export async function portIsFree(port: number): Promise<boolean> {
  try {
    await bindAndRelease(port);
    return true;
  } catch {
    return false;
  }
}

/**
 * A port that is free now. With `alsoFreeAt`, the offsets from it must be free too (Redis Cluster's bus port is
 * port + 10000) and stay within 1..65535.
 */
export async function freePort(alsoFreeAt: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await bindAndRelease(0);
    if (handedOut.has(port)) continue;
    if (alsoFreeAt.some((off) => port + off > 65535)) continue;
    let ok = true;
    for (const off of alsoFreeAt) {
      if (!(await portIsFree(port + off))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('could not find a free port on 127.0.0.1');
}

/** Whether an error looks like a lost race for a port (another process bound it first). */
export function isPortClash(err: unknown): boolean {
  return /address already in use|EADDRINUSE|bind: address/i.test((err as Error)?.message ?? '');
}
