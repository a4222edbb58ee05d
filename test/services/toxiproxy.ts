// Toxiproxy (fault injection: latency, resets, outages), built from its Go module and cached, on a free 127.0.0.1
// port; proxies and toxics are managed through its HTTP API.
import { freePort } from './free-port.js';
import { goInstall } from './go-toolchain.js';
import { startHttpService } from './http-service.js';

export const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0';
/** Its go.mod asks for an older Go than the other Go tools here; the same floor keeps the check uniform. */
export const TOXIPROXY_MIN_GO = '1.22.0';

/** Installs the toxiproxy server once into the cache; returns the binary path (`go install` names it `server`). */
export function ensureToxiproxy(): Promise<string> {
  return goInstall(TOXIPROXY_MODULE, 'server', TOXIPROXY_MIN_GO);
}

export interface ToxiproxyProxy {
  readonly name: string;
  /** 127.0.0.1:PORT clients connect to instead of the upstream. */
  readonly listen: string;
  readonly port: number;
  /** Adds latency (ms, with jitter) to data flowing from the upstream to the client. */
  addLatency(latencyMs: number, jitterMs?: number): Promise<void>;
  /**
   * Adds any toxic (https://github.com/Shopify/toxiproxy#toxics): `latency`, `bandwidth` ({ rate } KB/s),
   * `reset_peer` ({ timeout } ms), `timeout`, `slow_close`, `slicer`, `limit_data`. Returns its name.
   */
  addToxic(
    type: string,
    attributes: Record<string, number>,
    stream?: 'upstream' | 'downstream',
  ): Promise<string>;
  /** Disabled: the proxy closes its connections and refuses new ones (a network partition); enabled again: back. */
  setEnabled(enabled: boolean): Promise<void>;
  /** Removes every toxic of this proxy. */
  clearToxics(): Promise<void>;
}

export interface ToxiproxyHandle {
  /** http://127.0.0.1:PORT (the API). */
  readonly url: string;
  readonly logFile: string;
  readonly pid: number;
  /** A proxy on a free 127.0.0.1 port to `upstream` (host:port). */
  createProxy(name: string, upstream: string): Promise<ToxiproxyProxy>;
  stop(): Promise<void>;
}

async function api(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`toxiproxy ${method} ${url} failed (${res.status}): ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function startToxiproxy(opts: { readyTimeoutMs?: number } = {}): Promise<ToxiproxyHandle> {
  const bin = await ensureToxiproxy();
  const service = await startHttpService({
    name: 'toxiproxy',
    command: bin,
    args: (port) => ['-host', '127.0.0.1', '-port', String(port)],
    readyPath: '/version',
    readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
  });
  const base = service.url;
  return {
    url: base,
    logFile: service.logFile,
    pid: service.pid,
    async createProxy(name, upstream) {
      const port = await freePort();
      const listen = `127.0.0.1:${port}`;
      await api(`${base}/proxies`, 'POST', { name, listen, upstream, enabled: true });
      const proxyUrl = `${base}/proxies/${encodeURIComponent(name)}`;
      const toxicsUrl = `${proxyUrl}/toxics`;
      let seq = 0;
      const addToxic = async (
        type: string,
        attributes: Record<string, number>,
        stream: 'upstream' | 'downstream' = 'downstream',
      ) => {
        const toxic = `${type}_${stream}_${++seq}`;
        await api(toxicsUrl, 'POST', { name: toxic, type, stream, toxicity: 1, attributes });
        return toxic;
      };
      return {
        name,
        listen,
        port,
        async addLatency(latencyMs, jitterMs = 0) {
          await addToxic('latency', { latency: latencyMs, jitter: jitterMs });
        },
        addToxic,
        async setEnabled(enabled) {
          await api(proxyUrl, 'POST', { enabled });
        },
        async clearToxics() {
          const toxics = (await api(toxicsUrl, 'GET')) as { name: string }[];
          for (const t of toxics) await api(`${toxicsUrl}/${encodeURIComponent(t.name)}`, 'DELETE');
        },
      };
    },
    stop: service.stop,
  };
}
