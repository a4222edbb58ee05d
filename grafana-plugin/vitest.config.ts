import { defineConfig } from 'vitest/config';

// Transform unit tests and component tests (jsdom, the real @grafana/ui and @grafana/data).
export default defineConfig({
  test: {
    name: 'grafana-plugin',
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['./test/jsdom-setup.ts'],
    // @grafana/* ship ESM that imports CommonJS packages by named exports (moment-timezone, ...): let vite
    // transform them instead of Node's loader.
    server: { deps: { inline: [/@grafana\//] } },
  },
});
