/**
 * @file The browser harness: the real back end (src/core/backend) behind the contract over a WebSocket on
 * 127.0.0.1, plus the built renderer and binary routes over HTTP on the same port (wire format in
 * src/shared/ws-protocol.ts). It lets the real UI run and be tested in a browser on machines without the
 * Electron binary.
 *
 * Security: it binds to loopback only, and refuses WebSocket upgrades and uploads whose Origin/Host is not
 * this server, so a web page open in the same browser cannot drive the back end.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '../shared/ws-protocol';
import { BinaryStore } from '../core/backend/binary-store';
import { dispatchCall } from '../core/backend/dispatch';
import { createBackend, type Backend } from '../core/backend/handlers';
import { forkComputeHost, type ComputeClient } from '../core/compute/client';
import { applySavedProviderPreference } from '../core/backend/settings-handlers';
import { openJobStore, type JobStore } from '../core/jobs/store';
import { chromiumPrinter } from '../core/report/pdf';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self' ws://127.0.0.1:* http://127.0.0.1:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Uploads larger than this are refused (a 16k×16k float TIFF is 1 GiB). */
const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export interface HarnessOptions {
  port?: number;
  /** Built renderer (dist-web/). */
  webRoot: string;
  /** App state: jobs.sqlite and uploads/. */
  dataDir: string;
  /** Injected in tests; default forks the compute host. */
  compute?: ComputeClient;
}

export interface Harness {
  url: string;
  backend: Backend;
  jobs: JobStore;
  close(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  await mkdir(opts.dataDir, { recursive: true });
  const uploadDir = join(opts.dataDir, 'uploads');
  const jobs = openJobStore(join(opts.dataDir, 'jobs.sqlite'));
  // Watch jobs back to the queue, interactive ones that can never run again failed (store.ts, Note: interrupted jobs).
  jobs.recoverInterrupted();
  // The Settings workspace's execution-provider preference applies when the compute host starts.
  if (!opts.compute) await applySavedProviderPreference(opts.dataDir);
  const compute = opts.compute ?? forkComputeHost();
  const binaries = new BinaryStore();
  const sockets = new Set<WebSocket>();
  let origin = '';

  const broadcast = (m: ServerMessage) => {
    const text = JSON.stringify(m);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };

  const backend = createBackend({
    compute,
    jobs,
    binaries,
    transport: 'browser-harness',
    resultsDir: join(opts.dataDir, 'results'),
    binaryUrl: (kind, id) => `${origin}/data/${kind}/${id}`,
    // Reports print with headless Chromium (LAB_CHROMIUM or /usr/bin/chromium), one browser per export.
    reportPrinter: () => chromiumPrinter(),
    emit: (name, payload) => broadcast({ type: 'event', name, payload }),
  });

  const sameOrigin = (req: IncomingMessage) => {
    const o = req.headers.origin;
    return o === undefined || o === origin || o === origin.replace('127.0.0.1', 'localhost');
  };

  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!sameOrigin(req)) return send(res, 403, { error: 'Uploads are accepted from this app only.' });
    const name = basename(url.searchParams.get('name') ?? 'upload.bin').replace(/[^\w.\- ]/g, '_') || 'upload.bin';
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_UPLOAD_BYTES) return send(res, 413, { error: `${name} is larger than 2 GiB.` });
      chunks.push(chunk as Buffer);
    }
    // Each upload gets its own folder so two files with one name never overwrite each other.
    const dir = join(uploadDir, randomUUID());
    await mkdir(dir, { recursive: true });
    const path = join(dir, name);
    await writeFile(path, Buffer.concat(chunks), { flag: 'wx' });
    send(res, 200, { path });
  }

  async function serveStatic(res: ServerResponse, pathname: string) {
    const root = resolve(opts.webRoot);
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = resolve(root, rel);
    if (!file.startsWith(root + sep) && file !== root) return send(res, 403, { error: 'Forbidden' });
    if (!existsSync(file) || !(await stat(file)).isFile()) return send(res, 404, { error: `Not found: ${pathname}` });
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', origin || 'http://127.0.0.1');
      const data = /^\/data\/(image|field)\/([\w-]+)$/.exec(url.pathname);
      if (req.method === 'GET' && data) {
        const bytes = binaries.get(data[1] as 'image' | 'field', data[2]);
        if (!bytes) return send(res, 404, { error: 'That image is no longer open; open it again.' });
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength });
        return res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
      if (req.method === 'POST' && url.pathname === '/upload') return await handleUpload(req, res, url);
      if (req.method === 'GET') return await serveStatic(res, url.pathname);
      send(res, 405, { error: 'Method not allowed' });
    } catch (err) {
      send(res, 500, { error: err instanceof Error ? err.message : String(err) });
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 ** 2 });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', origin).pathname !== '/ws' || !sameOrigin(req)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (raw) => {
      let msg: ClientMessage;
      try {
        msg = JSON.parse(String(raw)) as ClientMessage;
      } catch {
        return; // not our client; nothing sensible to answer
      }
      if (msg?.type !== 'call' || typeof msg.id !== 'number') return;
      const result = await dispatchCall(backend.handlers, msg.name, msg.input);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: msg.id, result } satisfies ServerMessage));
    });
  });

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => res());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  void backend.probe();

  return {
    url: `${origin}/`,
    backend,
    jobs,
    async close() {
      // Stops the watch session first: its running jobs go back to the queue before the store closes.
      await backend.shutdown();
      for (const s of sockets) s.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      await compute.close();
      jobs.close();
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return res.end();
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
