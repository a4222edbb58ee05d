import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['sdk', 'test', 'collector-config', 'anomaly'],
  },
});
