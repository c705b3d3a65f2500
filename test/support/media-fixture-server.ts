import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

/**
 * A plain HTTP server on 127.0.0.1 that plays the media host of the input tests. It counts every
 * connection and every request by path, so a test can prove that a refused URL never reached it
 * and that a retried job did not fetch again. Routes:
 * - `/files/<name>`: the file from `folder`, always as `application/octet-stream` (the server must
 *   decide the type from the bytes, not from the name or this header);
 * - `/flaky/<name>`: 503 on the first request for that name, the file afterwards;
 * - `/redirect?to=<url>`: a 302 to that URL;
 * - `/trickle`: headers promising a megabyte, then one byte every 500 ms for ever (slow-loris);
 * - `/stall`: headers promising a kilobyte, ten bytes, then silence.
 */
export interface MediaFixtureServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly port: number;
  /** `origin` + `/files/` + the file's base name. */
  fileUrl(file: string): string;
  /** Requests received for this path (query excluded). */
  hits(pathname: string): number;
  /** TCP connections accepted since the start. */
  connections(): number;
  /** Connections still open now. */
  openConnections(): number;
  close(): Promise<void>;
}

export async function startMediaFixtureServer(folder: string): Promise<MediaFixtureServer> {
  const hitCounts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let connectionCount = 0;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fixture');
    const count = (hitCounts.get(url.pathname) ?? 0) + 1;
    hitCounts.set(url.pathname, count);
    void route(url, count, request, response).catch(() => response.destroy());
  });
  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function route(url: URL, count: number, request: IncomingMessage, response: ServerResponse) {
    const [, section, name] = url.pathname.split('/');
    if (section === 'files' && name !== undefined) return sendFile(path.join(folder, name), response);
    if (section === 'flaky' && name !== undefined) {
      if (count === 1) return response.writeHead(503).end('try again later');
      return sendFile(path.join(folder, name), response);
    }
    if (section === 'redirect') {
      return response.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    }
    if (section === 'trickle') {
      response.writeHead(200, { 'content-length': String(1024 * 1024) });
      const timer = setInterval(() => response.write('x'), 500);
      timers.add(timer);
      request.socket.once('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
      return undefined;
    }
    if (section === 'stall') {
      response.writeHead(200, { 'content-length': '1024' });
      response.write('0123456789');
      return undefined;
    }
    return response.writeHead(404).end('no such fixture');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    fileUrl: (file) => `${origin}/files/${path.basename(file)}`,
    hits: (pathname) => hitCounts.get(pathname) ?? 0,
    connections: () => connectionCount,
    openConnections: () => sockets.size,
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function sendFile(file: string, response: ServerResponse): Promise<void> {
  const { size } = await stat(file);
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
  createReadStream(file).pipe(response);
}
