/**
 * @file The browser harness end to end at the protocol level: real back end, real forked compute host,
 * a WebSocket client like the renderer's. Covers validation, binary fetches, progress, cancellation,
 * jobs and the origin guard.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../shared/ws-protocol';
import { writeTiffFloat32 } from '../core/imageio';
import { startHarness, type Harness } from './server';

let harness: Harness;
let dir: string;
let ws: WebSocket;
let nextId = 1;
const events: { name: string; payload: any }[] = [];
const waiting = new Map<number, (r: any) => void>();

function call(name: string, input: unknown): Promise<any> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    ws.send(JSON.stringify({ type: 'call', id, name, input }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-harness-'));
  const webRoot = join(dir, 'web');
  await mkdir(webRoot);
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>test</title>');
  harness = await startHarness({ port: 0, webRoot, dataDir: join(dir, 'data') });
  ws = new WebSocket(harness.url.replace('http', 'ws') + 'ws', { origin: harness.url.replace(/\/$/, '') });
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as ServerMessage;
    if (m.type === 'result') waiting.get(m.id)?.(m.result);
    else events.push({ name: m.name, payload: m.payload });
  });
  await new Promise((r) => ws.once('open', r));
});

afterAll(async () => {
  ws?.close();
  await harness?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('browser harness', () => {
  it('serves the renderer with a CSP header', async () => {
    const res = await fetch(harness.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('refuses path traversal out of the web root', async () => {
    const res = await fetch(harness.url + '..%2F..%2Fetc%2Fpasswd');
    expect([403, 404]).toContain(res.status);
  });

  it('answers app.info and probes the execution provider (CPU here)', async () => {
    const r = await call('app.info', {});
    expect(r.ok).toBe(true);
    expect(r.value.transport).toBe('browser-harness');
    const deadline = Date.now() + 30_000;
    while (!events.some((e) => e.name === 'app.info') && Date.now() < deadline) await new Promise((s) => setTimeout(s, 100));
    const info = events.find((e) => e.name === 'app.info')!.payload;
    expect(info.executionProvider.active).toBe('cpu');
    expect(info.executionProvider.ortVersion).toMatch(/^\d+\.\d+/);
  });

  it('lists the shipped models with their sha256 and where they were trained', async () => {
    const r = await call('models.list', {});
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const selftest = r.value.models.find((m: { id: string }) => m.id === 'selftest');
    expect(selftest).toMatchObject({ source: 'shipped', task: 'selftest', params: 10 });
    expect(selftest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.value.problems).toEqual([]);
  });

  it('validates input and names the bad field', async () => {
    const r = await call('image.open', { path: 42 });
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('E_INVALID_INPUT');
    expect(r.error.message).toContain('path');
    const unknown = await call('no.such.call', {});
    expect(unknown.error.code).toBe('E_INVALID_INPUT');
  });

  it('opens an image and serves its float32 pixels by URL', async () => {
    const data = Float32Array.from({ length: 12 * 7 }, (_, i) => i * 0.5 - 3);
    const path = join(dir, 'small.tif');
    await writeTiffFloat32(path, { width: 12, height: 7, data });
    const r = await call('image.open', { path });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect([r.value.width, r.value.height]).toEqual([12, 7]);
    const bytes = await (await fetch(r.value.dataUrl)).arrayBuffer();
    expect(Array.from(new Float32Array(bytes))).toEqual(Array.from(data));
  });

  it('reports a bad file with its name and keeps serving', async () => {
    const path = join(dir, 'bad.tif');
    await writeFile(path, 'not an image');
    const r = await call('image.open', { path });
    expect(r.ok).toBe(false);
    expect(r.error.message).toContain('bad.tif');
    expect((await call('app.info', {})).ok).toBe(true);
  });

  it('runs simulate.pair as a job with progress events', async () => {
    const outDir = join(dir, 'sim');
    const r = await call('simulate.pair', { taskId: 't-1', params: { outDir, width: 128, height: 96, field: 'constant:0.5,0' } });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.value.files.some((f: string) => f.endsWith('u.tif'))).toBe(true);
    expect(events.some((e) => e.name === 'task.progress' && e.payload.taskId === 't-1')).toBe(true);
    const jobs = await call('jobs.list', {});
    expect(jobs.value.jobs[0]).toMatchObject({ id: r.value.jobId, state: 'done', resultDir: outDir });
  });

  it('cancels a running task; the job is marked cancelled and no result folder is left', async () => {
    const outDir = join(dir, 'cancelled');
    const pending = call('simulate.pair', { taskId: 't-2', params: { outDir, width: 4096, height: 4096 } });
    await new Promise((s) => setTimeout(s, 300));
    expect((await call('task.cancel', { taskId: 't-2' })).value.cancelled).toBe(true);
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('E_CANCELLED');
    const jobs = await call('jobs.list', {});
    expect(jobs.value.jobs[0].state).toBe('cancelled');
    const { existsSync } = await import('node:fs');
    expect(existsSync(outDir)).toBe(false);
  });

  it('tracks a pair as a job, then reopens the result folder with its float32 maps', async () => {
    const sim = await call('simulate.pair', { taskId: 't-3', params: { outDir: join(dir, 'pair2'), width: 96, height: 80, field: 'constant:0.75,-0.5' } });
    expect(sim.ok, JSON.stringify(sim)).toBe(true);
    const r = await call('track.run', {
      taskId: 't-4',
      params: { refPath: join(dir, 'pair2', 'reference.tif'), defPath: join(dir, 'pair2', 'deformed.tif'), method: 'icgn', step: 4, roi: { x: 16, y: 16, width: 64, height: 48 } },
    });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const u = r.value.opened.maps.find((m: { name: string }) => m.name === 'u');
    expect([u.width, u.height, u.unit]).toEqual([96, 80, 'px']);
    expect(u.stats.mean).toBeCloseTo(0.75, 2);
    const data = new Float32Array(await (await fetch(u.dataUrl)).arrayBuffer());
    expect(data[40 * 96 + 40]).toBeCloseTo(0.75, 2);
    expect(Number.isNaN(data[2 * 96 + 2])).toBe(true); // outside the ROI
    const again = await call('result.open', { dir: r.value.opened.dir });
    expect(again.value.result.method).toBe('icgn');
    expect(again.value.maps.map((m: { name: string }) => m.name)).toContain('quality');
    const missing = await call('result.open', { dir: join(dir, 'nowhere') });
    expect(missing.error.code).toBe('E_NOT_FOUND');
  });

  it('refuses a WebSocket from another origin', async () => {
    const evil = new WebSocket(harness.url.replace('http', 'ws') + 'ws', { origin: 'http://evil.example' });
    const outcome = await new Promise<string>((r) => {
      evil.once('open', () => r('open'));
      evil.once('error', () => r('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
