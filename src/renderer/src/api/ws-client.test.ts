import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../../shared/contract';
import { ContractError } from '../../../shared/result';
import { PendingCalls } from './pending';
import { createWsClient, readUploadReply, type SocketLike, type WsClientOptions } from './ws-client';

class FakeSocket implements SocketLike {
  sent: unknown[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop() {
    this.onclose?.({});
  }
}

function setup(extra: Partial<WsClientOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const client = createWsClient({
    wsUrl: 'ws://127.0.0.1:1/ws',
    httpBase: 'http://127.0.0.1:1',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    ...extra,
  });
  return { client, sockets, timers, last: () => sockets[sockets.length - 1] };
}

const appInfo = {
  appVersion: '0.1.0',
  transport: 'browser-harness',
  node: '22',
  platform: 'linux-x64',
  executionProvider: null,
  capabilities: { nativeDialogs: false },
};

describe('PendingCalls', () => {
  it('resolves by id and rebuilds ContractError from the envelope', async () => {
    const p = new PendingCalls();
    const a = p.create('a');
    const b = p.create('b');
    expect(a.id).not.toBe(b.id);
    expect(p.settle(b.id, { ok: false, error: { code: 'E_NOT_FOUND', message: 'No such file (x.tif).', file: 'x.tif' } })).toBe(true);
    expect(p.settle(a.id, { ok: true, value: 42 })).toBe(true);
    await expect(a.promise).resolves.toBe(42);
    const err = await b.promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ code: 'E_NOT_FOUND', file: 'x.tif', message: 'No such file (x.tif).' });
    expect(p.settle(a.id, { ok: true, value: 1 })).toBe(false);
    expect(p.size).toBe(0);
  });

  it('rejectAll rejects every outstanding call once', async () => {
    const p = new PendingCalls();
    const a = p.create('image.open');
    const b = p.create('jobs.list');
    expect(p.rejectAll((n) => new Error(`lost ${n}`))).toBe(2);
    await expect(a.promise).rejects.toThrow('lost image.open');
    await expect(b.promise).rejects.toThrow('lost jobs.list');
    expect(p.size).toBe(0);
  });
});

describe('createWsClient', () => {
  it('builds every contract call and queues calls until the socket opens', async () => {
    const { client, last } = setup();
    for (const name of CALL_NAMES) expect(typeof client.api[name]).toBe('function');
    const promise = client.api['app.info']({});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ type: 'call', id: 1, name: 'app.info', input: {} }]);
    last().receive({ type: 'result', id: 1, result: { ok: true, value: appInfo } });
    await expect(promise).resolves.toEqual(appInfo);
    expect(client.state()).toBe('open');
  });

  it('turns a failed result into a thrown ContractError', async () => {
    const { client, last } = setup();
    last().open();
    const p = client.api['image.open']({ path: '/nope.tif' });
    const id = (last().sent[0] as { id: number }).id;
    last().receive({ type: 'result', id, result: { ok: false, error: { code: 'E_NOT_FOUND', message: 'No such file (/nope.tif).', file: '/nope.tif' } } });
    await expect(p).rejects.toMatchObject({ name: 'ContractError', code: 'E_NOT_FOUND', file: '/nope.tif' });
  });

  it('matches replies by id when they arrive out of order', async () => {
    const { client, last } = setup();
    last().open();
    const a = client.api['jobs.list']({ limit: 5 });
    const b = client.api['image.close']({ id: 'x' });
    last().receive({ type: 'result', id: 2, result: { ok: true, value: { closed: true } } });
    last().receive({ type: 'result', id: 1, result: { ok: true, value: { jobs: [], total: 0 } } });
    await expect(b).resolves.toEqual({ closed: true });
    await expect(a).resolves.toEqual({ jobs: [], total: 0 });
  });

  it('delivers valid events to listeners, drops malformed ones, and unsubscribes', () => {
    const { client, last } = setup();
    last().open();
    const seen: number[] = [];
    const off = client.api.on('jobs.changed', (p) => seen.push(p.count));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    last().receive({ type: 'event', name: 'jobs.changed', payload: { count: 3 } });
    last().receive({ type: 'event', name: 'jobs.changed', payload: { count: 'three' } });
    last().receive('not an object');
    off();
    last().receive({ type: 'event', name: 'jobs.changed', payload: { count: 4 } });
    warn.mockRestore();
    expect(seen).toEqual([3]);
  });

  it('rejects waiting calls when the connection drops and reconnects with growing delays', async () => {
    const { client, sockets, timers, last } = setup();
    const states: string[] = [];
    client.onState((s) => states.push(s));
    last().open();
    const p = client.api['app.info']({});
    last().drop();
    await expect(p).rejects.toMatchObject({ code: 'E_TRANSPORT' });
    expect(timers.map((t) => t.ms)).toEqual([500]);
    timers[0].fn();
    expect(sockets).toHaveLength(2);
    last().drop(); // never opened
    expect(timers.map((t) => t.ms)).toEqual([500, 1000]);
    timers[1].fn();
    last().open();
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
    // after a successful open the delay starts again from the beginning
    last().drop();
    expect(timers[2].ms).toBe(500);
  });

  it('rejects calls queued while the back end cannot be reached', async () => {
    const { client, last } = setup();
    const p = client.api['app.info']({});
    last().drop();
    await expect(p).rejects.toThrow(/cannot reach the back end/);
  });

  it('close() stops reconnecting', () => {
    const { client, timers, last } = setup();
    last().open();
    client.close();
    expect(last().closed).toBe(true);
    expect(timers).toHaveLength(0);
    expect(client.state()).toBe('closed');
  });

  it('pathForFile POSTs the bytes to /upload with the encoded name and returns the path', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const { client } = setup({
      fetch: async (url, init) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ path: '/tmp/up/a b.tif' }), { status: 200 });
      },
    });
    const file = new File([new Uint8Array([1, 2, 3])], 'a b#.tif');
    await expect(client.api.pathForFile(file)).resolves.toBe('/tmp/up/a b.tif');
    expect(calls[0].url).toBe('http://127.0.0.1:1/upload?name=a%20b%23.tif');
    expect(calls[0].init?.method).toBe('POST');
    expect(calls[0].init?.body).toBe(file);
  });
});

describe('readUploadReply', () => {
  it('passes on an error envelope and names the file otherwise', async () => {
    await expect(
      readUploadReply(new Response(JSON.stringify({ ok: false, error: { code: 'E_IO', message: 'Disk full.' } }), { status: 500 }), 'x.tif'),
    ).rejects.toMatchObject({ code: 'E_IO', message: 'Disk full.' });
    await expect(readUploadReply(new Response('too big', { status: 413 }), 'x.tif')).rejects.toThrow(
      'Uploading "x.tif" to the back end failed (HTTP 413): too big.',
    );
  });
});
