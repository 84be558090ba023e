/**
 * @file What the preload puts on `window`. The renderer compiles against this declaration only
 * (tsconfig.web.json), never against Electron or Node types.
 */
import type { LabApi } from '../shared/contract';

declare global {
  interface Window {
    /** Present under Electron (preload); absent in the browser harness, where src/renderer/src/api builds it. */
    lab?: LabApi;
  }
}
export {};
