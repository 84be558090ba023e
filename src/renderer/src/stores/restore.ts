/**
 * @file The Restoration workspace's state: the image to restore and an optional reference (two image
 * slots), the mode (deblur / super-resolution) with its method and options (kernel, noise), one run at a
 * time (`restore.deblur` / `restore.sr`) with progress and cancellation, the shown result (input and
 * output pixels, result.json, metrics), the before/after view (split, side by side, toggle) on ONE shared
 * view transform, the kernel preview, and a simple batch (several files, one after the other, each with
 * its own state). An earlier result folder reopens with its images and the options it ran with. Settings
 * persist in localStorage `speckle-lab.restore` (lib/restore.ts).
 *
 * Coordinates: the stage shows everything on the output's pixel grid ("frame"); for super-resolution the
 * input is enlarged by pixel repetition (each input pixel an s×s block), so one physical point is at the
 * same place in the before and the after image, and pixel (x, y) of the frame is input pixel
 * (floor(x/s), floor(y/s)).
 */
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { fetchFloat32, lab } from '../api';
import { reopenRemembered, useImageSlot } from '../composables/useImageSlot';
import type { Point, View } from '../composables/useViewport';
import { autoWindow, type ContrastWindow } from '../lib/contrast';
import { baseName } from '../lib/format';
import {
  enlarge,
  kernelSpec,
  loadSettings,
  metricsView,
  newTaskId,
  runParams,
  saveSettings,
  scaleOf,
  withRecent,
  type MetricsView,
  type RestoreMode,
  type RestoreSettings,
} from '../lib/restore';
import { restoreFormFromResult, type RestoreRunForm } from '../lib/restore-reopen';
import { childPath } from '../lib/open-result';
import { toShownError } from './app';
import { browserStorage } from '../lib/persist';

export type RunOutput = CallOutput<'restore.deblur'>;
export type RunPhase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
export type SlotName = 'in' | 'ref';

export interface RestoreRun {
  phase: RunPhase;
  taskId: string | null;
  mode: RestoreMode | null;
  fraction: number;
  message: string;
  error: string | null;
  code: string | null;
  startedAt: number | null;
  endedAt: number | null;
  cancelling: boolean;
  /** the file being processed (batch: each in turn) */
  file: string | null;
}

/** A shown result: a run's answer, or a result folder opened again (which knows no job id). */
export type ShownOutput = Omit<RunOutput, 'jobId'>;

/** A result with its pixels: `before` is the input on the output's grid (enlarged for SR). */
export interface LoadedRestore {
  out: ShownOutput;
  mode: RestoreMode;
  scale: number;
  width: number;
  height: number;
  before: Float32Array;
  after: Float32Array;
  metrics: MetricsView;
}

export interface BatchItem {
  path: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  fraction: number;
  error: string | null;
  outDir: string | null;
  /** kept so the item can be shown again */
  out: RunOutput | null;
}

const IDLE: RestoreRun = { phase: 'idle', taskId: null, mode: null, fraction: 0, message: '', error: null, code: null, startedAt: null, endedAt: null, cancelling: false, file: null };

const storage = browserStorage;

export const useRestoreStore = defineStore('restore', () => {
  const settings = ref<RestoreSettings>(loadSettings(storage()));
  watch(settings, (s) => saveSettings(storage(), s), { deep: true });

  // ---------- images ----------

  const restoring = new Set<string>();
  function remember(slot: SlotName, path: string): void {
    if (slot === 'in') settings.value.inPath = path;
    else settings.value.refPath = path;
    if (restoring.delete(path)) return;
    settings.value.recent = withRecent(settings.value.recent, path);
  }
  const inSlot = useImageSlot({
    onOpened: (o) => {
      remember('in', o.path);
      // a new image to restore: the shown result belongs to another one
      if (result.value && result.value.out.input.path !== o.path) result.value = null;
    },
  });
  const refSlot = useImageSlot({ onOpened: (o) => remember('ref', o.path) });
  const slots = { in: inSlot, ref: refSlot };

  const openPath = (slot: SlotName, path: string) => slots[slot].openPath(path);
  const openFile = (slot: SlotName, file: File) => slots[slot].openFile(file);
  function clearRef(): void {
    refSlot.clear();
    settings.value.refPath = '';
  }

  const restoreImages = reopenRemembered(
    () => [
      [inSlot, settings.value.inPath],
      [refSlot, settings.value.refPath],
    ],
    restoring,
  );

  /** Why the reference cannot be used with the input in the current mode; null when it can (or is absent). */
  const refMismatch = computed(() => {
    const i = inSlot.image.value;
    const r = refSlot.image.value;
    if (!i || !r) return null;
    const s = settings.value.mode === 'sr' ? settings.value.sr.scale : 1;
    if (r.width === i.width * s && r.height === i.height * s) return null;
    // a reference chosen for the other mode: say so, so that Remove (next to it) is the obvious way on
    if (settings.value.mode === 'sr' && r.width === i.width && r.height === i.height)
      return `This reference is the image's size (a deblurring reference); ×${s} super-resolution needs one of ${i.width * s} × ${i.height * s} px. Remove it to run without PSNR/SSIM.`;
    if (settings.value.mode === 'deblur' && [2, 3, 4].some((k) => r.width === i.width * k && r.height === i.height * k))
      return `This reference is ${r.width / i.width}× the image (a super-resolution reference); deblurring needs one of ${i.width} × ${i.height} px. Remove it to run without PSNR/SSIM.`;
    return settings.value.mode === 'sr'
      ? `The reference is ${r.width} × ${r.height} px; for ×${s} it must be exactly ${i.width * s} × ${i.height * s} px (${s}× the input).`
      : `The reference is ${r.width} × ${r.height} px but the image is ${i.width} × ${i.height} px; it must show the same field at the same size.`;
  });

  // ---------- view ----------

  const view = ref<View | null>(null);
  const followFit = ref(true);
  const hover = ref<Point | null>(null);
  /** toggle mode: which image is shown */
  const showAfter = ref(true);
  function resetView(): void {
    view.value = null;
    followFit.value = true;
  }
  function setHover(p: Point | null): void {
    if (p?.x === hover.value?.x && p?.y === hover.value?.y) return;
    hover.value = p;
  }
  function setSplit(f: number): void {
    settings.value.split = Math.min(1, Math.max(0, f));
  }

  // ---------- result ----------

  const result = shallowRef<LoadedRestore | null>(null);
  const resultError = ref<string | null>(null);

  async function load(out: ShownOutput, mode: RestoreMode): Promise<LoadedRestore> {
    const [inPx, outPx] = await Promise.all([
      fetchFloat32(out.input.dataUrl, out.input.width * out.input.height),
      fetchFloat32(out.output.dataUrl, out.output.width * out.output.height),
    ]);
    const s = scaleOf(out.input.width, out.output.width, out.input.height, out.output.height);
    return markRaw({
      out,
      mode,
      scale: s,
      width: out.output.width,
      height: out.output.height,
      before: markRaw(enlarge(inPx, out.input.width, out.input.height, s)),
      after: markRaw(outPx),
      metrics: metricsView(out.result),
    });
  }

  function adopt(r: LoadedRestore): void {
    result.value = r;
    resultError.value = null;
  }

  // A mode switch (Deblur ↔ Super-resolution) hides the other mode's result: its after image, metrics and
  // notes would read as this mode's. The open files stay. A result reopened in its own mode is kept.
  watch(
    () => settings.value.mode,
    (mode) => {
      if (!result.value || result.value.mode === mode) return;
      result.value = null;
      resultError.value = null;
      messages.value = [];
      if (run.value.phase !== 'running') run.value = { ...IDLE };
      showAfter.value = true;
    },
  );

  /** Shows a finished batch item's result again. */
  async function showItem(item: BatchItem): Promise<void> {
    if (!item.out) return;
    try {
      adopt(await load(item.out, item.out.result.kind === 'super-resolution' ? 'sr' : 'deblur'));
    } catch (err) {
      resultError.value = toShownError('Could not show the result', err).message;
    }
  }

  let openToken = 0;
  /**
   * Opens an earlier restoration's result folder as it was made: the image it restored (and its reference)
   * back in the slots, the mode, method and options it ran with back in the options panel
   * (lib/restore-reopen.ts), and before / after with the metrics of its result.json. Resolves to whether it
   * is shown; `resultError` says why not. An open overtaken by a newer one answers false and sets neither
   * the result, the form nor `resultError`.
   */
  async function openResult(dir: string): Promise<boolean> {
    resultError.value = null;
    const t = ++openToken;
    try {
      const opened = await lab['result.open']({ dir: dir.trim() });
      const form = restoreFormFromResult(opened.result);
      if (!form) throw new Error(`${opened.dir} holds a "${opened.kind}" result, not a deblurring or super-resolution result this version can show.`);
      if (inSlot.image.value?.path !== form.inPath && !(await inSlot.openPath(form.inPath))) {
        if (t !== openToken) return false;
        throw new Error(`The image this result was made from, ${form.inPath}, could not be opened, so before / after cannot be shown: ${inSlot.error.value?.message ?? 'unknown error'}`);
      }
      if (form.refPath) {
        if (refSlot.image.value?.path !== form.refPath) await refSlot.openPath(form.refPath);
      } else clearRef();
      const output = await lab['image.open']({ path: childPath(opened.dir, form.outputFile) });
      // overtaken: false with no resultError (the Open on a job row tells this from a failure)
      if (t !== openToken) return false;
      if (!inSlot.image.value) throw new Error(`The image this result was made from, ${form.inPath}, was closed while the result was opening, so before / after cannot be shown.`);
      const metrics = opened.result.metrics && typeof opened.result.metrics === 'object' ? (opened.result.metrics as Record<string, unknown>) : {};
      const recorded = Array.isArray(opened.result.messages) ? opened.result.messages.filter((m): m is string => typeof m === 'string') : [];
      const out: ShownOutput = { outDir: opened.dir, result: opened.result, input: inSlot.image.value, output, metrics, messages: recorded };
      const loaded = await load(out, form.mode);
      if (t !== openToken) return false;
      applyForm(form);
      adopt(loaded);
      messages.value = recorded;
      // "Done in …" of an earlier run would read as this result's
      if (run.value.phase !== 'running') run.value = { ...IDLE };
      return true;
    } catch (err) {
      if (t === openToken) resultError.value = toShownError('Could not open the result', err).message;
      return false;
    }
  }

  /** Puts a result's mode, method and options back in the options panel (fields it does not record stay). */
  function applyForm(form: RestoreRunForm): void {
    const s = settings.value;
    s.mode = form.mode;
    if (form.deblur) {
      s.deblur.method = form.deblur.method;
      if (form.deblur.sigma !== null) s.deblur.sigma = form.deblur.sigma;
      if (form.deblur.iterations !== null) s.deblur.iterations = form.deblur.iterations;
    }
    if (form.sr) {
      s.sr.scale = form.sr.scale;
      s.sr.method = form.sr.method;
      if (form.sr.noise !== null) s.sr.noise = form.sr.noise;
      if (form.sr.kernel) s.sr.kernel = { ...s.sr.kernel, ...form.sr.kernel };
    }
  }

  /** The frame: the result's size, or the open input's before any result. */
  const frameSize = computed(() => {
    const r = result.value;
    if (r) return { width: r.width, height: r.height };
    const i = inSlot.image.value;
    return i ? { width: i.width, height: i.height } : null;
  });
  // a frame of another size: fit it afresh (same size: keep the zoom, to compare runs pixel by pixel)
  watch(frameSize, (a, b) => {
    if (!a || !b || a.width !== b.width || a.height !== b.height) resetView();
  });
  /** Pixels shown as "before": the result's input (enlarged), or the open input. */
  const beforePixels = computed(() => result.value?.before ?? inSlot.pixels.value);
  const afterPixels = computed(() => result.value?.after ?? null);
  /** One grey window for both images (the input's 0.5–99.5 %), so before and after compare directly. */
  const contrast = computed<ContrastWindow>(() => {
    const st = result.value?.out.input.stats ?? inSlot.image.value?.stats;
    return st ? autoWindow(st, 'percentile') : { lo: 0, hi: 1 };
  });

  // ---------- kernel preview ----------

  const kernel = computed(() => kernelSpec(settings.value.sr.kernel, settings.value.sr.scale));
  const kernelPreview = shallowRef<CallOutput<'restore.kernelPreview'> | null>(null);
  const kernelError = ref<string | null>(null);
  let kernelToken = 0;
  async function refreshKernel(): Promise<void> {
    const spec = kernel.value.spec;
    const t = ++kernelToken;
    if (settings.value.mode !== 'sr' || settings.value.sr.method !== 'usrnet' || !spec) {
      kernelPreview.value = null;
      kernelError.value = null;
      return;
    }
    try {
      const k = await lab['restore.kernelPreview']({ kernel: spec, scale: settings.value.sr.scale });
      if (t !== kernelToken) return;
      kernelPreview.value = markRaw(k);
      kernelError.value = null;
    } catch (err) {
      if (t !== kernelToken) return;
      kernelPreview.value = null;
      kernelError.value = toShownError('Kernel', err).message;
    }
  }
  let kernelTimer: ReturnType<typeof setTimeout> | null = null;
  watch(
    () => [kernel.value.spec, settings.value.mode, settings.value.sr.method, settings.value.sr.scale],
    () => {
      if (kernelTimer) clearTimeout(kernelTimer);
      kernelTimer = setTimeout(() => void refreshKernel(), 250);
    },
  );

  const kernels12 = shallowRef<CallOutput<'restore.kernels12'> | null>(null);
  async function loadKernels12(): Promise<void> {
    if (kernels12.value) return;
    try {
      kernels12.value = await lab['restore.kernels12']({});
    } catch (err) {
      kernels12.value = { available: false, path: null, reason: toShownError('Kernels', err).message, kernels: [] };
    }
  }

  /** Called when the workspace is shown: reopen remembered images, kernel look-ups. */
  function activate(): void {
    restoreImages();
    void loadKernels12();
    void refreshKernel();
  }

  // ---------- run ----------

  const run = ref<RestoreRun>({ ...IDLE });
  const messages = ref<string[]>([]);

  lab.on('task.progress', (p) => {
    const r = run.value;
    if (r.phase !== 'running' || p.taskId !== r.taskId) return;
    r.fraction = Math.min(1, Math.max(0, p.fraction));
    if (p.message) r.message = p.message;
    const item = batch.value.find((b) => b.state === 'running');
    if (item) item.fraction = r.fraction;
  });

  const params = computed(() => runParams(settings.value, inSlot.image.value?.path ?? '', refSlot.image.value?.path ?? null));

  /** Why Run is disabled, as a sentence; null when a run can start. */
  const runBlocker = computed<string | null>(() => {
    if (run.value.phase === 'running') return 'A run is in progress.';
    if (inSlot.opening.value || refSlot.opening.value) return 'Wait for the images to open.';
    if (!inSlot.image.value) return 'Open the image to restore first.';
    if (refMismatch.value) return refMismatch.value;
    if (params.value.error) return params.value.error;
    return null;
  });

  /** Runs one file with the current settings; resolves to the output, throws the back end's error. */
  async function runOne(inPath: string, refPath: string | null): Promise<RunOutput> {
    const p = runParams(settings.value, inPath, refPath);
    if (!p.params) throw new Error(p.error ?? 'invalid parameters');
    const taskId = newTaskId();
    run.value = { ...IDLE, phase: 'running', taskId, mode: p.mode, message: 'starting', startedAt: Date.now(), file: inPath };
    return p.mode === 'deblur'
      ? lab['restore.deblur']({ taskId, params: p.params as Parameters<(typeof lab)['restore.deblur']>[0]['params'] })
      : lab['restore.sr']({ taskId, params: p.params as Parameters<(typeof lab)['restore.sr']>[0]['params'] });
  }

  function ended(err: unknown | null): void {
    if (err === null) {
      run.value = { ...run.value, phase: 'done', fraction: 1, message: 'done', endedAt: Date.now(), cancelling: false };
      return;
    }
    const e = toShownError('Run failed', err);
    const cancelled = e.code === 'E_CANCELLED';
    run.value = { ...run.value, phase: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : e.message, code: e.code ?? null, endedAt: Date.now(), cancelling: false };
  }

  /** Restores the open image with the current settings. Never throws. */
  async function startRun(): Promise<void> {
    if (runBlocker.value || !inSlot.image.value) return;
    const mode = settings.value.mode;
    let taskId: string | null = null;
    try {
      const pending = runOne(inSlot.image.value.path, refSlot.image.value?.path ?? null);
      taskId = run.value.taskId;
      const out = await pending;
      if (run.value.taskId !== taskId) return;
      const loaded = await load(out, mode);
      adopt(loaded);
      messages.value = out.messages;
      ended(null);
    } catch (err) {
      if (taskId && run.value.taskId !== taskId) return;
      ended(err);
    }
  }

  async function cancelRun(): Promise<void> {
    const r = run.value;
    if (r.phase !== 'running' || !r.taskId || r.cancelling) return;
    r.cancelling = true;
    r.message = 'cancelling…';
    if (batchRunning.value) batchStop = true;
    try {
      const { cancelled } = await lab['task.cancel']({ taskId: r.taskId });
      if (!cancelled && run.value.taskId === r.taskId && run.value.phase === 'running') run.value.cancelling = false;
    } catch (err) {
      if (run.value.taskId === r.taskId) {
        run.value.cancelling = false;
        run.value.error = toShownError('Cancel failed', err).message;
      }
    }
  }

  // ---------- batch ----------

  const batch = ref<BatchItem[]>([]);
  const batchRunning = ref(false);
  let batchStop = false;

  function setBatch(paths: string[]): void {
    if (batchRunning.value) return;
    const seen = new Set<string>();
    batch.value = paths
      .map((p) => p.trim())
      .filter((p) => p && !seen.has(p) && (seen.add(p), true))
      .map((path) => ({ path, state: 'queued', fraction: 0, error: null, outDir: null, out: null }));
  }
  async function addBatchFiles(files: File[]): Promise<void> {
    const paths: string[] = [];
    for (const f of files) {
      try {
        paths.push(await lab.pathForFile(f));
      } catch (err) {
        batch.value.push({ path: f.name, state: 'failed', fraction: 0, error: toShownError('Upload failed', err).message, outDir: null, out: null });
      }
    }
    setBatch([...batch.value.filter((b) => b.state !== 'failed').map((b) => b.path), ...paths]);
  }

  /** Why the batch cannot start; null when it can. */
  const batchBlocker = computed<string | null>(() => {
    if (run.value.phase === 'running') return 'A run is in progress.';
    if (!batch.value.length) return 'Add files to the batch first.';
    const p = runParams(settings.value, 'x', null);
    return p.error;
  });

  /** Runs every queued batch file one after the other with the current settings (no reference). */
  async function runBatch(): Promise<void> {
    if (batchBlocker.value || batchRunning.value) return;
    batchRunning.value = true;
    batchStop = false;
    const mode = settings.value.mode;
    for (const item of batch.value) {
      if (batchStop) break;
      if (item.state === 'done') continue;
      Object.assign(item, { state: 'running', fraction: 0, error: null, outDir: null, out: null });
      try {
        const out = await runOne(item.path, null);
        Object.assign(item, { state: 'done', fraction: 1, outDir: out.outDir, out: markRaw(out) });
        ended(null);
        adopt(await load(out, mode));
        messages.value = out.messages;
      } catch (err) {
        ended(err);
        const e = toShownError('Run failed', err);
        Object.assign(item, { state: e.code === 'E_CANCELLED' ? 'cancelled' : 'failed', error: e.code === 'E_CANCELLED' ? null : e.message });
      }
    }
    batchRunning.value = false;
    // each file's outcome is on its row; the Run panel is for single runs
    run.value = { ...IDLE };
  }

  const inputName = computed(() => (inSlot.image.value ? inSlot.image.value.name : settings.value.inPath ? baseName(settings.value.inPath) : ''));

  return {
    settings,
    // images
    inImage: inSlot.image,
    inPixels: inSlot.pixels,
    inOpening: inSlot.opening,
    inError: inSlot.error,
    refImage: refSlot.image,
    refOpening: refSlot.opening,
    refError: refSlot.error,
    openPath,
    openFile,
    clearRef,
    refMismatch,
    inputName,
    activate,
    // view
    view,
    followFit,
    hover,
    showAfter,
    setHover,
    setSplit,
    resetView,
    frameSize,
    beforePixels,
    afterPixels,
    contrast,
    // kernel
    kernel,
    kernelPreview,
    kernelError,
    kernels12,
    // run
    run,
    runBlocker,
    messages,
    startRun,
    cancelRun,
    // result
    result,
    resultError,
    showItem,
    openResult,
    // batch
    batch,
    batchRunning,
    batchBlocker,
    setBatch,
    addBatchFiles,
    runBatch,
  };
});
