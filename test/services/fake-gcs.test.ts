import { Storage } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { startFakeGcs } from './fake-gcs.js';

describe('startFakeGcs', () => {
  it('serves bucket creation, upload and download, and stop() ends the process', async () => {
    const gcs = await startFakeGcs();
    try {
      expect(gcs.apiEndpoint).toBe(`http://127.0.0.1:${gcs.port}`);
      const storage = new Storage({ apiEndpoint: gcs.apiEndpoint, projectId: 'test' });
      const [bucket] = await storage.createBucket('harness-bucket');
      const payload = Buffer.from('hello from the harness \u00e9\u0000\u00ff');
      await bucket.file('dir/object.bin').save(payload, { contentType: 'application/octet-stream' });
      const [downloaded] = await bucket.file('dir/object.bin').download();
      expect(Buffer.compare(downloaded, payload)).toBe(0);
      const [files] = await bucket.getFiles({ prefix: 'dir/' });
      expect(files.map((f) => f.name)).toEqual(['dir/object.bin']);
    } finally {
      await gcs.stop();
    }
    expect(pidAlive(gcs.pid)).toBe(false);
  });
});
