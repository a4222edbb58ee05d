import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMetricsDoc } from '../../src/telemetry/metrics-doc.js';

const docPath = fileURLToPath(new URL('../../../../docs/metrics.md', import.meta.url));

describe('docs/metrics.md', () => {
  it('is up to date with sdk/core/src/telemetry/conventions.ts', () => {
    let current = '';
    try {
      current = readFileSync(docPath, 'utf8');
    } catch {
      // missing file: reported by the comparison below
    }
    expect(
      current === renderMetricsDoc(),
      'docs/metrics.md is stale: run `node scripts/pnpm.mjs --filter omnicache run docs:metrics`',
    ).toBe(true);
  });
});
