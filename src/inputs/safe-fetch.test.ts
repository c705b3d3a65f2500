import { spawn, type ChildProcess } from 'node:child_process';
import { lookup as dnsLookup } from 'node:dns';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { parseAllowList } from './allow-list.ts';
import { safeFetchToFile, type SafeFetchOptions } from './safe-fetch.ts';

/** A real HTTP server on a loopback address that records every connection and request. */
interface Fixture {
  readonly port: number;
  readonly origin: string;
  connections: number;
  readonly requests: string[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function startFixture(handler: Handler, host = '127.0.0.1', port = 0): Promise<Fixture> {
  const server = http.createServer((request, response) => {
    fixture.requests.push(request.url ?? '');
    handler(request, response);
  });
  const fixture: Fixture = {
    port: 0,
    origin: '',
    connections: 0,
    requests: [],
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  server.on('connection', () => (fixture.connections += 1));
  server.listen(port, host);
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(fixture, { port: bound, origin: `http://${host}:${bound}` });
}

/** A lookup that answers from a table (or a function of the call number) and counts its calls. */
function fakeLookup(
  answer: (hostname: string, call: number) => string[],
): LookupFunction & { calls: number } {
  const lookup = Object.assign(
    ((hostname, _options, callback) => {
      lookup.calls += 1;
      const addresses = answer(hostname, lookup.calls).map((address) => ({
        address,
        family: address.includes(':') ? 6 : 4,
      }));
      setImmediate(() => callback(null, addresses));
    }) as LookupFunction,
    { calls: 0 },
  );
  return lookup;
}

/** The system resolver, counted. */
function countingSystemLookup(): LookupFunction & { calls: number } {
  const lookup = Object.assign(
    ((hostname, options, callback) => {
      lookup.calls += 1;
      dnsLookup(hostname, options, callback);
    }) as LookupFunction,
    { calls: 0 },
  );
  return lookup;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => new Error('expected the fetch to fail'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const loopbackOnly = parseAllowList('127.0.0.1');
let directory = '';
let fileNumber = 0;
const nextDestination = (): string => path.join(directory, `download-${(fileNumber += 1)}.bin`);
const openFixtures: Fixture[] = [];

async function fixture(handler: Handler, host?: string, port?: number): Promise<Fixture> {
  const started = await startFixture(handler, host, port);
  openFixtures.push(started);
  return started;
}

function options(overrides: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
  return { allow: loopbackOnly, allowHttp: false, maxBytes: 1024 * 1024, ...overrides };
}

const body = Buffer.alloc(200_000, 'reelgate');

/** Serves `body` in pieces; `/redirect/N` redirects N more times (relatively) before serving. */
const serveBody: Handler = (request, response) => {
  const redirect = /^\/redirect\/(\d+)$/.exec(request.url ?? '');
  if (redirect !== null) {
    const remaining = Number(redirect[1]);
    response.writeHead(302, { location: remaining > 1 ? `${remaining - 1}` : '/file' }).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'video/mp4' });
  response.write(body.subarray(0, 100_000));
  setTimeout(() => response.end(body.subarray(100_000)), 10);
};

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'reelgate-safe-fetch-'));
});

afterEach(async () => {
  await Promise.all(openFixtures.splice(0).map((open) => open.close()));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('safeFetchToFile', () => {
  it('streams an allow-listed http URL to the file and reports what it wrote', async () => {
    const server = await fixture(serveBody);
    const destination = nextDestination();
    const result = await safeFetchToFile(`${server.origin}/file`, destination, options());
    expect(result).toEqual({
      bytes: body.length,
      finalUrl: `${server.origin}/file`,
      contentType: 'video/mp4',
    });
    expect((await readFile(destination)).equals(body)).toBe(true);
  });

  it('fetches from an allow-listed IPv6 address', async () => {
    const server = await fixture(serveBody, '::1');
    const result = await safeFetchToFile(
      `http://[::1]:${server.port}/file`,
      nextDestination(),
      options({ allow: parseAllowList('::1') }),
    );
    expect(result.bytes).toBe(body.length);
    expect(server.requests).toEqual(['/file']);
  });

  it('allows a host by name, exactly or by wildcard, and connects to the address it resolved', async () => {
    const server = await fixture(serveBody);
    const lookup = fakeLookup(() => ['127.0.0.1']);
    const allow = parseAllowList('fixture.test, *.fixtures.test');
    for (const host of ['fixture.test', 'media.fixtures.test']) {
      const result = await safeFetchToFile(`http://${host}:${server.port}/file`, nextDestination(), {
        ...options({ allow, lookup }),
      });
      expect(result.bytes).toBe(body.length);
    }
    expect(server.requests).toEqual(['/file', '/file']);
  });

  describe('refuses forbidden addresses before connecting', () => {
    let server: Fixture;
    beforeAll(async () => {
      server = await startFixture(serveBody);
    });
    afterAll(async () => {
      await server.close();
    });

    it.each([
      ['http://127.0.0.1:PORT/', 'loopback'],
      ['http://localhost:PORT/', 'loopback'],
      ['http://[::1]:PORT/', 'loopback'],
      ['http://10.0.0.1:PORT/', 'private'],
      ['http://172.16.0.1:PORT/', 'private'],
      ['http://192.168.1.1:PORT/', 'private'],
      ['http://169.254.169.254/latest/meta-data/', 'link-local'],
      ['http://100.64.0.1:PORT/', 'carrier-grade NAT'],
      ['http://0.0.0.0:PORT/', 'unspecified'],
      ['http://224.0.0.1:PORT/', 'multicast'],
      ['http://[::ffff:127.0.0.1]:PORT/', 'IPv4-mapped loopback'],
      ['http://[::ffff:10.0.0.1]:PORT/', 'IPv4-mapped private'],
      ['http://[2002:7f00:1::]:PORT/', '6to4 of loopback'],
      ['http://[64:ff9b::7f00:1]:PORT/', 'NAT64 of loopback'],
      ['http://[fe80::1]:PORT/', 'link-local'],
      ['http://[fc00::1]:PORT/', 'unique local'],
      ['http://2130706433:PORT/', 'loopback'],
      ['http://0x7f.1:PORT/', 'loopback'],
      ['http://017700000001:PORT/', 'loopback'],
      ['https://127.1:PORT/', 'loopback'],
    ])('%s (%s)', async (template, reason) => {
      const url = template.replace('PORT', String(server.port));
      const lookup = countingSystemLookup();
      const error = await rejection(
        safeFetchToFile(
          url,
          nextDestination(),
          options({ allow: parseAllowList(undefined), allowHttp: true, lookup }),
        ),
      );
      expect(error.code).toBe('input_forbidden');
      expect(error.message).toMatch(/^URL may not be fetched: host .* a forbidden address \(/);
      expect(error.message).toContain(`(${reason})`);
      // Only a real host name is resolved; IP literals in any spelling never reach DNS.
      expect(lookup.calls).toBe(url.includes('localhost') ? 1 : 0);
      expect(server.connections).toBe(0);
    });
  });

  it('resolves once and connects to that answer, so DNS rebinding cannot reach a private host', async () => {
    // 127.0.0.1 plays the public address (allow-listed); 127.0.0.2 plays the private one.
    const allowed = await fixture(serveBody);
    const secret = await fixture(serveBody, '127.0.0.2', allowed.port);
    const lookup = fakeLookup((_hostname, call) => [call === 1 ? '127.0.0.1' : '127.0.0.2']);
    const result = await safeFetchToFile(
      `http://rebind.test:${allowed.port}/file`,
      nextDestination(),
      options({ lookup }),
    );
    expect(result.bytes).toBe(body.length);
    expect(lookup.calls).toBe(1);
    expect(allowed.requests).toEqual(['/file']);
    expect(secret.connections).toBe(0);
  });

  it('refuses a host when any one of its addresses is forbidden', async () => {
    const server = await fixture(serveBody);
    for (const addresses of [
      ['93.184.216.34', '10.0.0.5'],
      ['127.0.0.1', '127.0.0.2'],
    ]) {
      const lookup = fakeLookup(() => addresses);
      const error = await rejection(
        safeFetchToFile(
          `http://multi.test:${server.port}/file`,
          nextDestination(),
          options({ lookup, allowHttp: true }),
        ),
      );
      expect(error.code).toBe('input_forbidden');
      expect(error.message).toMatch(
        /host multi\.test resolves to (10\.0\.0\.5|127\.0\.0\.2), a forbidden address \((private|loopback)\)/,
      );
    }
    expect(server.connections).toBe(0);
  });

  it('refuses a redirect to a forbidden address, naming the redirect', async () => {
    const secret = await fixture(serveBody, '127.0.0.2');
    const server = await fixture((_request, response) => {
      response.writeHead(302, { location: `${secret.origin}/file` }).end();
    });
    const error = await rejection(safeFetchToFile(`${server.origin}/start`, nextDestination(), options()));
    expect(error.code).toBe('input_forbidden');
    expect(error.message).toBe(
      `redirect 1 (to ${secret.origin}) may not be fetched: host 127.0.0.2 is a forbidden address (loopback)`,
    );
    expect(secret.connections).toBe(0);
  });

  it('never follows a redirect to another scheme', async () => {
    const server = await fixture((_request, response) => {
      response.writeHead(301, { location: 'file:///etc/passwd' }).end();
    });
    const error = await rejection(safeFetchToFile(`${server.origin}/start`, nextDestination(), options()));
    expect(error.code).toBe('input_forbidden');
    expect(error.message).toBe(
      'redirect 1 (to file:) may not be fetched: scheme "file:" is not allowed (only https)',
    );
  });

  it('follows up to three relative redirects and refuses a fourth', async () => {
    const server = await fixture(serveBody);
    const result = await safeFetchToFile(`${server.origin}/redirect/3`, nextDestination(), options());
    expect(result.finalUrl).toBe(`${server.origin}/file`);
    expect(server.requests).toEqual(['/redirect/3', '/redirect/2', '/redirect/1', '/file']);

    const error = await rejection(
      safeFetchToFile(`${server.origin}/redirect/4`, nextDestination(), options()),
    );
    expect(error.code).toBe('input_forbidden');
    expect(error.message).toBe('URL may not be fetched: more than 3 redirects');
  });

  it('refuses plain http, credentials and other schemes unless trusted', async () => {
    const lookup = fakeLookup(() => ['93.184.216.34']);
    const refusals = [
      ['http://public.test/video.mp4', 'plain http is not allowed; use https'],
      [
        'https://user:secret@public.test/video.mp4',
        'credentials in the URL (user:password@) are not allowed',
      ],
      ['ftp://public.test/video.mp4', 'scheme "ftp:" is not allowed (only https)'],
      ['not a url', 'URL is not a valid absolute URL'],
    ];
    for (const [url = '', message = ''] of refusals) {
      const error = await rejection(safeFetchToFile(url, nextDestination(), options({ lookup })));
      expect(error.code).toBe('input_forbidden');
      expect(error.message).toContain(message);
    }
  });

  it('refuses a body over maxBytes up front from Content-Length, and mid-stream without it', async () => {
    const server = await fixture((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-length': '1000' }).end(Buffer.alloc(1000));
        return;
      }
      // Chunked, no length: the limit is only found out while writing.
      response.writeHead(200);
      const timer = setInterval(() => response.write(Buffer.alloc(16_384)), 5);
      response.on('close', () => clearInterval(timer));
    });
    const declaredDestination = nextDestination();
    const declared = await rejection(
      safeFetchToFile(`${server.origin}/declared`, declaredDestination, options({ maxBytes: 100 })),
    );
    expect(declared.code).toBe('input_rejected');
    expect(declared.message).toBe('URL is too large: Content-Length 1000 bytes exceeds the 100-byte limit');
    expect(existsSync(declaredDestination)).toBe(false);

    const streamedDestination = nextDestination();
    const streamed = await rejection(
      safeFetchToFile(`${server.origin}/endless`, streamedDestination, options({ maxBytes: 100_000 })),
    );
    expect(streamed.code).toBe('input_rejected');
    expect(streamed.message).toBe('URL is too large: the body exceeds the 100000-byte limit');
    expect(existsSync(streamedDestination)).toBe(false);
  });

  it('cuts a slow-loris server at the total timeout and removes the partial file', async () => {
    const server = await fixture((_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4' });
      response.write('x');
      const timer = setInterval(() => response.write('x'), 1000);
      response.on('close', () => clearInterval(timer));
    });
    const destination = nextDestination();
    const started = Date.now();
    const error = await rejection(
      safeFetchToFile(`${server.origin}/slow`, destination, options({ totalTimeoutMs: 1000 })),
    );
    expect(Date.now() - started).toBeLessThan(1800);
    expect(error.code).toBe('input_unreachable');
    expect(error.message).toBe('URL could not be fetched: timed out after 1000 ms');
    expect(error.retryable).toBe(true);
    expect(existsSync(destination)).toBe(false);
  });

  it('gives up on a server that accepts but never answers (total and idle timeouts)', async () => {
    const silent = net.createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    try {
      const total = await rejection(
        safeFetchToFile(url, nextDestination(), options({ totalTimeoutMs: 400 })),
      );
      expect(total.message).toBe('URL could not be fetched: timed out after 400 ms');
      const idle = await rejection(safeFetchToFile(url, nextDestination(), options({ idleTimeoutMs: 300 })));
      expect(idle.code).toBe('input_unreachable');
      expect(idle.message).toBe('URL could not be fetched: timed out after 300 ms without receiving data');
    } finally {
      silent.close();
    }
  });

  it('gives up on a connection that is never accepted (connect timeout)', async () => {
    const listener = await startUnacceptingListener();
    try {
      const error = await rejection(
        safeFetchToFile(
          `http://127.0.0.1:${listener.port}/`,
          nextDestination(),
          options({ connectTimeoutMs: 300 }),
        ),
      );
      expect(error.code).toBe('input_unreachable');
      expect(error.message).toBe(
        `URL could not be fetched: timed out after 300 ms connecting to 127.0.0.1:${listener.port}`,
      );
    } finally {
      listener.close();
    }
  });

  it('reports an HTTP error status as unreachable, naming it', async () => {
    const server = await fixture((request, response) => {
      response.writeHead(request.url === '/missing' ? 404 : 503).end('no');
    });
    const destination = nextDestination();
    const missing = await rejection(safeFetchToFile(`${server.origin}/missing`, destination, options()));
    expect(missing.code).toBe('input_unreachable');
    expect(missing.message).toBe('URL could not be fetched: HTTP 404 Not Found');
    expect(missing.retryable).toBe(false);
    expect(existsSync(destination)).toBe(false);
    const busy = await rejection(safeFetchToFile(`${server.origin}/busy`, nextDestination(), options()));
    expect(busy.message).toBe('URL could not be fetched: HTTP 503 Service Unavailable');
    expect(busy.retryable).toBe(true);
  });

  it('reports a refused connection and a cut-short body as unreachable, removing the file', async () => {
    const closed = await fixture(serveBody);
    await closed.close();
    const refused = await rejection(safeFetchToFile(`${closed.origin}/file`, nextDestination(), options()));
    expect(refused.code).toBe('input_unreachable');
    expect(refused.message).toBe('URL could not be fetched: the connection failed (ECONNREFUSED)');
    expect(refused.retryable).toBe(true);

    const server = await fixture((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write(Buffer.alloc(10));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const destination = nextDestination();
    const cut = await rejection(safeFetchToFile(`${server.origin}/cut`, destination, options()));
    expect(cut.code).toBe('input_unreachable');
    expect(cut.message).toMatch(/^URL could not be fetched: the connection failed \(/);
    expect(existsSync(destination)).toBe(false);
  });

  it('reports a destination that cannot be written as an internal error, not as the URL', async () => {
    const server = await fixture(serveBody);
    const destination = path.join(directory, 'missing-folder', 'download.bin');
    const error = await rejection(safeFetchToFile(`${server.origin}/file`, destination, options()));
    expect(error.code).toBe('internal_error');
    expect(error.message).toContain('could not write the download: ENOENT');
  });

  it('stops when the caller aborts, removing the partial file', async () => {
    const server = await fixture((_request, response) => {
      response.writeHead(200);
      const timer = setInterval(() => response.write('x'), 20);
      response.on('close', () => clearInterval(timer));
    });
    const destination = nextDestination();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await rejection(
      safeFetchToFile(`${server.origin}/trickle`, destination, options({ signal: controller.signal })),
    );
    expect(error.code).toBe('cancelled');
    expect(existsSync(destination)).toBe(false);

    const before = server.connections;
    const early = await rejection(
      safeFetchToFile(
        `${server.origin}/trickle`,
        nextDestination(),
        options({ signal: AbortSignal.abort() }),
      ),
    );
    expect(early.code).toBe('cancelled');
    expect(server.connections).toBe(before);
  });
});

/**
 * A TCP port whose listener never calls accept(): a child Node process listens with a backlog
 * of 1 and then blocks its event loop. Once queued connections fill the backlog, the
 * kernel leaves every further SYN unanswered, so connecting hangs like a black-holed host.
 */
async function startUnacceptingListener(): Promise<{ port: number; close(): void }> {
  const script = `
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(server.address().port) + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
    });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  const fillers: net.Socket[] = [];
  // Fill the queue until a connection attempt stays pending.
  for (let attempt = 0; attempt < 16; attempt += 1) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await Promise.race([
      once(socket, 'connect').then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
    ]);
    if (!connected) break;
  }
  return {
    port,
    close() {
      for (const socket of fillers) socket.destroy();
      child.kill();
    },
  };
}
