/**
 * @file The Speckle / DIC workspace's state: the reference and deformed images (two image slots), the
 * method (classical or CNN) and its parameters, with the installed tracker models for the CNN methods (the
 * settings store's `models.list`), the ROI (a rectangle plus include and exclusion polygons; see Note: ROI shapes,
 * in src/shared/contract.ts), one `track.run` at a time with its progress and cancellation, the
 * current result and the previous one (for comparing), and what the heat map shows. Settings a user expects
 * back after a restart (paths, recent files, method, parameters, ROI, display choices) persist in
 * localStorage through lib/dic-settings.ts (the polygons through lib/roi-shapes.ts). The pure logic lives in
 * lib/ (dic-params, dic-result, field, quiver, roi, roi-polygon, colormap); this store wires it to the contract.
 *
 * Coordinates: every map of a result has the reference image's size, and all canvases of the workspace
 * share one view transform (see Note: Viewer coordinates, in composables/useViewport.ts), so the pixel
 * under the cursor is the same pixel in the reference, the deformed image and every map.
 */
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { fetchFloat32, lab } from '../api';
import { reopenRemembered, useImageSlot, type OpenedImage } from '../composables/useImageSlot';
import type { Point, Size, View } from '../composables/useViewport';
import type { ColourRange } from '../lib/colormap';
import { autoWindow, type ContrastWindow } from '../lib/contrast';
import { gridEstimate, methodMargin, METHODS, newTaskId, toTrackParams, trackerModels, validateParams, type MethodForm, type TrackMethod } from '../lib/dic-params';
import { describeMap, formFromProvenance, MAGNITUDE, orderMaps, parseProvenance, type MapInfo, type Provenance } from '../lib/dic-result';
import { defaultSettings, loadSettings, saveSettings, withRecent, type DicSettings } from '../lib/dic-settings';
import { autoRange, difference, finiteStats, histogram, magnitude, sharedSymmetricRange, valueAt, type FiniteStats } from '../lib/field';
import { baseName } from '../lib/format';
import { autoFactor, quiverField, type Quiver } from '../lib/quiver';
import { clampRect, sameRect, type RoiRect } from '../lib/roi';
import { fitShapes, hasShapes, noShapes, regionGridPoints, removePolygon, roiParam, selectedPixels, shapesLimitProblem, vertexCount, type PolygonList, type RoiShapes } from '../lib/roi-polygon';
import { loadShapes, saveShapes } from '../lib/roi-shapes';
import { toShownError } from './app';
import { useSettingsStore } from './settings';
import { browserStorage } from '../lib/persist';

export type OpenedResult = CallOutput<'result.open'>;
export type SlotName = 'ref' | 'def';
export type StageMode = 'images' | 'result' | 'compare';
/** left-button drag on the reference: pan, draw the ROI rectangle, draw an include or an exclusion polygon */
export type Tool = 'pan' | 'roi' | 'polygon' | 'exclude';
export type RunPhase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** A result folder with its maps fetched (plus |u| derived here). */
export interface LoadedResult {
  dir: string;
  kind: string;
  result: Record<string, unknown>;
  provenance: Provenance;
  width: number;
  height: number;
  /** float32 maps by name, each width·height, NaN = not measured; includes MAGNITUDE when u and v exist */
  maps: Record<string, Float32Array>;
  /** the back end's unit of each map ("px", "1", …) */
  units: Record<string, string>;
  /** statistics over the finite values of each map, as the back end computed them (|u|: computed here) */
  stats: Record<string, { mean: number | null; std: number | null; min: number | null; max: number | null; valid: number }>;
  /** job that wrote it, when this session ran it */
  jobId: number | null;
}

export interface RunState {
  phase: RunPhase;
  taskId: string | null;
  /** 0–1 from `task.progress` */
  fraction: number;
  message: string;
  /** the back end's sentence when the run failed */
  error: string | null;
  code: string | null;
  jobId: number | null;
  startedAt: number | null;
  endedAt: number | null;
  /** true from the Cancel click until the run ends */
  cancelling: boolean;
}

const IDLE: RunState = { phase: 'idle', taskId: null, fraction: 0, message: '', error: null, code: null, jobId: null, startedAt: null, endedAt: null, cancelling: false };

/** Bins of the map histogram. */
export const MAP_HISTOGRAM_BINS = 128;

const storage = browserStorage;

export const useDicStore = defineStore('dic', () => {
  /** Everything persisted between launches (lib/dic-settings.ts). */
  const settings = ref<DicSettings>(loadSettings(storage()));
  watch(settings, (s) => saveSettings(storage(), s), { deep: true });
  /**
   * ROI polygons (include and exclusion) in reference pixels, persisted beside the settings; with the
   * rectangle `settings.roi` they make the ROI sent (see Note: ROI shapes, in src/shared/contract.ts).
   */
  const roiShapes = shallowRef<RoiShapes>(loadShapes(storage()));
  watch(roiShapes, (s) => saveShapes(storage(), s));

  // ---------- images ----------

  /** Note shown after a new reference image changed or dropped the ROI. */
  const roiNote = ref<string | null>(null);

  /** Paths being reopened at launch: opening them again is not news for the recent list. */
  const restoring = new Set<string>();

  function remember(slot: SlotName, path: string): void {
    if (slot === 'ref') settings.value.refPath = path;
    else settings.value.defPath = path;
    if (restoring.delete(path)) return;
    settings.value.recent = withRecent(settings.value.recent, path);
  }

  const refSlot = useImageSlot({
    beforeShow(opened: OpenedImage) {
      const notes: string[] = [];
      const r = settings.value.roi;
      if (r) {
        const c = clampRect(r, opened);
        if (!sameRect(c, r)) {
          notes.push(
            c
              ? `The ROI was clipped to the ${opened.width} × ${opened.height} px reference.`
              : `The ROI lay outside the ${opened.width} × ${opened.height} px reference and was cleared.`,
          );
          settings.value.roi = c;
        }
      }
      // polygons are clipped to the image (what they select inside it stays the same), empty ones dropped
      const fit = fitShapes(roiShapes.value, opened);
      if (fit.changed) {
        const clipped = `The ROI polygons were clipped to the ${opened.width} × ${opened.height} px reference`;
        notes.push(fit.dropped ? `${clipped}; ${fit.dropped} lay outside it and ${fit.dropped === 1 ? 'was' : 'were'} removed.` : `${clipped}.`);
        roiShapes.value = fit.shapes;
      }
      if (notes.length) roiNote.value = notes.join(' ');
      if (refSlot.image.value && (refSlot.image.value.width !== opened.width || refSlot.image.value.height !== opened.height)) {
        view.value = null;
        followFit.value = true;
      }
    },
    onOpened: (o) => remember('ref', o.path),
  });
  const defSlot = useImageSlot({ onOpened: (o) => remember('def', o.path) });
  const slots = { ref: refSlot, def: defSlot };

  const sizeOf = (img: OpenedImage | null): Size | null => (img ? { width: img.width, height: img.height } : null);
  const refSize = computed(() => sizeOf(refSlot.image.value));
  const defSize = computed(() => sizeOf(defSlot.image.value));
  /** Display windows of the two images (0.5–99.5 % of their histograms). */
  const refContrast = computed<ContrastWindow>(() => (refSlot.image.value ? autoWindow(refSlot.image.value.stats, 'percentile') : { lo: 0, hi: 1 }));
  const defContrast = computed<ContrastWindow>(() => (defSlot.image.value ? autoWindow(defSlot.image.value.stats, 'percentile') : { lo: 0, hi: 1 }));
  /** Why the two images cannot be tracked together; null when they can (or one is missing). */
  const sizeMismatch = computed(() => {
    const r = refSize.value;
    const d = defSize.value;
    if (!r || !d || (r.width === d.width && r.height === d.height)) return null;
    return `The deformed image is ${d.width} × ${d.height} px but the reference is ${r.width} × ${r.height} px; both must have the same size.`;
  });

  /** Opens a typed or recent path into a slot. */
  function openPath(slot: SlotName, path: string): Promise<boolean> {
    return slots[slot].openPath(path);
  }
  /** Opens a File (input or drop) into a slot. */
  function openFile(slot: SlotName, file: File): Promise<boolean> {
    return slots[slot].openFile(file);
  }

  /** Opens the remembered images once, when the workspace is first shown. */
  const restoreImages = reopenRemembered(
    () => [
      [refSlot, settings.value.refPath],
      [defSlot, settings.value.defPath],
    ],
    restoring,
  );

  // ---------- view (shared by every canvas of the workspace) ----------

  const view = ref<View | null>(null);
  const followFit = ref(true);
  /** Integer pixel under the cursor in any canvas; null when off the image. */
  const hover = ref<Point | null>(null);
  const stage = ref<StageMode>('images');
  const tool = ref<Tool>('pan');

  function setHover(p: Point | null): void {
    if (p?.x === hover.value?.x && p?.y === hover.value?.y) return;
    hover.value = p;
  }

  // ---------- method, parameters, ROI ----------

  const method = computed<TrackMethod>({
    get: () => settings.value.method,
    set: (m) => {
      settings.value.method = m;
    },
  });
  const methodInfo = computed(() => METHODS[method.value]);
  const methodForm = computed(() => settings.value.params[method.value]);

  // The CNN methods choose among the installed models; the list is the settings store's `models.list`.
  const appSettings = useSettingsStore();
  /** The models that can serve as trackers (null until `models.list` answers). */
  const trackerModelList = computed(() => (appSettings.models ? trackerModels(appSettings.models.models) : null));
  /** Why the model list is unknown, when `models.list` failed. */
  const modelsError = computed(() => appSettings.modelsError);
  const modelsLoading = computed(() => appSettings.modelsLoading);
  // Asked for only once a CNN method is chosen: the classical methods never need it.
  watch(
    () => methodInfo.value.modelHelp !== null,
    (needsModel) => {
      if (needsModel && !appSettings.models && !appSettings.modelsLoading) void appSettings.loadModels();
    },
    { immediate: true },
  );

  const validation = computed(() =>
    validateParams(method.value, methodForm.value, settings.value.common, refSize.value, trackerModelList.value?.map((m) => m.id) ?? null),
  );
  /** True when a rectangle or a polygon limits what is measured. */
  const hasRoi = computed(() => Boolean(settings.value.roi) || hasShapes(roiShapes.value));
  /**
   * How many reference pixels the ROI selects; null without a reference. Counted from the polygons' row
   * spans (lib/roi-polygon.ts): no image-sized mask is built on a commit, whatever the image size.
   */
  const roiPixels = computed(() => {
    const img = refSize.value;
    if (!img) return null;
    if (hasShapes(roiShapes.value)) return selectedPixels(settings.value.roi, roiShapes.value, img);
    const r = settings.value.roi;
    return r ? r.width * r.height : img.width * img.height;
  });
  /** Why the drawn polygons cannot be sent (too many polygons or vertices), in words; null when they can. */
  const roiLimitProblem = computed(() => shapesLimitProblem(roiShapes.value));
  /** The grid the core will measure, when the parameters are valid and the reference is open. */
  const grid = computed(() => {
    const v = validation.value.values;
    const img = refSize.value;
    if (!v || !img) return null;
    // with polygons the core measures on a mask: its grid starts at the image origin (src/core/track/grid.ts);
    // the dense CNN methods measure every selected pixel (src/core/track/cnn.ts)
    if (hasShapes(roiShapes.value)) {
      const margin = methodMargin(method.value, v);
      const points = methodInfo.value.dense ? (roiPixels.value ?? 0) : regionGridPoints(settings.value.roi, roiShapes.value, img, v.step, margin).points;
      return { nx: null, ny: null, points, margin };
    }
    return gridEstimate(method.value, v, img, settings.value.roi);
  });

  function setMethodField(field: keyof MethodForm, text: string): void {
    settings.value.params[method.value][field] = text;
  }
  function setCommonField(field: 'step' | 'strainWindow', text: string): void {
    settings.value.common[field] = text;
  }
  /** The current method's defaults, the default step and no strain. */
  function resetParams(): void {
    const d = defaultSettings();
    settings.value.params[method.value] = d.params[method.value];
    settings.value.common = d.common;
  }

  function setRoi(r: RoiRect | null): void {
    roiNote.value = null;
    settings.value.roi = r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
  }
  /** True when `a` has more polygons in a list, or more vertices, than `b`. */
  const grows = (a: RoiShapes, b: RoiShapes) => a.include.length > b.include.length || a.exclude.length > b.exclude.length || vertexCount(a) > vertexCount(b);
  /**
   * Replaces the ROI polygons (a polygon closed, a vertex moved, one deleted). Shapes past the contract's
   * limits (ROI_MAX_POLYGONS per list, ROI_MAX_TOTAL_VERTICES in all) are refused, with the reason in
   * `roiNote`, unless they shrink what is already too large; false when refused.
   */
  function setRoiShapes(s: RoiShapes): boolean {
    const problem = shapesLimitProblem(s);
    if (problem && (shapesLimitProblem(roiShapes.value) === null || grows(s, roiShapes.value))) {
      roiNote.value = problem;
      return false;
    }
    roiNote.value = null;
    roiShapes.value = s;
    return true;
  }
  /** Shows why a drawing gesture was refused (the polygon tool's limits) in the ROI panel; null clears it. */
  function setRoiNote(message: string | null): void {
    roiNote.value = message;
  }
  function deleteRoiPolygon(list: PolygonList, index: number): void {
    setRoiShapes(removePolygon(roiShapes.value, list, index));
  }
  /** No rectangle and no polygon: the whole image is measured. */
  function clearRoi(): void {
    setRoi(null);
    roiShapes.value = noShapes();
  }

  // ---------- run ----------

  const run = ref<RunState>({ ...IDLE });
  /** Plain-language notes of the shown result (from the run, or from result.json when reopened). */
  const messages = ref<string[]>([]);

  lab.on('task.progress', (p) => {
    const r = run.value;
    if (r.phase !== 'running' || p.taskId !== r.taskId) return;
    r.fraction = Math.min(1, Math.max(0, p.fraction));
    if (p.message) r.message = p.message;
  });

  /** Why Run is disabled right now, as a sentence; null when a run can start. */
  const runBlocker = computed<string | null>(() => {
    if (run.value.phase === 'running') return 'A run is in progress.';
    if (refSlot.opening.value || defSlot.opening.value) return 'Wait for the images to open.';
    if (!refSlot.image.value) return 'Open a reference image first.';
    if (!defSlot.image.value) return 'Open the deformed image.';
    if (sizeMismatch.value) return sizeMismatch.value;
    if (!validation.value.values) return 'Fix the parameters marked in red.';
    if (roiLimitProblem.value) return roiLimitProblem.value;
    if (grid.value && grid.value.points === 0) {
      if (roiPixels.value === 0) return 'The ROI selects no pixel: the exclusions cover all of it. Delete an exclusion or draw a larger region.';
      const info = methodInfo.value;
      const what = `${info.windowLabel.toLowerCase()}${info.searchHelp !== null ? ' or search radius' : ''}`;
      return `No point can be measured: each point needs ${grid.value.margin} px from the image border${hasRoi.value ? ', and none of those lies in the ROI' : ''}. Use a smaller ${what}, or a larger ROI.`;
    }
    return null;
  });

  /** Starts `track.run` with the current images, method, parameters and ROI. Never throws. */
  async function startRun(): Promise<void> {
    if (runBlocker.value || !validation.value.values || !refSlot.image.value || !defSlot.image.value) return;
    const taskId = newTaskId();
    const params = toTrackParams(method.value, validation.value.values, refSlot.image.value.path, defSlot.image.value.path, settings.value.roi);
    if (hasShapes(roiShapes.value)) params.roi = roiParam(settings.value.roi, roiShapes.value);
    run.value = { ...IDLE, phase: 'running', taskId, message: 'starting', startedAt: Date.now() };
    try {
      const res = await lab['track.run']({ taskId, params });
      if (run.value.taskId !== taskId) return;
      const loaded = await loadResult(res.opened, res.jobId);
      adopt(loaded);
      messages.value = res.messages;
      run.value = { ...run.value, phase: 'done', fraction: 1, message: 'done', jobId: res.jobId, endedAt: Date.now(), cancelling: false };
      stage.value = 'result';
    } catch (err) {
      if (run.value.taskId !== taskId) return;
      const e = toShownError('Run failed', err);
      const cancelled = e.code === 'E_CANCELLED';
      run.value = {
        ...run.value,
        phase: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? null : e.message,
        code: e.code ?? null,
        endedAt: Date.now(),
        cancelling: false,
      };
    }
  }

  /** Asks the back end to stop the running task; the run then ends as cancelled. */
  async function cancelRun(): Promise<void> {
    const r = run.value;
    if (r.phase !== 'running' || !r.taskId || r.cancelling) return;
    r.cancelling = true;
    r.message = 'cancelling…';
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

  // ---------- results ----------

  const current = shallowRef<LoadedResult | null>(null);
  const previous = shallowRef<LoadedResult | null>(null);
  /** Folder being opened by `openResult`; null otherwise. */
  const resultOpening = ref<string | null>(null);
  /** Why the last `openResult` failed. */
  const resultError = ref<string | null>(null);
  let resultToken = 0;

  async function loadResult(opened: OpenedResult, jobId: number | null): Promise<LoadedResult> {
    const maps: Record<string, Float32Array> = {};
    const units: Record<string, string> = {};
    const stats: LoadedResult['stats'] = {};
    let width = 0;
    let height = 0;
    await Promise.all(
      opened.maps.map(async (m) => {
        maps[m.name] = markRaw(await fetchFloat32(m.dataUrl, m.width * m.height));
        units[m.name] = m.unit;
        stats[m.name] = m.stats;
        width = m.width;
        height = m.height;
      }),
    );
    if (opened.maps.some((m) => m.width !== width || m.height !== height)) {
      throw new Error(`The maps in ${opened.dir} do not all have the same size.`);
    }
    if (maps.u && maps.v) {
      maps[MAGNITUDE] = markRaw(magnitude(maps.u, maps.v));
      units[MAGNITUDE] = units.u ?? 'px';
      const f = finiteStats(maps[MAGNITUDE]);
      const n = (x: number) => (Number.isFinite(x) ? x : null);
      stats[MAGNITUDE] = { mean: n(f.mean), std: n(f.std), min: n(f.min), max: n(f.max), valid: f.valid };
    }
    return markRaw({ dir: opened.dir, kind: opened.kind, result: opened.result, provenance: parseProvenance(opened.result), width, height, maps, units, stats, jobId });
  }

  function adopt(r: LoadedResult): void {
    if (current.value && current.value.dir !== r.dir) previous.value = current.value;
    current.value = r;
    settings.value.resultPath = r.dir;
    resultError.value = null;
    if (!previous.value) compare.value = false;
  }

  /**
   * Opens a result folder (typed path, Jobs list): shows its maps, summary and provenance exactly as
   * written, puts the method, parameters and ROI it was made with back into the form, and opens its
   * input images when they still exist (for the vector overlay and to run again).
   */
  async function openResult(dir: string): Promise<boolean> {
    const d = dir.trim();
    if (!d) return false;
    const t = ++resultToken;
    resultOpening.value = baseName(d);
    resultError.value = null;
    try {
      const opened = await lab['result.open']({ dir: d });
      const loaded = await loadResult(opened, null);
      if (t !== resultToken) return false;
      adopt(loaded);
      messages.value = loaded.provenance.messages;
      const form = formFromProvenance(loaded.provenance, settings.value.common);
      if (form) {
        settings.value.method = form.method;
        settings.value.params[form.method] = form.methodForm;
        settings.value.common = form.common;
        // the rectangle and polygons as recorded; an ROI the contract does not know leaves the drawing alone
        if (form.roi) {
          settings.value.roi = form.roi.rect;
          roiShapes.value = form.roi.shapes;
        }
        roiNote.value = null;
      }
      stage.value = 'result';
      for (const input of loaded.provenance.inputs) {
        const slot = input.role === 'reference' ? refSlot : input.role === 'deformed' || input.role === 'sample' ? defSlot : null;
        if (slot && input.path && slot.image.value?.path !== input.path) void slot.openPath(input.path);
      }
      return true;
    } catch (err) {
      if (t === resultToken) resultError.value = toShownError(`Could not open ${baseName(d)}`, err).message;
      return false;
    } finally {
      if (t === resultToken) resultOpening.value = null;
    }
  }

  // ---------- heat map ----------

  const mapNames = computed(() => (current.value ? orderMaps(Object.keys(current.value.maps)) : []));
  const selectedMap = computed<string | null>(() => {
    const names = mapNames.value;
    return names.includes(settings.value.map) ? settings.value.map : (names[0] ?? null);
  });
  const infoOf = (name: string, r: LoadedResult | null = current.value): MapInfo => describeMap(name, r?.units[name] ?? '', r?.provenance.method ?? null);
  const mapInfo = computed(() => (selectedMap.value ? infoOf(selectedMap.value) : null));
  const mapValues = computed(() => (current.value && selectedMap.value ? current.value.maps[selectedMap.value] : null));
  const mapStats = computed<FiniteStats | null>(() => (mapValues.value ? finiteStats(mapValues.value) : null));
  const mapAutoRange = computed(() => (mapValues.value && mapInfo.value ? autoRange(mapValues.value, mapInfo.value.signed) : null));
  /** Ranges typed (or picked on the histogram) per map name; absent = automatic. */
  const manualRanges = ref<Record<string, ColourRange>>({});
  const mapRange = computed<ColourRange>(() => (selectedMap.value && manualRanges.value[selectedMap.value]) || mapAutoRange.value || { lo: -1, hi: 1 });
  const rangeIsAuto = computed(() => !selectedMap.value || !manualRanges.value[selectedMap.value]);
  const mapHistogram = computed(() => {
    const s = mapStats.value;
    const v = mapValues.value;
    if (!s || !v || !s.valid) return null;
    return { bins: histogram(v, MAP_HISTOGRAM_BINS, s.min, s.max), min: s.min, max: s.max };
  });

  function selectMap(name: string): void {
    settings.value.map = name;
  }
  /** Sets the colour range of the selected map by hand; non-finite or reversed bounds are ignored. */
  function setRange(lo: number | undefined, hi: number | undefined): void {
    const name = selectedMap.value;
    if (!name) return;
    const next = { ...mapRange.value };
    if (lo !== undefined && Number.isFinite(lo)) next.lo = lo;
    if (hi !== undefined && Number.isFinite(hi)) next.hi = hi;
    if (!(next.hi > next.lo)) return;
    manualRanges.value = { ...manualRanges.value, [name]: next };
  }
  function autoRangeSelected(): void {
    const name = selectedMap.value;
    if (!name) return;
    const rest = { ...manualRanges.value };
    delete rest[name];
    manualRanges.value = rest;
  }

  // ---------- vectors ----------

  const quiver = computed<Quiver | null>(() => {
    const r = current.value;
    if (!r || !r.maps.u || !r.maps.v) return null;
    return markRaw(quiverField(r.maps.u, r.maps.v, r.width, r.height, settings.value.vectors.spacing));
  });
  const vectorAutoFactor = computed(() => (quiver.value ? autoFactor(quiver.value) : 1));
  const vectorFactor = computed(() => settings.value.vectors.scale ?? vectorAutoFactor.value);

  // ---------- compare with the previous result ----------

  const compare = ref(false);
  const comparison = computed(() => {
    const cur = current.value;
    const prev = previous.value;
    if (!cur || !prev) return null;
    const sel = selectedMap.value;
    // The map the user is looking at, whatever it is (|u|, strain, quality too); u when the previous result lacks it.
    const name = sel && cur.maps[sel] && prev.maps[sel] ? sel : 'u';
    const a = prev.maps[name];
    const b = cur.maps[name];
    if (!a || !b) return { error: `Both results need a ${name} map to compare.` };
    if (prev.width !== cur.width || prev.height !== cur.height) {
      return { error: `The previous result is ${prev.width} × ${prev.height} px and this one ${cur.width} × ${cur.height} px; only results of the same images can be compared.` };
    }
    const diff = markRaw(difference(b, a));
    const range = sharedSymmetricRange([a, b, diff]) ?? { lo: -1, hi: 1 };
    return { error: null, name, info: infoOf(name), prev: a, cur: b, diff, range, diffStats: finiteStats(diff) };
  });

  // ---------- readout ----------

  const readout = computed(() => {
    const p = hover.value;
    const r = current.value;
    const at = (data: Float32Array | null | undefined, w: number, h: number) => (p ? valueAt(data, w, h, p.x, p.y) : null);
    const rs = refSize.value;
    const ds = defSize.value;
    const m = (name: string) => (r ? at(r.maps[name], r.width, r.height) : null);
    // the comparison (a difference map) is only computed while it is shown
    const c = stage.value === 'compare' ? comparison.value : null;
    return {
      pixel: p,
      ref: rs ? at(refSlot.pixels.value, rs.width, rs.height) : null,
      def: ds ? at(defSlot.pixels.value, ds.width, ds.height) : null,
      u: m('u'),
      v: m('v'),
      mag: m(MAGNITUDE),
      quality: m('quality'),
      selected: selectedMap.value ? m(selectedMap.value) : null,
      previous: c && !c.error && r ? at(c.prev, r.width, r.height) : null,
      difference: c && !c.error && r ? at(c.diff, r.width, r.height) : null,
    };
  });

  /** The size the shared view refers to in the current stage. */
  const stageSize = computed<Size | null>(() => {
    const res = current.value ? { width: current.value.width, height: current.value.height } : null;
    return stage.value === 'images' ? (refSize.value ?? defSize.value) : (res ?? refSize.value);
  });

  return {
    settings,
    /** the reference image (image.open's description), its float32 pixels, the name being opened, the last error */
    refImage: refSlot.image,
    refPixels: refSlot.pixels,
    refOpening: refSlot.opening,
    refError: refSlot.error,
    /** the deformed image, likewise */
    defImage: defSlot.image,
    defPixels: defSlot.pixels,
    defOpening: defSlot.opening,
    defError: defSlot.error,
    refSize,
    defSize,
    refContrast,
    defContrast,
    sizeMismatch,
    roiNote,
    /** the ROI polygons; with `settings.roi` the ROI, and how many reference pixels it selects */
    roiShapes,
    hasRoi,
    roiPixels,
    /** why the drawn polygons exceed the contract's limits (also the Run blocker); null when they do not */
    roiLimitProblem,
    openPath,
    openFile,
    restoreImages,
    view,
    followFit,
    hover,
    stage,
    tool,
    stageSize,
    setHover,
    method,
    methodInfo,
    methodForm,
    /** the installed tracker models for the CNN methods (null until listed), why listing failed, and whether it is under way */
    trackerModelList,
    modelsError,
    modelsLoading,
    validation,
    grid,
    setMethodField,
    setCommonField,
    resetParams,
    setRoi,
    setRoiShapes,
    setRoiNote,
    deleteRoiPolygon,
    clearRoi,
    run,
    messages,
    runBlocker,
    startRun,
    cancelRun,
    current,
    previous,
    resultOpening,
    resultError,
    openResult,
    mapNames,
    selectedMap,
    mapInfo,
    mapValues,
    mapStats,
    mapRange,
    rangeIsAuto,
    mapHistogram,
    selectMap,
    setRange,
    autoRangeSelected,
    infoOf,
    quiver,
    vectorAutoFactor,
    vectorFactor,
    compare,
    comparison,
    readout,
  };
});
