// Usage: node fs-writer-child.mjs <module> <dir> <key> <writes> <id>
// Writes `key` repeatedly with self-describing values: [id, length u32 LE, then `length` bytes equal to id].
const [modulePath, dir, key, writes, id] = process.argv.slice(2);
const { fsTier } = await import(modulePath);
const tier = fsTier(dir, { maxBytes: 64 * 1024 * 1024 });
const marker = Number(id);
for (let i = 0; i < Number(writes); i++) {
  const length = 1 + Math.floor(Math.random() * 200_000);
  const value = new Uint8Array(5 + length).fill(marker);
  new DataView(value.buffer).setUint32(1, length, true);
  await tier.set(key, value, { ttlMs: 60_000, tags: ['race'] });
}
await tier.close();
