import { transform } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * Vite 8 transforms TypeScript with Oxc, which leaves TC39 standard decorators in the output and Node 20 cannot
 * parse them. Files that apply decorators (a line starting with `@name`) are lowered with esbuild first, as
 * tsc does for users (target ES2022, no experimentalDecorators).
 */
const standardDecorators: Plugin = {
  name: 'omnicache:tc39-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!id.endsWith('.ts') || !/^\s*@[A-Za-z]/m.test(code)) return undefined;
    const out = await transform(code, {
      loader: 'ts',
      target: 'es2022',
      format: 'esm',
      sourcefile: id,
      sourcemap: true,
      tsconfigRaw: { compilerOptions: { experimentalDecorators: false, verbatimModuleSyntax: true } },
    });
    return { code: out.code, map: out.map };
  },
};

export default defineConfig({
  plugins: [standardDecorators],
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
