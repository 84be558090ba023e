/**
 * @file The contract over the browser harness's WebSocket (see Note: One contract, two transports, in
 * src/shared/contract.ts, and the wire format in src/shared/ws-protocol.ts). Every call in CALL_NAMES is
 * built by one generic function, so a call added to the contract appears here without code. Events are
 * checked against their schemas before listeners see them. The socket reconnects by itself with a growing
 * delay (0.5 s doubling to 5 s); calls are never replayed, because some (simulate.pair) are not idempotent.
 *
 * Socket, fetch and timers are injectable so the client runs under vitest in Node without a browser.
 */
import {
  CALL_NAMES,
  events,
  type CallName,
  type EventName,
  type EventPayload,
  type LabApi,
} from '../../../shared/contract';
import { ContractError, type Result } from '../../../shared/result';
import type { ClientMessage, ServerMessage } from '../../../shared/ws-protocol';
import { PendingCalls, transportError } from './pending';

/** Where the WebSocket is in its life. `closed` is followed by a reconnect attempt unless `close()` was called. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The part of the DOM WebSocket this client uses (a test passes a fake). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsClientOptions {
  /** e.g. ws://127.0.0.1:5180/ws */
  wsUrl: string;
  /** origin of the harness's HTTP routes, e.g. http://127.0.0.1:5180 (for POST /upload) */
  httpBase: string;
  createSocket?: (url: string) => SocketLike;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** reconnect delays in ms: the first, and the ceiling it doubles towards */
  backoff?: { initialMs: number; maxMs: number };
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface WsLabClient {
  /** The contract, exactly the shape of `window.lab` under Electron. */
  api: LabApi;
  /** Current connection state. */
  state(): ConnectionState;
  /** Calls `listener` on every state change; returns an unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
  /** Closes the socket for good (no reconnect) and rejects calls still waiting. */
  close(): void;
}

type Listener = (payload: unknown) => void;

function isServerMessage(m: unknown): m is ServerMessage {
  if (!m || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'result') return typeof (m as { id?: unknown }).id === 'number' && typeof (m as { result?: unknown }).result === 'object';
  if (t === 'event') return typeof (m as { name?: unknown }).name === 'string';
  return false;
}

function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** Reads the server's answer to POST /upload: `{path}`, or an error in one of the shapes a server may send. */
export async function readUploadReply(res: Response, fileName: string): Promise<string> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok && body && typeof (body as { path?: unknown }).path === 'string') return (body as { path: string }).path;
  const envelope = body as { error?: { code?: unknown; message?: unknown } } | null;
  if (envelope?.error && typeof envelope.error.message === 'string') {
    const code = typeof envelope.error.code === 'string' ? envelope.error.code : 'E_UPLOAD';
    throw new ContractError(code, envelope.error.message, fileName);
  }
  const detail = text && text.length < 300 ? `: ${text}` : '';
  throw new ContractError('E_UPLOAD', `Uploading "${fileName}" to the back end failed (HTTP ${res.status})${detail}.`, fileName);
}

export function createWsClient(options: WsClientOptions): WsLabClient {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const doFetch = options.fetch ?? ((url: string, init?: RequestInit) => fetch(url, init));
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 5_000 };
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));

  const pending = new PendingCalls();
  const listeners = new Map<string, Set<Listener>>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  /** Messages of calls made while the socket was not open; sent on open. */
  let queue: { id: number; text: string }[] = [];
  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let delay = backoff.initialMs;
  let timer: unknown = null;
  let closedForGood = false;

  function setState(s: ConnectionState): void {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  }

  function handleMessage(data: unknown): void {
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      console.warn('lab: ignored a WebSocket frame that is not JSON');
      return;
    }
    if (!isServerMessage(msg)) {
      console.warn('lab: ignored a WebSocket message of unknown shape', msg);
      return;
    }
    if (msg.type === 'result') {
      pending.settle(msg.id, msg.result as Result<unknown>);
      return;
    }
    if (!isEventName(msg.name)) return;
    const parsed = events[msg.name].safeParse(msg.payload);
    if (!parsed.success) {
      console.warn(`lab: ignored a ${msg.name} event that does not match the contract`, parsed.error.issues);
      return;
    }
    for (const l of listeners.get(msg.name) ?? []) {
      try {
        l(parsed.data);
      } catch (err) {
        console.error(`lab: a ${msg.name} listener threw`, err);
      }
    }
  }

  function connect(): void {
    timer = null;
    setState('connecting');
    let s: SocketLike;
    try {
      s = createSocket(options.wsUrl);
    } catch (err) {
      // e.g. a page opened from file://, where there is no host to connect to
      onClosed(err instanceof Error ? err.message : String(err));
      return;
    }
    socket = s;
    let opened = false;
    s.onopen = () => {
      opened = true;
      delay = backoff.initialMs;
      setState('open');
      const q = queue;
      queue = [];
      for (const m of q) sendNow(m.id, m.text);
    };
    s.onmessage = (ev) => handleMessage(ev.data);
    s.onerror = () => {
      /* a close event always follows; handled there */
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      onClosed(opened ? 'the connection to the back end was lost' : `cannot reach the back end at ${options.wsUrl}`);
    };
  }

  function onClosed(why: string): void {
    setState('closed');
    const retry = closedForGood ? '' : `; retrying in ${Math.round(delay / 100) / 10} s`;
    for (const m of queue) pending.fail(m.id, transportError(nameOf(m.text), `${why}${retry}.`));
    queue = [];
    pending.rejectAll((name) => transportError(name, `${why}${retry}.`));
    if (closedForGood) return;
    timer = setTimer(connect, delay);
    delay = Math.min(delay * 2, backoff.maxMs);
  }

  function nameOf(text: string): string {
    try {
      return String((JSON.parse(text) as ClientMessage).name);
    } catch {
      return 'call';
    }
  }

  function sendNow(id: number, text: string): void {
    try {
      socket!.send(text);
    } catch (err) {
      pending.fail(id, transportError(nameOf(text), err instanceof Error ? err.message : String(err)));
    }
  }

  /** The one function behind every contract call. */
  function call(name: CallName, input: unknown): Promise<unknown> {
    const { id, promise } = pending.create(name);
    const msg: ClientMessage = { type: 'call', id, name, input: input ?? {} };
    const text = JSON.stringify(msg);
    if (closedForGood) pending.fail(id, transportError(name, 'the client was closed.'));
    else if (state === 'open' && socket) sendNow(id, text);
    else queue.push({ id, text });
    return promise;
  }

  function on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  async function pathForFile(file: File): Promise<string> {
    const url = `${options.httpBase}/upload?name=${encodeURIComponent(file.name)}`;
    let res: Response;
    try {
      res = await doFetch(url, { method: 'POST', body: file, headers: { 'content-type': 'application/octet-stream' } });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ContractError('E_TRANSPORT', `Uploading "${file.name}" to the back end failed: ${why}.`, file.name);
    }
    return readUploadReply(res, file.name);
  }

  const api: Record<string, unknown> = { on, pathForFile };
  for (const name of CALL_NAMES) api[name] = (input: unknown) => call(name, input);

  connect();

  return {
    api: api as LabApi,
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      closedForGood = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
      const s = socket;
      socket = null;
      s?.close(1000, 'client closed');
      onClosed('the client was closed');
    },
  };
}
