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
/**
 * Note: ROI shapes. A tracker's ROI is either a rectangle of whole pixels (x … x+width−1, y … y+height−1;
 * the original form, still sent without `kind`) or a region of polygons in continuous image coordinates,
 * where pixel (x, y) covers [x, x+1) × [y, y+1). A pixel belongs to a region when its CENTRE (x+0.5, y+0.5)
 * lies inside the base (`rect` ∪ the `include` polygons, or the whole image when neither is given) and in
 * no `exclude` polygon. Each polygon is filled by the even-odd rule (a self-crossing outline alternates
 * inside and outside, as a canvas `fill('evenodd')` draws it). Vertices, and a region's `rect`, may reach
 * outside the image: only the part inside counts (a plain rectangle must still lie inside, as before). src/shared/roi-raster.ts turns a region into pixels for the core and the UI alike.
 * A region has at most ROI_MAX_POLYGONS polygons per list and ROI_MAX_TOTAL_VERTICES vertices in all, which
 * bounds its JSON, its validation and its rasterising; the renderer's polygon tool refuses to go past them.
 */
const rectShape = { x: z.number().int().min(0), y: z.number().int().min(0), width: z.number().int().min(1), height: z.number().int().min(1) };
export const RoiRectSchema = z.object({
  /** optional, so that plain {x, y, width, height} (the original form) still means a rectangle */
  kind: z.literal('rect').optional(),
  ...rectShape,
});
/** Most vertices in one ROI polygon, and most polygons in each list (keeps rasterising and JSON small). */
export const ROI_MAX_VERTICES = 10_000;
export const ROI_MAX_POLYGONS = 100;
/**
 * Most vertices in a whole region, include and exclusion polygons together. It bounds what a region costs
 * everywhere: its JSON (about 0.8 MB), validating it, and rasterising it (src/shared/roi-raster.ts: well
 * under a second on an 8192 × 8192 image, where the per-polygon limits alone allowed 2 M vertices).
 */
export const ROI_MAX_TOTAL_VERTICES = 20_000;
/** The vertices of every polygon of a region. */
export function roiVertexCount(region: { include?: readonly { points: readonly unknown[] }[]; exclude?: readonly { points: readonly unknown[] }[] }): number {
  let n = 0;
  for (const p of region.include ?? []) n += p.points.length;
  for (const p of region.exclude ?? []) n += p.points.length;
  return n;
}
/** Why a region with `n` vertices is too large, in words. */
export const roiTooManyVertices = (n: number): string =>
  `the ROI has ${n} vertices in all; a region may have at most ${ROI_MAX_TOTAL_VERTICES} (simplify or remove polygons)`;
/** True when every vertex lies on one straight line (or on one point): such a polygon selects no pixel. */
function collinear(p: [number, number][]): boolean {
  const [x0, y0] = p[0];
  const a = p.find(([x, y]) => x !== x0 || y !== y0);
  if (!a) return true;
  return p.every(([x, y]) => (a[0] - x0) * (y - y0) === (a[1] - y0) * (x - x0));
}
/** Far beyond any image, yet small enough that the rasteriser's products stay exact enough and finite. */
export const ROI_MAX_COORDINATE = 1e7;
const coordinate = z
  .number({ error: 'vertex coordinates must be finite numbers (image pixels)' })
  .min(-ROI_MAX_COORDINATE, `vertex coordinates must lie within ±${ROI_MAX_COORDINATE} px`)
  .max(ROI_MAX_COORDINATE, `vertex coordinates must lie within ±${ROI_MAX_COORDINATE} px`);
export const RoiPolygonSchema = z
  .object({
    /** [x, y] in image pixels (x = column, right; y = row, down); closed implicitly, last vertex back to the first */
    points: z
      .array(z.tuple([coordinate, coordinate]))
      .min(3, 'a polygon needs at least 3 vertices')
      .max(ROI_MAX_VERTICES, `a polygon may have at most ${ROI_MAX_VERTICES} vertices`),
  })
  .refine(({ points }) => points.length < 3 || !collinear(points), { message: 'a polygon has no area: its vertices lie on one line', path: ['points'] });
export const RoiRegionSchema = z.object({
  kind: z.literal('region'),
  /** a rectangle included as a whole, with the include polygons */
  rect: z.object(rectShape).optional(),
  include: z.array(RoiPolygonSchema).max(ROI_MAX_POLYGONS, `at most ${ROI_MAX_POLYGONS} include polygons`).default([]),
  exclude: z.array(RoiPolygonSchema).max(ROI_MAX_POLYGONS, `at most ${ROI_MAX_POLYGONS} exclusion polygons`).default([]),
}).superRefine((r, ctx) => {
  const n = roiVertexCount(r);
  if (n > ROI_MAX_TOTAL_VERTICES) ctx.addIssue({ code: 'custom', message: roiTooManyVertices(n), path: [] });
});
const RoiUnionSchema = z.discriminatedUnion('kind', [RoiRectSchema, RoiRegionSchema]);
/** The vertex count of anything shaped like a region, counted before parsing it; 0 for anything else. */
function rawVertexCount(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  for (const list of [(v as { include?: unknown }).include, (v as { exclude?: unknown }).exclude]) {
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      const pts = typeof p === 'object' && p !== null ? (p as { points?: unknown }).points : undefined;
      if (Array.isArray(pts)) n += pts.length;
    }
  }
  return n;
}
/**
 * A tracker ROI (see Note: ROI shapes). An oversized region is refused by its vertex count before any
 * vertex is parsed (a 2 M-vertex region took seconds to validate, only to fail the region's own limit).
 */
export const RoiSchema = z
  .custom<z.input<typeof RoiUnionSchema>>((v) => rawVertexCount(v) <= ROI_MAX_TOTAL_VERTICES, { error: (iss) => roiTooManyVertices(rawVertexCount(iss.input)) })
  .pipe(RoiUnionSchema);
export const TrackParamsSchema = z.object({
  refPath: z.string().min(1),
  defPath: z.string().min(1),
  method: TrackMethodSchema,
  /** method options (window/subset, search, ...); the core fills in defaults and validates them */
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  step: z.number().int().min(1).max(1000).default(4),
  roi: RoiSchema.optional(),
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


// ---------- settings and models (src/core/backend/settings-handlers.ts) ----------

/** User preferences kept in `settings.json` in the app's data folder (written atomically). */
export const ProviderPreferenceSchema = z.enum(['auto', 'cpu']);
export const ThemeSchema = z.enum(['dark', 'light']);
export const TrackerThreadsSchema = z.number().int().min(1).max(256).nullable();
export const AppSettingsSchema = z.object({
  /** 'auto': the platform's GPU provider first, then CPU; 'cpu': CPU only (LAB_EXECUTION_PROVIDERS=cpu) */
  providerPreference: ProviderPreferenceSchema.default('auto'),
  /** worker threads for the TypeScript trackers; null = all available cores */
  trackerThreads: TrackerThreadsSchema.default(null),
  theme: ThemeSchema.default('dark'),
});
/** A change to some settings (no defaults: an absent key stays as saved). */
export const AppSettingsPatchSchema = z
  .object({ providerPreference: ProviderPreferenceSchema, trackerThreads: TrackerThreadsSchema, theme: ThemeSchema })
  .partial()
  .strict();
export const SettingsStateSchema = z.object({
  settings: AppSettingsSchema,
  /** the settings file */
  file: z.string(),
  /** why the file could not be used (defaults are in effect), or null */
  problem: z.string().nullable(),
  /** cores available to the trackers (the default thread count) */
  cores: z.number().int(),
  /** provider order the running compute host was started with, and what the saved preference asks for */
  providersInEffect: z.array(z.string()),
  providersPreferred: z.array(z.string()),
  /** true when the preference differs from what the compute host runs with (applies at the next start) */
  restartNeeded: z.boolean(),
});


// ---------- restoration (SEM deblurring, super-resolution; src/core/backend/restore-handlers.ts) ----------

export const DeblurMethodSchema = z.enum(['midnet', 'nafnet', 'richardson-lucy']);
export const SrMethodSchema = z.enum(['usrnet', 'fsrcnn', 'espcn', 'bicubic']);
export const DeblurParamsSchema = z.object({
  /** the blurred image (read only) */
  inPath: z.string().min(1),
  /** sharp reference of the same field and size: adds PSNR/SSIM */
  refPath: z.string().min(1).optional(),
  method: DeblurMethodSchema,
  /** method options; the core fills in defaults (sigma/iterations: richardson-lucy; modelId/tile/overlap: CNNs) */
  options: z
    .object({
      /** Gaussian PSF σ in px; omitted = estimated from the image */
      sigma: z.number().gt(0).max(50).optional(),
      iterations: z.number().int().min(1).max(1000).optional(),
      modelId: z.string().min(1).optional(),
      tile: z.number().int().min(64).max(8192).optional(),
      overlap: z.number().int().min(4).max(1024).optional(),
    })
    .strict()
    .default({}),
  /** pixels left out at each border when scoring */
  border: z.number().int().min(0).max(1000).optional(),
  /** result folder; default: a new folder under the app's results directory */
  outDir: z.string().min(1).optional(),
});
export const SrParamsSchema = z.object({
  inPath: z.string().min(1),
  scale: z.union([z.literal(2), z.literal(3), z.literal(4)]),
  method: SrMethodSchema,
  /** blur kernel as the CLI takes it (gauss:S, gauss:S1,S2,THETA, motion:LEN,ANGLE, bicubic:S, kernels12:N, a file); usrnet only */
  kernel: z.string().min(1).max(2000).optional(),
  /** noise std in the input's grey levels; usrnet only */
  noise: z.number().min(0).max(1e9).optional(),
  /** high-resolution reference, exactly scale × the input's size: adds PSNR/SSIM */
  refPath: z.string().min(1).optional(),
  tile: z.number().int().min(64).max(8192).optional(),
  outDir: z.string().min(1).optional(),
});
/** What a restoration run returns: the folder, its result.json, both images opened like `image.open`. */
export const RestoreRunOutputSchema = z.object({
  jobId: z.number().int(),
  outDir: z.string(),
  /** result.json as written */
  result: z.record(z.string(), z.unknown()),
  /** the input image (native pixels by URL) */
  input: OpenedImageSchema,
  /** the written deblurred.tif / sr.tif */
  output: OpenedImageSchema,
  /** result.json's `metrics` block, as written (NaN became null) */
  metrics: z.record(z.string(), z.unknown()),
  messages: z.array(z.string()),
});
export const KernelPreviewSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  /** row-major, sums to 1 (at most 63×63) */
  values: z.array(z.number()),
  max: z.number(),
  description: z.string(),
});

// ---------- acquisition folder (watch) ----------

/** One event of the acquisition-folder watcher (src/core/watch/events.ts), forwarded unchanged as `watch.event`. */
export const WatchEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('folder-missing'), root: z.string(), reason: z.string() }),
  z.object({ type: z.literal('folder-back'), root: z.string() }),
  z.object({ type: z.literal('scan-done'), root: z.string(), files: z.number() }),
  z.object({ type: z.literal('file-seen'), path: z.string(), rel: z.string() }),
  z.object({ type: z.literal('file-ready'), path: z.string(), rel: z.string(), size: z.number() }),
  z.object({ type: z.literal('file-removed'), path: z.string(), rel: z.string() }),
  z.object({ type: z.literal('file-failed'), path: z.string(), rel: z.string(), code: z.string(), reason: z.string() }),
  z.object({ type: z.literal('job-queued'), jobId: z.number(), kind: z.string(), rule: z.string(), inputs: z.array(z.string()) }),
  z.object({ type: z.literal('job-skipped'), jobId: z.number(), kind: z.string(), rule: z.string(), inputs: z.array(z.string()), state: z.string() }),
  z.object({ type: z.literal('job-started'), jobId: z.number(), kind: z.string(), rule: z.string(), inputs: z.array(z.string()), attempt: z.number() }),
  z.object({ type: z.literal('job-progress'), jobId: z.number(), fraction: z.number(), message: z.string().optional() }),
  z.object({ type: z.literal('job-retry'), jobId: z.number(), attempt: z.number(), delayMs: z.number(), code: z.string(), reason: z.string() }),
  z.object({ type: z.literal('job-done'), jobId: z.number(), kind: z.string(), rule: z.string(), outDir: z.string(), ms: z.number(), adopted: z.boolean() }),
  z.object({ type: z.literal('job-failed'), jobId: z.number(), kind: z.string(), rule: z.string(), inputs: z.array(z.string()), code: z.string(), reason: z.string(), permanent: z.boolean() }),
  z.object({ type: z.literal('job-cancelled'), jobId: z.number(), reason: z.string() }),
  z.object({ type: z.literal('job-requeued'), jobId: z.number(), reason: z.string() }),
  z.object({ type: z.literal('warning'), message: z.string() }),
]);

/** Watch session options the engine has (src/core/watch/session.ts); omitted = the engine's default. */
export const WatchOptionsSchema = z.object({
  /** a file is ready once its size and mtime have not changed for this long (default 2000 ms) */
  stableMs: z.number().int().min(0).max(3_600_000).optional(),
  /** poll the folder every N ms instead of OS events (network shares); omitted = OS events */
  pollMs: z.number().int().min(50).max(600_000).optional(),
  /** watch sub-folders too */
  recursive: z.boolean().optional(),
  /** jobs run at once (default 1) */
  concurrency: z.number().int().min(1).max(16).optional(),
  /** tries per job for transient errors (default 4) */
  maxAttempts: z.number().int().min(1).max(100).optional(),
  /** a file still incomplete after this long without change fails (default 60 000 ms) */
  completeTimeoutMs: z.number().int().min(100).max(86_400_000).optional(),
  /** allow the output folder inside the watched folder */
  allowOutputInside: z.boolean().optional(),
});

/** One rule, in a line a person can check. */
export const RuleSummarySchema = z.object({
  name: z.string(),
  type: z.enum(['pair', 'series', 'single']),
  task: z.string(),
  /** e.g. `every file matching ".*\.tif" → info` */
  text: z.string(),
});
export const RulesSummarySchema = z.object({ description: z.string().nullable(), rules: z.array(RuleSummarySchema) });

export const WatchJobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'skipped']);
/** One row of the live queue: a job of this session (or a file that failed before it became a job). */
export const WatchQueueEntrySchema = z.object({
  /** `job:<id>` or `file:<rel>` */
  key: z.string(),
  jobId: z.number().int().nullable(),
  kind: z.string(),
  rule: z.string(),
  /** input paths relative to the watched folder, reference first */
  inputs: z.array(z.string()),
  /** absolute path of the first input (thumbnail), when known */
  firstInput: z.string().nullable(),
  state: WatchJobStateSchema,
  /** 0–1 while running */
  fraction: z.number(),
  message: z.string().nullable(),
  attempt: z.number().int(),
  error: z.string().nullable(),
  outDir: z.string().nullable(),
  updatedAt: z.string(),
});
export const WatchJobCountsSchema = z.object({
  queued: z.number().int(), running: z.number().int(), done: z.number().int(), failed: z.number().int(), cancelled: z.number().int(), skipped: z.number().int(),
});
export const WatchStatusSchema = z.object({
  running: z.boolean(),
  /** the watched folder (absolute); the last one after a stop, null before any start */
  folder: z.string().nullable(),
  outDir: z.string().nullable(),
  /** the rules file path, or "(edited rules)" */
  rulesSource: z.string().nullable(),
  rulesSummary: RulesSummarySchema.nullable(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  /** whether the watched folder is there right now */
  folderPresent: z.boolean(),
  counts: WatchJobCountsSchema,
  /** files waiting for their partner image (pair / series rules) */
  waitingForPartner: z.array(z.string()),
  /** newest first, at most 300 */
  queue: z.array(WatchQueueEntrySchema),
});
export const ValidateRulesOutputSchema = z.object({
  ok: z.boolean(),
  /** one readable line per mistake (`rules[0].task.kind: expected ...`); empty when ok */
  mistakes: z.array(z.string()),
  summary: RulesSummarySchema.nullable(),
});
export const RulesExampleSchema = z.object({ file: z.string(), name: z.string(), description: z.string(), text: z.string() });

/** `report.export` (reports of jobs from the history). */
export const ReportExportInputSchema = z.object({
  taskId: z.string().min(1).max(64).optional(),
  /** done jobs of the job store, in report order (their result folders) */
  jobIds: z.array(z.number().int().positive()).max(100).default([]),
  /** result folders given directly, after the jobs */
  resultDirs: z.array(z.string().min(1)).max(100).default([]),
  title: z.string().max(300).default(''),
  operator: z.string().max(200).optional(),
  sample: z.string().max(300).optional(),
  project: z.string().max(300).optional(),
  notes: z.string().max(50_000).optional(),
  /** the HTML file to write (absolute; must end in .html); the PDF goes beside it as .pdf */
  outPath: z.string().min(1).max(4096),
  pdf: z.boolean().default(true),
  force: z.boolean().default(false),
});
export const ReportExportOutputSchema = z.object({
  htmlPath: z.string(),
  pdfPath: z.string().nullable(),
  dataDir: z.string(),
  /** PDF pages; null without a PDF */
  pages: z.number().int().nullable(),
  sections: z.number().int(),
  figures: z.number().int(),
  dataFiles: z.number().int(),
  warnings: z.array(z.string()),
});


// ---------- X-ray phase (src/core/backend/xpci-handlers.ts) ----------

export const XpciParamsSchema = z.object({
  refPath: z.string().min(1),
  samplePath: z.string().min(1),
  /** detector pixel pitch, µm */
  pixelUm: z.number().positive(),
  /** sample–detector distance, m */
  distanceM: z.number().positive(),
  energyKeV: z.number().positive(),
  /** source–sample distance of a cone beam, m; absent = plane wave */
  sourceDistanceM: z.number().positive().optional(),
  /** refractive-index decrement δ: adds thickness.tif */
  delta: z.number().positive().optional(),
  /** the trackers phase contrast runs with (core/xpci/xpci-task.ts XPCI_METHODS; not cnn-dic, trained for DIC speckle) */
  method: z.enum(['umpa', 'zncc', 'icgn', 'cnn-xst', 'cnn+icgn']).default('umpa'),
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  step: z.number().int().min(1).max(1000).default(1),
  roi: RoiSchema.optional(),
  integrator: z.enum(['fc', 'ls']).default('fc'),
  outDir: z.string().min(1).optional(),
});
export const XpciLineSchema = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number(), width: z.number().int().min(1).max(501).default(1) });
export const XpciProfileSchema = z.object({
  /** distance along the line from (x0, y0), px, and in sample-plane µm */
  s: z.array(z.number()),
  sUm: z.array(z.number()).nullable(),
  /** one per map: alpha in µrad, phase in rad (zero mean), thickness in µm; NaN (not measured) as null */
  series: z.array(z.object({ name: z.string(), unit: z.string(), source: z.enum(['measured', 'truth']), values: z.array(z.number().nullable()) })),
  /** the simulation folder whose ground truth is in `series` (source 'truth'), or null */
  truthDir: z.string().nullable(),
});
export const XpciSimulateParamsSchema = z.object({
  outDir: z.string().min(1).optional(),
  width: z.number().int().min(32).max(2048).default(192),
  height: z.number().int().min(32).max(2048).default(128),
  sample: z.enum(['sine', 'sphere', 'cylinder']).default('sine'),
  seed: z.number().int().default(1),
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
    input: z.object({
      limit: z.number().int().min(1).max(1000).default(100),
      offset: z.number().int().min(0).optional(),
      /** only jobs in this state */
      state: JobStateSchema.optional(),
      /** case-insensitive text found in the kind, parameters (input paths, rule), error or result folder */
      search: z.string().max(200).optional(),
      /**
       * 'watch': only jobs a watched folder recorded (params carry a `watch` object, plus 'watch.file'
       * records of unusable files), for the Acquisition history; 'any' or absent: every job. Optional
       * rather than defaulted so callers of the parsed handlers need not name it.
       */
      origin: z.enum(['watch', 'any']).optional(),
    }),
    /** `total` counts every job matching the filters, not just this page */
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

  // ----- restoration (src/core/backend/restore-handlers.ts) -----
  /** Long task: deblurs one image as a job (progress as `task.progress`, cancel with `task.cancel`). */
  'restore.deblur': { input: z.object({ taskId: TaskIdSchema, params: DeblurParamsSchema }), output: RestoreRunOutputSchema },
  /** Long task: super-resolves one image by 2, 3 or 4 as a job. */
  'restore.sr': { input: z.object({ taskId: TaskIdSchema, params: SrParamsSchema }), output: RestoreRunOutputSchema },
  /** The blur kernel a spec stands for (scale: the default bicubic kernel's), for drawing it. */
  'restore.kernelPreview': {
    input: z.object({ kernel: z.string().min(1).max(2000), scale: z.union([z.literal(2), z.literal(3), z.literal(4)]).default(2) }),
    output: KernelPreviewSchema,
  },
  /** Whether USRNet's 12 standard kernels (kernels_12.mat) are available, and what each is. */
  'restore.kernels12': {
    input: z.object({}),
    output: z.object({ available: z.boolean(), path: z.string().nullable(), reason: z.string().nullable(), kernels: z.array(z.object({ n: z.number().int(), description: z.string() })) }),
  },

  // ----- X-ray phase (src/core/backend/xpci-handlers.ts) -----
  /** Long task: speckle tracking → refraction angles, phase, transmission, dark-field as a job; opens the result. */
  'xpci.run': {
    input: z.object({ taskId: TaskIdSchema, params: XpciParamsSchema }),
    output: z.object({ jobId: z.number().int(), opened: OpenedResultSchema, messages: z.array(z.string()), truthDir: z.string().nullable() }),
  },
  /** Line profile through an xpci result folder's maps (and the simulator's ground truth when known). */
  'xpci.profile': { input: z.object({ dir: z.string().min(1), line: XpciLineSchema }), output: XpciProfileSchema },
  /** Long task: a simulated reference/sample pair (wave optics) with ground truth, and its geometry. */
  'xpci.simulate': {
    input: z.object({ taskId: TaskIdSchema, params: XpciSimulateParamsSchema }),
    output: z.object({
      jobId: z.number().int(),
      outDir: z.string(),
      refPath: z.string(),
      samplePath: z.string(),
      geometry: z.object({ pixelUm: z.number(), distanceM: z.number(), energyKeV: z.number(), sourceDistanceM: z.number().nullable() }),
    }),
  },

  // ----- reports (src/core/backend/report-handlers.ts, src/core/report) -----
  /**
   * Long task: one self-contained HTML report of done jobs (by job id) and/or result folders, its data
   * folder NAME_data/ beside it, and with `pdf` the PDF beside the HTML (same name, .pdf), printed by the
   * transport's printer (Electron printToPDF in the app, headless Chromium in the harness). Progress as
   * `task.progress` under `taskId`. Nothing is overwritten unless `force`.
   */
  'report.export': { input: ReportExportInputSchema, output: ReportExportOutputSchema },

  // ----- acquisition folder (src/core/backend/watch-service.ts); one watch session per app -----
  /** Native folder dialog; null when the user cancels. Electron only (capabilities.nativeDialogs). */
  'dialog.openFolder': { input: z.object({}), output: z.object({ path: z.string().nullable() }) },
  /**
   * Starts watching `folder`: `rules` is the path of a rules JSON file or the rules object itself; results
   * go to `outDir` (default: a folder under the app's results directory). Progress as `watch.event`.
   */
  'watch.start': {
    input: z.object({
      folder: z.string().min(1),
      rules: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
      outDir: z.string().min(1).optional(),
      options: WatchOptionsSchema.default({}),
    }),
    output: WatchStatusSchema,
  },
  /** Stops watching: running jobs go back to the queue ('stop', they run at the next start) or are cancelled. */
  'watch.stop': { input: z.object({ how: z.enum(['stop', 'cancel']).default('stop') }), output: WatchStatusSchema },
  'watch.status': { input: z.object({}), output: WatchStatusSchema },
  /** Checks rules JSON text as the rule editor has it: every mistake at once, or what the rules do. */
  'watch.validateRules': { input: z.object({ text: z.string().max(1_000_000) }), output: ValidateRulesOutputSchema },
  /** The example rules files shipped in resources/rules. */
  'watch.examples': { input: z.object({}), output: z.object({ examples: z.array(RulesExampleSchema) }) },
  /** Runs a failed or cancelled watch job again, as a new job with the same inputs. */
  'jobs.retry': { input: z.object({ jobId: z.number().int().positive() }), output: z.object({ job: JobSchema }) },
  /** Cancels a queued or running watch job. */
  'jobs.cancel': { input: z.object({ jobId: z.number().int().positive() }), output: z.object({ cancelled: z.boolean() }) },
  // ----- settings and models (src/core/backend/settings-handlers.ts) -----
  /** The saved preferences (defaults, with `problem` saying why, when the file is missing a value or broken). */
  'settings.get': { input: z.object({}), output: SettingsStateSchema },
  /** Changes some preferences and writes the file atomically; answers the new state. */
  'settings.set': { input: AppSettingsPatchSchema, output: SettingsStateSchema },
  /** Re-hashes a model's file against its manifest entry: ok, or the error in one sentence. */
  'models.verify': {
    input: z.object({ id: z.string().min(1).max(200) }),
    output: z.object({ id: z.string(), ok: z.boolean(), file: z.string(), sha256: z.string().nullable(), error: z.string().nullable() }),
  },
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
  'watch.event': WatchEventSchema,
  /** the session started, stopped, or its counts changed (throttled) */
  'watch.status': WatchStatusSchema,
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
