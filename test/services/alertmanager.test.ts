import { describe, expect, it } from 'vitest';
import { startAlertmanager } from './alertmanager.js';
import { pidAlive } from './child-processes.js';

describe('startAlertmanager', () => {
  it('is ready, accepts and lists an alert, and stop() ends the process', async () => {
    const am = await startAlertmanager();
    try {
      const ready = await fetch(`${am.url}/-/ready`);
      expect(ready.status).toBe(200);
      const post = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: 'HarnessCheck', severity: 'info' } }]),
      });
      expect(post.status).toBe(200);
      const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{
        labels: Record<string, string>;
      }>;
      expect(alerts.map((a) => a.labels.alertname)).toContain('HarnessCheck');
    } finally {
      await am.stop();
    }
    expect(pidAlive(am.pid)).toBe(false);
  });
});
