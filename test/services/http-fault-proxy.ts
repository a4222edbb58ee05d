// An HTTP reverse proxy on a free 127.0.0.1 port in front of a real server (fake-gcs-server), for faults that
// toxiproxy cannot make because they live above TCP: 5xx answers and requests that are accepted but never
// answered. Every request that is not faulted is forwarded unchanged to the upstream.
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type HttpFault =
  | { kind: 'none' }
  /** Answers this fraction of requests with `status` (a JSON error body like GCS's) instead of forwarding them. */
  | { kind: 'error'; status: number; rate: number }
  /** Accepts this fraction of requests and never answers them (the socket stays open until the proxy closes). */
  | { kind: 'stall'; rate: number };

export interface HttpFaultProxyHandle {
  /** http://127.0.0.1:PORT, to use instead of the upstream's URL. */
  readonly url: string;
  setFault(fault: HttpFault): void;
  /** Requests forwarded, answered with an error, stalled; and stalled requests whose client has not given up yet. */
  counts(): { forwarded: number; errored: number; stalled: number; stalledOpen: number };
  stop(): Promise<void>;
}

export async function startHttpFaultProxy(upstream: string): Promise<HttpFaultProxyHandle> {
  const target = new URL(upstream);
  let fault: HttpFault = { kind: 'none' };
  const counts = { forwarded: 0, errored: 0, stalled: 0, stalledOpen: 0 };
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    counts.forwarded++;
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const f = fault;
    if (f.kind === 'error' && Math.random() < f.rate) {
      counts.errored++;
      req.resume();
      const body = JSON.stringify({ error: { code: f.status, message: 'injected fault', errors: [] } });
      res.writeHead(f.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    if (f.kind === 'stall' && Math.random() < f.rate) {
      counts.stalled++;
      counts.stalledOpen++;
      req.resume();
      res.on('close', () => counts.stalledOpen--);
      return; // never answered (until the client cancels the request)
    }
    forward(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('http fault proxy: no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    setFault(next) {
      fault = next;
    },
    counts: () => ({ ...counts }),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
