// TensorFlow.js backend selection: @tensorflow/tfjs-node when it is installed (native, fastest), else the WASM
// backend (@tensorflow/tfjs-backend-wasm, a dependency), else plain CPU.
import * as tf from '@tensorflow/tfjs';

let chosen: Promise<string> | undefined;

async function pick(): Promise<string> {
  try {
    // Optional: not a dependency (its install downloads a native binary). The specifier is a variable so that
    // TypeScript does not require its types.
    const nodeBackend = '@tensorflow/tfjs-node';
    await import(nodeBackend);
    if (await tf.setBackend('tensorflow')) return 'tensorflow';
  } catch {
    // not installed
  }
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) return 'wasm';
  } catch {
    // fall through to cpu
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

/** Selects the backend once per process and returns its name. */
export function ensureTfBackend(): Promise<string> {
  chosen ??= pick().then(async (name) => {
    await tf.ready();
    return name;
  });
  return chosen;
}
