// Reads back everything a tier backend holds, keys and values, for the canary test: every key of a Redis node or
// of every master of a Cluster (any type), every object (data and metadata) of a GCS bucket, every file of a dir.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import type { Cluster, Redis } from 'ioredis';

async function scanNode(node: Redis, out: Buffer[]): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scanBuffer(cursor, 'COUNT', 500);
    cursor = next.toString();
    for (const key of keys) {
      out.push(key);
      const type = await node.type(key);
      if (type === 'string') {
        const v = await node.getBuffer(key);
        if (v) out.push(v);
      } else if (type === 'set') out.push(...(await node.smembersBuffer(key)));
      else if (type === 'zset') out.push(...(await node.zrangeBuffer(key, 0, -1)));
      else if (type === 'hash') out.push(...Object.values(await node.hgetallBuffer(key)));
      else if (type === 'list') out.push(...(await node.lrangeBuffer(key, 0, -1)));
      else if (type !== 'none') throw new Error(`canary scan does not read Redis type ${type}`);
      // 'none': the key expired or was deleted between SCAN and TYPE (other tests share this Redis)
    }
  } while (cursor !== '0');
}

export async function redisContents(client: Redis | Cluster): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const nodes =
    'nodes' in client && typeof client.nodes === 'function'
      ? (client as Cluster).nodes('master')
      : [client as Redis];
  for (const node of nodes) await scanNode(node, out);
  return out;
}

export async function gcsContents(storage: Storage, bucket: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const [files] = await storage.bucket(bucket).getFiles();
  for (const f of files) {
    out.push(Buffer.from(f.name));
    const [data] = await f.download();
    out.push(data);
    const [meta] = await f.getMetadata();
    out.push(Buffer.from(JSON.stringify(meta)));
  }
  return out;
}

export async function dirContents(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    out.push(Buffer.from(path));
    if (e.isFile()) out.push(await readFile(path));
  }
  return out;
}

/** The canary as it could leak: raw UTF-8, hex (both cases), and base64 / base64url at each of the 3 alignments. */
export function canaryForms(canary: string): Buffer[] {
  const raw = Buffer.from(canary, 'utf8');
  const forms = [raw, Buffer.from(raw.toString('hex')), Buffer.from(raw.toString('hex').toUpperCase())];
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
    // drop the characters that depend on the bytes before and after the canary
    const inner = b64.slice(Math.ceil((shift * 4) / 3) + 1, -4);
    forms.push(Buffer.from(inner), Buffer.from(inner.replaceAll('+', '-').replaceAll('/', '_')));
  }
  return forms;
}

/** Where (which stored item) any form of the canary occurs. */
export function findCanary(items: readonly Buffer[], canary: string): string[] {
  const found: string[] = [];
  const forms = canaryForms(canary);
  for (const item of items) {
    for (const f of forms)
      if (item.includes(f)) found.push(`${f.toString()} in ${item.subarray(0, 60).toString('hex')}...`);
  }
  return found;
}
