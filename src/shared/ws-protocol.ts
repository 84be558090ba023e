/**
 * @file Wire format of the browser harness (see Note: One contract, two transports, in contract.ts).
 *
 * WebSocket at ws://127.0.0.1:PORT/ws, JSON text frames:
 *   client → server  {type:'call', id, name, input}
 *   server → client  {type:'result', id, result: Result<output>}
 *                    {type:'event', name, payload}
 * HTTP on the same port:
 *   GET  /                       the built renderer (dist-web/)
 *   GET  /data/<kind>/<id>       raw little-endian float32 pixels of an opened image or field
 *   POST /upload?name=FILE       body = file bytes; answers {path} of a server-side copy (for drag and drop
 *                                and the file input, since a browser cannot hand over real paths)
 */
import type { Result } from './result';

export type ClientMessage = { type: 'call'; id: number; name: string; input: unknown };
export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown };
