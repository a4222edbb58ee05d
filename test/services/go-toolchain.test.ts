import { describe, expect, it } from 'vitest';
import { COLLECTOR_MIN_GO } from './collector-build.js';
import { FAKE_GCS_MIN_GO } from './fake-gcs.js';
import { parseGoVersion, requireGo } from './go-toolchain.js';

describe('the Go toolchain check', () => {
  it('parses go version output', () => {
    expect(parseGoVersion('go version go1.26.8 linux/amd64')).toEqual([1, 26, 8]);
    expect(parseGoVersion('go version go1.25 linux/arm64')).toEqual([1, 25, 0]);
    expect(() => parseGoVersion('command not found')).toThrow(/cannot parse/);
  });

  it('accepts the Go on this machine for the builder and fake-gcs-server, and rejects a future minimum', async () => {
    expect(await requireGo(COLLECTOR_MIN_GO)).toMatch(/^go version go\d+\.\d+/);
    expect(await requireGo(FAKE_GCS_MIN_GO)).toMatch(/^go version go\d+\.\d+/);
    await expect(requireGo('99.0')).rejects.toThrow(/Go >= 99.0 is required, found: go version/);
  });
});
