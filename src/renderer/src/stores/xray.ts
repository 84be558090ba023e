/**
 * @file The X-ray phase workspace's state: reference and sample images (image slots), the geometry form
 * (remembered per folder of the sample image), method, step and phase integrator, the run (`xpci.run` as a
 * job with progress and Cancel), the result maps (float32 by URL), the selected map with its colour range,
 * the profile line and the profiles of this and earlier runs along it (`xpci.profile`, ground truth when
 * the images came from the simulator), the recently opened images, the simulated demo pair (`xpci.simulate`), and earlier result
 * folders reopened with the form they ran with (lib/xray-reopen.ts). Settings persist in localStorage
 * `speckle-lab.xray` (lib/xray.ts).
 */
import { defineStore } from 'pinia';
import { computed, markRaw, ref, shallowRef, watch } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { fetchFloat32, lab } from '../api';
import { useImageSlot } from '../composables/useImageSlot';
import type { Point, Size, View } from '../composables/useViewport';
import { autoWindow, type ContrastWindow } from '../lib/contrast';
import { autoRange, valueAt } from '../lib/field';
import {
  displayValues,
  folderOf,
  geometryToForm,
  lineError,
  loadSettings,
  mapInfo,
  methodLabel,
  newTaskId,
  parseGeometry,
  profilesCsv,
  saveSettings,
  XRAY_MAPS,
  type ProfileEntry,
  type ProfileLine,
} from '../lib/xray';
import { RECENT_MAX, withRecent } from '../lib/dic-settings';
import { xrayFormFromResult } from '../lib/xray-reopen';
import { toShownError } from './app';

type Opened = CallOutput<'result.open'>;
export type XraySlotName = 'ref' | 'sample';

/** The recent list lives beside the settings (its own key, so the settings' schema stays as it is). */
export const RECENT_KEY = 'speckle-lab.xray.recent';
function loadRecent(storage: Storage | null): string[] {
  try {
    const v: unknown = JSON.parse(storage?.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}
function saveRecent(storage: Storage | null, recent: string[]): void {
  try {
    storage?.setItem(RECENT_KEY, JSON.stringify(recent));
  } catch {
    // private mode or storage full: the list is only a convenience
  }
}
export type RunPhase = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
export type XrayTab = 'images' | 'map';

export interface XrayRun {
  phase: RunPhase;
  taskId: string | null;
  fraction: number;
  message: string;
  error: string | null;
  cancelling: boolean;
}
const IDLE: XrayRun = { phase: 'idle', taskId: null, fraction: 0, message: '', error: null, cancelling: false };

/** A finished run kept for profile overlays. */
export interface RunRecord {
  dir: string;
  label: string;
  method: string;
}

/** How many earlier runs' profiles are overlaid. */
export const MAX_RUNS = 6;

const storage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

export const useXrayStore = defineStore('xray', () => {
  const settings = ref(loadSettings(storage()));
  watch(settings, (s) => saveSettings(storage(), s), { deep: true });

  // ---------- images ----------
  const view = ref<View | null>(null);
  const followFit = ref(true);
  /** Recently opened image paths, newest first (both slots; the Recent menu of each row). */
  const recent = ref<string[]>(loadRecent(storage()));
  watch(recent, (r) => saveRecent(storage(), r));
  const refSlot = useImageSlot({
    onOpened: (o) => {
      settings.value.refPath = o.path;
      recent.value = withRecent(recent.value, o.path);
      followFit.value = true;
    },
  });
  const sampleSlot = useImageSlot({
    onOpened: (o) => {
      settings.value.samplePath = o.path;
      recent.value = withRecent(recent.value, o.path);
      const g = settings.value.geometryByFolder[folderOf(o.path)];
      if (g) settings.value.geometry = { ...g };
      followFit.value = true;
    },
  });
  const slotOf = (which: XraySlotName) => (which === 'ref' ? refSlot : sampleSlot);
  /** Opens an image by its path on the back-end machine (typed, recent) into a slot. */
  const openPath = (which: XraySlotName, path: string) => slotOf(which).openPath(path);
  /** Opens a File (Browse…, a drop) into a slot: uploaded in the harness, its real path in Electron. */
  const openFile = (which: XraySlotName, file: File) => slotOf(which).openFile(file);
  const contrastOf = (s: typeof refSlot) => computed<ContrastWindow>(() => (s.image.value ? autoWindow(s.image.value.stats, 'percentile') : { lo: 0, hi: 1 }));
  const refContrast = contrastOf(refSlot);
  const sampleContrast = contrastOf(sampleSlot);
  const sizeOf = (s: typeof refSlot) => computed<Size | null>(() => (s.image.value ? { width: s.image.value.width, height: s.image.value.height } : null));
  const refSize = sizeOf(refSlot);
  const sampleSize = sizeOf(sampleSlot);
  const sizeMismatch = computed(() => {
    const a = refSize.value, b = sampleSize.value;
    return a && b && (a.width !== b.width || a.height !== b.height) ? `The reference is ${a.width} × ${a.height} but the sample is ${b.width} × ${b.height}; they must be the same size.` : null;
  });

  // ---------- geometry & method ----------
  const parsed = computed(() => parseGeometry(settings.value.geometry));
  const geometryErrors = computed(() => parsed.value.errors);
  const stepError = computed(() => (Number.isInteger(settings.value.step) && settings.value.step >= 1 && settings.value.step <= 64 ? null : 'The step must be a whole number of pixels, 1–64.'));

  // ---------- run ----------
  const run = ref<XrayRun>({ ...IDLE });
  const runBlocker = computed<string | null>(() => {
    if (!refSlot.image.value) return 'Open a reference image (speckle without the sample).';
    if (!sampleSlot.image.value) return 'Open a sample image (speckle with the sample).';
    if (sizeMismatch.value) return sizeMismatch.value;
    if (!parsed.value.geometry) return 'Correct the geometry first.';
    if (stepError.value) return stepError.value;
    return null;
  });

  const result = shallowRef<Opened | null>(null);
  const truthDir = ref<string | null>(null);
  const messages = ref<string[]>([]);
  const maps = shallowRef<Record<string, Float32Array>>({});
  const resultError = ref<string | null>(null);
  const runs = ref<RunRecord[]>([]);
  let runCount = 0;

  lab.on('task.progress', (p) => {
    const r = run.value;
    if (r.phase !== 'running' || p.taskId !== r.taskId) return;
    r.fraction = p.fraction;
    if (p.message) r.message = p.message;
  });

  /** The result's maps this workspace shows, fetched (nothing is assigned yet). */
  async function fetchMaps(opened: Opened): Promise<Record<string, Float32Array>> {
    const fetched: Record<string, Float32Array> = {};
    for (const m of opened.maps) {
      if (!mapInfo(m.name)) continue;
      fetched[m.name] = markRaw(await fetchFloat32(m.dataUrl, m.width * m.height));
    }
    return fetched;
  }

  /** Shows a result whose maps are fetched: the maps, the kept runs, the profiles along the line. */
  async function adoptResult(opened: Opened, fetched: Record<string, Float32Array>, truth: string | null, method: string): Promise<void> {
    result.value = opened;
    maps.value = fetched;
    truthDir.value = truth;
    if (!fetched[settings.value.map]) settings.value.map = 'alpha_x';
    runCount++;
    // a result opened again replaces its earlier profile instead of overlaying it on itself
    runs.value = [...runs.value.filter((r) => r.dir !== opened.dir), { dir: opened.dir, label: `#${runCount} ${methodLabel(method)}`, method }].slice(-MAX_RUNS);
    tab.value = 'map';
    if (line.value && !lineError(line.value, { width: opened.maps[0]?.width ?? 0, height: opened.maps[0]?.height ?? 0 })) await updateProfiles();
  }

  async function showResult(opened: Opened, truth: string | null, method: string): Promise<void> {
    await adoptResult(opened, await fetchMaps(opened), truth, method);
  }

  async function start(): Promise<void> {
    if (runBlocker.value || run.value.phase === 'running') return;
    const g = parsed.value.geometry!;
    const s = settings.value;
    s.geometryByFolder[folderOf(sampleSlot.image.value!.path)] = { ...s.geometry };
    const taskId = newTaskId();
    run.value = { ...IDLE, phase: 'running', taskId, message: 'starting' };
    try {
      const r = await lab['xpci.run']({
        taskId,
        params: { refPath: refSlot.image.value!.path, samplePath: sampleSlot.image.value!.path, ...g, method: s.method, options: {}, step: s.step, integrator: s.integrator },
      });
      if (run.value.taskId !== taskId) return;
      messages.value = r.messages;
      await showResult(r.opened, r.truthDir, s.method);
      run.value = { ...run.value, phase: 'done', fraction: 1, message: 'done' };
    } catch (err) {
      if (run.value.taskId !== taskId) return;
      const e = toShownError('Run failed', err);
      run.value = { ...run.value, phase: e.code === 'E_CANCELLED' ? 'cancelled' : 'failed', error: e.code === 'E_CANCELLED' ? null : e.message, cancelling: false };
    }
  }

  async function cancel(): Promise<void> {
    const r = run.value;
    if (r.phase !== 'running' || !r.taskId || r.cancelling) return;
    r.cancelling = true;
    try {
      await lab['task.cancel']({ taskId: r.taskId });
    } catch (err) {
      r.cancelling = false;
      r.error = toShownError('Cancel failed', err).message;
    }
  }

  let openToken = 0;
  /**
   * Opens an earlier result folder (by path) as it was made: an `xpci` run shows its maps with the images,
   * geometry, method, step and integrator it ran with back in the form; a `simulate.xpci` phantom loads its
   * pair with its geometry, ready to run. Resolves to whether it is shown; `resultError` says why not.
   * Input images that are gone only mark their slot: the maps are the result. An open overtaken by a newer
   * one answers false and sets neither the result, the form nor `resultError`: the maps are fetched first,
   * and only the latest open assigns.
   */
  async function openResult(dir: string): Promise<boolean> {
    resultError.value = null;
    const t = ++openToken;
    try {
      const opened = await lab['result.open']({ dir: dir.trim() });
      if (opened.kind !== 'xpci' && opened.kind !== 'simulate.xpci') throw new Error(`${opened.dir} holds a "${opened.kind}" result, not an X-ray phase result.`);
      const form = xrayFormFromResult(opened.result, opened.dir);
      if (!form) throw new Error(`${opened.dir} records no complete geometry (pixel pitch, distance, energy) in its result.json, so it cannot be shown as it was run.`);
      // The images first: opening a sample applies the geometry remembered for its folder, which the
      // folder's own geometry then replaces.
      await Promise.all([
        form.refPath && refSlot.image.value?.path !== form.refPath ? refSlot.openPath(form.refPath) : null,
        form.samplePath && sampleSlot.image.value?.path !== form.samplePath ? sampleSlot.openPath(form.samplePath) : null,
      ]);
      if (t !== openToken) return false;
      const fetched = opened.kind === 'xpci' ? await fetchMaps(opened) : null;
      // a newer open may have finished while the maps were fetched: then it is the one shown
      if (t !== openToken) return false;
      // everything assigned at once, before anything else is awaited (the profiles)
      const s = settings.value;
      s.geometry = form.geometry;
      if (form.method) s.method = form.method;
      if (form.step !== null) s.step = form.step;
      if (form.integrator) s.integrator = form.integrator;
      if (fetched) {
        const method = typeof opened.result.method === 'string' ? opened.result.method : '?';
        messages.value = Array.isArray(opened.result.messages) ? opened.result.messages.filter((m): m is string => typeof m === 'string') : [];
        await adoptResult(opened, fetched, null, method);
      } else {
        tab.value = 'images';
      }
      return t === openToken;
    } catch (err) {
      if (t === openToken) resultError.value = toShownError('Could not open the result', err).message;
      return false;
    }
  }

  // ---------- maps ----------
  const tab = ref<XrayTab>('images');
  const resultSize = computed<Size | null>(() => {
    const m = result.value?.maps[0];
    return m ? { width: m.width, height: m.height } : null;
  });
  const availableMaps = computed(() => XRAY_MAPS.filter((m) => maps.value[m.name]));
  const selected = computed(() => mapInfo(settings.value.map) ?? XRAY_MAPS[0]);
  const mapRaw = computed(() => maps.value[selected.value.name] ?? null);
  const mapValues = computed(() => (mapRaw.value ? displayValues(mapRaw.value, selected.value.factor) : null));
  const mapRange = computed(() => (mapValues.value ? autoRange(mapValues.value, selected.value.signed) : null));
  const colourMap = computed(() => (selected.value.signed ? ('diverging' as const) : ('viridis' as const)));

  const hover = ref<Point | null>(null);
  function setHover(p: Point | null): void {
    if (p?.x === hover.value?.x && p?.y === hover.value?.y) return;
    hover.value = p;
  }
  /** Stored value (as in the TIFF) of the selected map under the cursor; null off the map. */
  const hoverValue = computed(() => {
    const p = hover.value, s = resultSize.value;
    return p && s ? valueAt(mapRaw.value, s.width, s.height, p.x, p.y) : null;
  });

  const stageSize = computed<Size | null>(() => (tab.value === 'map' ? resultSize.value : refSize.value ?? sampleSize.value));

  // ---------- profiles ----------
  const line = ref<ProfileLine | null>(null);
  const profiles = ref<ProfileEntry[]>([]);
  const profileError = ref<string | null>(null);
  const profileBusy = ref(false);
  let profileToken = 0;

  /** Profiles of every kept run along the current line (the newest last). */
  async function updateProfiles(): Promise<void> {
    const l = line.value;
    const s = resultSize.value;
    if (!l || !s) return;
    const err = lineError(l, s);
    if (err) {
      profileError.value = err;
      return;
    }
    const t = ++profileToken;
    profileBusy.value = true;
    try {
      const out: ProfileEntry[] = [];
      for (const r of runs.value) {
        try {
          const p = await lab['xpci.profile']({ dir: r.dir, line: l });
          out.push({ label: r.label, method: r.method, s: p.s, sUm: p.sUm, series: p.series });
          // a reopened result learns where its ground truth is here (xpci.run tells it only to a new run)
          if (r.dir === result.value?.dir && truthDir.value === null) truthDir.value = p.truthDir;
        } catch (e) {
          if (r.dir === result.value?.dir) throw e; // an older run that is gone is just left out
        }
      }
      if (t !== profileToken) return;
      profiles.value = out;
      profileError.value = null;
    } catch (e) {
      if (t === profileToken) profileError.value = toShownError('Profile failed', e).message;
    } finally {
      if (t === profileToken) profileBusy.value = false;
    }
  }

  function setLine(l: Omit<ProfileLine, 'width'> | null): void {
    line.value = l ? { ...l, width: settings.value.lineWidth } : null;
    if (!l) profiles.value = [];
    else void updateProfiles();
  }
  function setLineWidth(w: number): void {
    if (!Number.isInteger(w) || w < 1 || w > 501) {
      profileError.value = 'The band width must be a whole number of pixels, 1–501.';
      return;
    }
    settings.value.lineWidth = w;
    if (line.value) {
      line.value = { ...line.value, width: w };
      void updateProfiles();
    }
  }
  function clearRuns(): void {
    runs.value = runs.value.filter((r) => r.dir === result.value?.dir);
    profiles.value = profiles.value.slice(-1);
  }

  /** The quantity the chart shows: the selected map when it has a profile, else α_x. */
  const profileQuantity = computed(() => {
    const last = profiles.value[profiles.value.length - 1];
    return last?.series.some((s) => s.name === selected.value.name) ? selected.value.name : 'alpha_x';
  });
  const profileCsv = computed(() => profilesCsv(profiles.value, profileQuantity.value));

  // ---------- simulated demo ----------
  const simulating = ref(false);
  const simulateError = ref<string | null>(null);
  async function simulate(params: { width?: number; height?: number; sample?: 'sine' | 'sphere' | 'cylinder' } = {}): Promise<void> {
    simulating.value = true;
    simulateError.value = null;
    try {
      const r = await lab['xpci.simulate']({ taskId: newTaskId(), params });
      const form = geometryToForm(r.geometry);
      settings.value.geometryByFolder[r.outDir] = form;
      settings.value.geometry = form;
      await Promise.all([refSlot.openPath(r.refPath), sampleSlot.openPath(r.samplePath)]);
    } catch (err) {
      simulateError.value = toShownError('Simulation failed', err).message;
    } finally {
      simulating.value = false;
    }
  }

  return {
    settings,
    view,
    followFit,
    refSlot,
    sampleSlot,
    recent,
    openPath,
    openFile,
    refContrast,
    sampleContrast,
    refSize,
    sampleSize,
    sizeMismatch,
    geometryErrors,
    stepError,
    run,
    runBlocker,
    start,
    cancel,
    openResult,
    result,
    resultError,
    truthDir,
    messages,
    maps,
    runs,
    tab,
    resultSize,
    availableMaps,
    selected,
    mapRaw,
    mapValues,
    mapRange,
    colourMap,
    hover,
    setHover,
    hoverValue,
    stageSize,
    line,
    profiles,
    profileError,
    profileBusy,
    setLine,
    setLineWidth,
    updateProfiles,
    clearRuns,
    profileQuantity,
    profileCsv,
    simulating,
    simulateError,
    simulate,
  };
});
