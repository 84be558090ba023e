/**
 * @file The contract: every call and event between the renderer and the back end, defined once.
 *
 * Note: One contract, two transports. Each call is `name → input schema → output schema`. In Electron the
 * preload exposes exactly these names on `window.lab` over ipcRenderer.invoke, and main validates input and
 * sender before dispatching. In the browser harness (src/harness) the same names travel over a WebSocket on
 * 127.0.0.1 and are validated the same way by `dispatchCall` (src/core/backend/dispatch.ts). Large arrays
 * never travel as JSON: calls return a `dataUrl` (the `lab-data:` protocol in Electron, an HTTP route in the
 * harness) that the renderer fetches as raw little-endian float32.
 *
 * This file is imported by every layer, so it may import zod and nothing else.
 */
import { z } from 'zod';

// ---------- shared DTOs ----------

export const PixelSizeSchema = z.object({ x: z.number(), y: z.number(), source: z.string() });

export const ImageMetaSchema = z.object({
  format: z.enum(['tiff', 'png', 'jpeg', 'bmp']),
  sampleType: z.enum(['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'float32', 'float64']),
  bitsPerSample: z.number(),
  samplesPerPixel: z.number(),
  colour: z.enum(['grey', 'grey-alpha', 'rgb', 'rgba', 'palette']),
  greyRule: z.string().optional(),
  pageCount: z.number(),
  byteOrder: z.enum(['little', 'big']).optional(),
  compression: z.string().optional(),
  pixelSize: PixelSizeSchema.optional(),
  vendor: z.record(z.string(), z.string()).optional(),
});

export const ImageStatsSchema = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  std: z.number(),
  /** pixels that are NaN or ±Inf (float files) */
  nonFinite: z.number(),
  /** 256-bin histogram over [min, max] of the finite pixels */
  histogram: z.array(z.number()),
});

export const OpenedImageSchema = z.object({
  /** handle for binary fetches; valid for this session */
  id: z.string(),
  path: z.string(),
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  sizeBytes: z.number(),
  sha256: z.string(),
  meta: ImageMetaSchema,
  stats: ImageStatsSchema,
  /** URL of the raw float32 little-endian pixels, row-major, width*height*4 bytes */
  dataUrl: z.string(),
});

export const ExecutionProviderSchema = z.object({
  /** provider that actually created the probe session, e.g. "cpu", "cuda", "dml", "coreml" */
  active: z.string(),
  /** providers tried in order, with why each one that failed did */
  tried: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
  ortVersion: z.string(),
});

export const AppInfoSchema = z.object({
  appVersion: z.string(),
  transport: z.enum(['electron', 'browser-harness']),
  node: z.string(),
  electron: z.string().optional(),
  platform: z.string(),
  /** null until the compute host has probed ONNX Runtime */
  executionProvider: ExecutionProviderSchema.nullable(),
  capabilities: z.object({
    /** native open dialog (Electron); the harness uploads through a file input instead */
    nativeDialogs: z.boolean(),
  }),
});

export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export const JobSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  state: JobStateSchema,
  params: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  resultDir: z.string().nullable(),
  error: z.string().nullable(),
});

export const SimulatePairParamsSchema = z.object({
  outDir: z.string().min(1),
  width: z.number().int().min(16).max(8192).default(512),
  height: z.number().int().min(16).max(8192).default(512),
  speckleSize: z.number().min(2).max(10).default(4),
  noise: z.string().default('none'),
  field: z.string().default('constant:0.5,0.25'),
  seed: z.number().int().default(1),
});

export const TrackMethodSchema = z.enum(['zncc', 'umpa', 'icgn', 'cnn-dic', 'cnn-xst', 'cnn+icgn']);
export const RoiRectSchema = z.object({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
});
export const TrackParamsSchema = z.object({
  refPath: z.string().min(1),
  defPath: z.string().min(1),
  method: TrackMethodSchema,
  /** method options (window/subset, search, ...); the core fills in defaults and validates them */
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  step: z.number().int().min(1).max(1000).default(4),
  roi: RoiRectSchema.optional(),
  strainWindow: z.number().int().min(3).max(401).optional(),
  /** result folder; default: a new folder under the app's results directory */
  outDir: z.string().min(1).optional(),
});

/** One float32 map of a result folder, fetched by URL like an image. */
export const FieldMapSchema = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  /** physical unit of the values, e.g. "px", "rad", "1" */
  unit: z.string(),
  /** over finite values; null when the map has none (JSON has no NaN) */
  stats: z.object({ min: z.number().nullable(), max: z.number().nullable(), mean: z.number().nullable(), std: z.number().nullable(), valid: z.number() }),
  dataUrl: z.string(),
});
export const OpenedResultSchema = z.object({
  dir: z.string(),
  kind: z.string(),
  /** the result.json, as written */
  result: z.record(z.string(), z.unknown()),
  maps: z.array(FieldMapSchema),
});

/** One model the app can run (shipped, or fine-tuned by the user), as the Settings view lists it. */
export const ModelInfoSchema = z.object({
  id: z.string(),
  task: z.string(),
  source: z.enum(['shipped', 'user']),
  file: z.string(),
  params: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
  trainedOn: z.string(),
  trainingCommand: z.string(),
  /** measured figures as the manifest records them */
  metrics: z.record(z.string(), z.unknown()),
  notes: z.string().optional(),
});

// ---------- calls ----------

const TaskIdSchema = z.string().min(1).max(64);

export const calls = {
  'app.info': { input: z.object({}), output: AppInfoSchema },
  /** Native open-file dialog; null when the user cancels. Electron only (see capabilities). */
  'dialog.openImage': { input: z.object({}), output: z.object({ path: z.string().nullable() }) },
  'image.open': { input: z.object({ path: z.string().min(1) }), output: OpenedImageSchema },
  'image.close': { input: z.object({ id: z.string() }), output: z.object({ closed: z.boolean() }) },
  'jobs.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.object({ jobs: z.array(JobSchema), total: z.number().int() }),
  },
  /** Long task: progress arrives as `task.progress` events with this taskId; cancel with `task.cancel`. */
  'simulate.pair': {
    input: z.object({ taskId: TaskIdSchema, params: SimulatePairParamsSchema }),
    output: z.object({ jobId: z.number().int(), outDir: z.string(), files: z.array(z.string()) }),
  },
  /** Long task: measures a displacement field and opens the result (progress as `task.progress`). */
  'track.run': {
    input: z.object({ taskId: TaskIdSchema, params: TrackParamsSchema }),
    output: z.object({ jobId: z.number().int(), opened: OpenedResultSchema, messages: z.array(z.string()) }),
  },
  /** Opens a result folder written by any job (history, re-open): result.json plus its float32 maps. */
  'result.open': { input: z.object({ dir: z.string().min(1) }), output: OpenedResultSchema },
  /** Shipped and user fine-tuned models (src/core/infer/model-catalog.ts); `problems` explains any skipped. */
  'models.list': {
    input: z.object({}),
    output: z.object({ models: z.array(ModelInfoSchema), shippedDir: z.string(), userDir: z.string().nullable(), problems: z.array(z.string()) }),
  },
  'task.cancel': { input: z.object({ taskId: TaskIdSchema }), output: z.object({ cancelled: z.boolean() }) },
} as const;

export type CallName = keyof typeof calls;
export type CallInput<N extends CallName> = z.input<(typeof calls)[N]['input']>;
export type CallInputParsed<N extends CallName> = z.output<(typeof calls)[N]['input']>;
export type CallOutput<N extends CallName> = z.output<(typeof calls)[N]['output']>;
export const CALL_NAMES = Object.keys(calls) as CallName[];

// ---------- events (back end → renderer) ----------

export const events = {
  'task.progress': z.object({ taskId: z.string(), fraction: z.number(), message: z.string().optional() }),
  'jobs.changed': z.object({ count: z.number().int() }),
  'app.info': AppInfoSchema,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.output<(typeof events)[N]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** The object the renderer sees as `window.lab` (Electron) or builds over the WebSocket (harness). */
export type LabApi = {
  [N in CallName]: (input: CallInput<N>) => Promise<CallOutput<N>>;
} & {
  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => void): () => void;
  /** Electron: the dropped File's real path. Harness: uploads the bytes and returns the server-side copy's path. */
  pathForFile(file: File): Promise<string>;
};

/** IPC channel for a call, so every call site is findable by name. */
export const ipcChannel = (name: CallName): string => `lab:${name}`;
export const ipcEventChannel = (name: EventName): string => `lab-event:${name}`;
