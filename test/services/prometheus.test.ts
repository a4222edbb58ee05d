import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { startPrometheus } from './prometheus.js';

interface QueryResponse {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('startPrometheus', () => {
  it('is ready, scrapes itself with the given config, reloads, and stop() ends the process', async () => {
    const config = (job: string, port: number) => `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: ${job}
    static_configs:
      - targets: ['127.0.0.1:${port}']
`;
    const rules = `groups:
  - name: harness
    rules:
      - record: harness:up
        expr: up
`;
    // The port is only known once Prometheus runs: start scraping a dead target, then reload() to scrape itself.
    const prom = await startPrometheus({ config: config('before-reload', 1), files: { 'rules.yml': rules } });
    try {
      const ready = await fetch(`${prom.url}/-/ready`);
      expect(ready.status).toBe(200);
      await prom.reload(config('self', prom.port));
      const query = async (q: string) => {
        const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
        return (await res.json()) as QueryResponse;
      };
      await expect
        .poll(async () => (await query('harness:up{job="self"}')).data.result[0]?.value[1], {
          timeout: 20_000,
          interval: 500,
        })
        .toBe('1');
      expect(prom.remoteWriteUrl).toBe(`${prom.url}/api/v1/write`);
    } finally {
      await prom.stop();
    }
    expect(pidAlive(prom.pid)).toBe(false);
  });

  it('fails with the log tail on an invalid config', async () => {
    await expect(startPrometheus({ config: 'scrape_configs: [[[' })).rejects.toThrow(
      /prometheus:\d+ exited.*log .*Error loading config/s,
    );
  });
});
