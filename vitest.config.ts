import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['sdk/core', 'sdk/cli', 'sdk/demo', 'test', 'collector-config', 'grafana-plugin', 'anomaly'],
  },
});
