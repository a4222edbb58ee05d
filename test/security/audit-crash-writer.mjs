// Child process for audit-crash.test.ts: appends audit records as fast as it can (64 in flight) and prints the
// sequence number of every acknowledged record on stdout (a pipe: written synchronously on Linux, so what the
// parent reads was acknowledged before the SIGKILL). Args: <log path> <hex HMAC secret>.
import { jsonlAuditSink, openAuditLog } from 'omnicache';

const [path, secretHex] = process.argv.slice(2);
const log = await openAuditLog({
  sinks: [
    jsonlAuditSink({
      path,
      checkpoints: { key: Buffer.from(secretHex, 'hex'), everyRecords: 200, everyMs: 50 },
    }),
  ],
  actor: `writer-${process.pid}`,
});
process.stdout.write(`ready ${log.lastSeq}\n`);
let i = 0;
async function worker() {
  for (;;) {
    const r = await log.append({
      action: 'access.denied',
      target: `key-${i++}`,
      outcome: 'denied',
      details: { pid: process.pid, pad: 'x'.repeat(i % 200) },
    });
    process.stdout.write(`${r.seq}\n`);
  }
}
await Promise.all(Array.from({ length: 64 }, worker));
