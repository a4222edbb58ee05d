// One Redis command over a fresh connection, without a client library: enough for readiness checks
// (PING, CLUSTER INFO) before any test client connects.
import { connect } from 'node:net';

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Parses one non-array RESP reply; returns undefined while the reply is incomplete. */
function parseReply(buf: string): string | Error | undefined {
  const eol = buf.indexOf('\r\n');
  if (eol < 0) return undefined;
  const head = buf.slice(1, eol);
  switch (buf[0]) {
    case '+':
    case ':':
      return head;
    case '-':
      return new Error(head);
    case '$': {
      const len = Number(head);
      if (len < 0) return '';
      const body = Buffer.from(buf.slice(eol + 2));
      return body.length >= len + 2 ? body.subarray(0, len).toString() : undefined;
    }
    default:
      return new Error(`unexpected RESP reply: ${buf.slice(0, 40)}`);
  }
}

export function respCommand(
  port: number,
  args: readonly string[],
  host = '127.0.0.1',
  timeoutMs = 2_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let buf = '';
    const done = (err: Error | undefined, value?: string) => {
      sock.destroy();
      if (err) reject(err);
      else resolve(value ?? '');
    };
    sock.setTimeout(timeoutMs, () =>
      done(new Error(`redis ${host}:${port} did not answer ${args[0]} in ${timeoutMs} ms`)),
    );
    sock.on('error', (err) => done(err));
    sock.on('connect', () => sock.write(encode(args)));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const reply = parseReply(buf);
      if (reply === undefined) return;
      if (reply instanceof Error) done(reply);
      else done(undefined, reply);
    });
  });
}
