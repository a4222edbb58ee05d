import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'collector-config',
    include: ['test/**/*.test.ts'],
  },
});
