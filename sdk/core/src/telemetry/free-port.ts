import { createServer } from 'node:net';

/** A free TCP port on `host`: `preferred` when it is free, otherwise one the OS picks. */
export async function freePort(preferred: number, host = '127.0.0.1'): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, host, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? preferred;
}
