/** Real HTTP requests (undici) for the integration tests; servers listen on 127.0.0.1 only. */
import { request } from 'undici';

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Res> {
  return send(base, 'GET', path, headers);
}

export async function send(
  base: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD',
  path: string,
  headers: Record<string, string> = {},
): Promise<Res> {
  const r = await request(base + path, { method, headers });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
