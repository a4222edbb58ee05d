import { DecryptCommand, GenerateDataKeyCommand, KMSClient, ReEncryptCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { pidAlive } from './child-processes.js';
import { startLocalKms } from './local-kms.js';

describe('startLocalKms', () => {
  it('serves GenerateDataKey / Decrypt / ReEncrypt on 127.0.0.1 with the seeded keys, and stop() ends it', async () => {
    const kms = await startLocalKms();
    const client = new KMSClient({
      endpoint: kms.endpoint,
      region: kms.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    try {
      expect(kms.endpoint).toBe(`http://127.0.0.1:${kms.port}`);
      const context = { purpose: 'harness' };
      const dk = await client.send(
        new GenerateDataKeyCommand({ KeyId: kms.keyArns[0], KeySpec: 'AES_256', EncryptionContext: context }),
      );
      expect(dk.Plaintext?.length).toBe(32);
      expect(dk.KeyId).toBe(kms.keyArns[0]);
      const back = await client.send(
        new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }),
      );
      expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
      // the encryption context is enforced
      await expect(
        client.send(
          new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { purpose: 'other' } }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
      // aliases resolve; ReEncrypt moves a ciphertext to the second key
      const re = await client.send(
        new ReEncryptCommand({
          CiphertextBlob: dk.CiphertextBlob,
          SourceEncryptionContext: context,
          DestinationKeyId: 'alias/omnicache-test-b',
          DestinationEncryptionContext: context,
        }),
      );
      expect(re.KeyId).toBe(kms.keyArns[1]);
    } finally {
      client.destroy();
      await kms.stop();
    }
    expect(pidAlive(kms.pid)).toBe(false);
  });
});
