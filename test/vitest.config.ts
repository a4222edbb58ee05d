import { defineConfig } from 'vitest/config';

// Integration and end-to-end tests against real servers. globalSetup provisions the server binaries once and
// starts the shared Redis, Redis Cluster and fake-gcs-server (endpoints via inject(), see services/provided-context.ts).
export default defineConfig({
  test: {
    name: 'test',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./services/global-setup.ts'],
    // The first run builds the collector (minutes on 2 cores) inside globalSetup.
    hookTimeout: 180_000,
    testTimeout: 120_000,
    teardownTimeout: 60_000,
    fileParallelism: false,
  },
});
