/**
 * Express has no in-process request injection: the background refresh of stale-while-revalidate asks the same
 * server again, on the local address and port the original request arrived at, marked as a refresh.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import { refreshHeaders } from '../http/refresh-token.js';
import type { CapturedResponse } from '../http/stored-response.js';

const REFRESH_TIMEOUT_MS = 30_000;

export function selfRequest(req: Request): Promise<CapturedResponse> {
  const socket = req.socket;
  const tls = (socket as TLSSocket).encrypted === true;
  const options = {
    host: socket.localAddress,
    port: socket.localPort,
    method: 'GET',
    path: req.originalUrl,
    headers: { ...refreshHeaders(req.headers), host: req.headers.host ?? 'localhost' },
    timeout: REFRESH_TIMEOUT_MS,
    // The process's own socket: its certificate is for the public name, not the local address.
    ...(tls ? { rejectUnauthorized: false, servername: req.hostname } : {}),
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    };
    const r = tls ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    r.on('timeout', () => r.destroy(new Error(`background refresh of ${req.originalUrl} timed out`)));
    r.on('error', reject);
    r.end();
  });
}
