/**
 * @file The Acquisition workspace's state: the watched folder, output folder, rules (edited as JSON text,
 * checked live by `watch.validateRules`) and options, all persisted between launches (lib/acquisition.ts);
 * the session as `watch.status` reports it, with the live queue (rows from `watch.status` events, progress
 * from `watch.event`), an activity list of recent events, Retry / Cancel per job, the job history with
 * search and state filter (`jobs.list`; the watched folder's jobs unless "All jobs" is ticked), the plain view of a result no other workspace shows, and small thumbnails of each job's first input.
 * Errors are kept next to what caused them: folder, output folder, rules, options, a queue row, history.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import type { CallOutput } from '../../../shared/contract';
import { fetchFloat32, lab } from '../api';
import {
  describeWatchEvent,
  isBadEvent,
  loadAcqSettings,
  parseOptions,
  parseRulesText,
  saveAcqSettings,
  withProgress,
  type AcqSettings,
  type JobState,
  type QueueEntry,
  type WatchEvent,
  type WatchStatus,
} from '../lib/acquisition';
import { browserStorage, readVersioned } from '../lib/persist';

export type Validation = CallOutput<'watch.validateRules'>;
export type RulesExample = CallOutput<'watch.examples'>['examples'][number];
export type HistoryJob = CallOutput<'jobs.list'>['jobs'][number];
export type OpenedResult = CallOutput<'result.open'>;
export interface ActivityLine {
  id: number;
  time: string;
  text: string;
  bad: boolean;
}
export interface Thumb {
  state: 'loading' | 'ok' | 'failed';
  url?: string;
  note?: string;
}

/** Lines kept in the activity list. */
export const ACTIVITY_MAX = 60;
/** Jobs per history page. */
export const HISTORY_LIMIT = 50;
/** Thumbnail edge, CSS px. */
export const THUMB_PX = 40;
/** Thumbnails kept. */
const THUMB_CACHE_MAX = 400;

const VALIDATE_DELAY_MS = 250;

/**
 * Storage of the history's "All jobs" choice. It has its own key because AcqSettingsSchema
 * (lib/acquisition.ts) drops fields it does not list; missing or unreadable means the default, watched jobs only.
 */
export const ACQ_HISTORY_ALL_KEY = 'speckle-lab.acquisition.history-all';
const HISTORY_ALL_VERSION = 1;

function loadHistoryAll(s: Pick<Storage, 'getItem'> | null): boolean {
  return (readVersioned(s, ACQ_HISTORY_ALL_KEY, HISTORY_ALL_VERSION) as { all?: unknown }).all === true;
}

function saveHistoryAll(s: Pick<Storage, 'setItem'> | null, all: boolean): void {
  try {
    s?.setItem(ACQ_HISTORY_ALL_KEY, JSON.stringify({ version: HISTORY_ALL_VERSION, all }));
  } catch (err) {
    console.warn('lab: could not save the Acquisition history choice', err);
  }
}

const storage = browserStorage;

const messageOf = (err: unknown) => (err && typeof err === 'object' && 'message' in err ? String((err as Error).message) : String(err));
const sameFile = (a: string, b: string) => a.trim().replace(/[\\/]+$/, '') === b.trim().replace(/[\\/]+$/, '');

export const useAcquisitionStore = defineStore('acquisition', () => {
  const settings = ref<AcqSettings>(loadAcqSettings(storage()));
  watch(settings, (s) => saveAcqSettings(storage(), s), { deep: true });

  // ---------- session ----------

  const status = shallowRef<WatchStatus | null>(null);
  /** live queue: rows from watch.status, progress applied from watch.event */
  const queue = shallowRef<QueueEntry[]>([]);
  const activity = ref<ActivityLine[]>([]);
  let activityId = 0;
  const running = computed(() => status.value?.running ?? false);
  const starting = ref(false);
  const stopping = ref(false);

  /** errors next to what caused them */
  const folderError = ref<string | null>(null);
  const outError = ref<string | null>(null);
  /** a start refused because of the rules (shown under the editor) */
  const rulesStartError = ref<string | null>(null);
  /** anything else that stopped a start or stop (shown by the Start button) */
  const startError = ref<string | null>(null);
  /** per queue row / history row (key `job:<id>` / `file:<rel>`): why Retry, Cancel or Open failed */
  const rowErrors = reactive<Record<string, string>>({});

  function setStatus(s: WatchStatus): void {
    status.value = s;
    queue.value = s.queue;
  }

  async function refreshStatus(): Promise<void> {
    try {
      setStatus(await lab['watch.status']({}));
    } catch (err) {
      startError.value = `Could not ask the back end for the watch status: ${messageOf(err)}`;
    }
  }

  // ---------- rules ----------

  const examples = shallowRef<RulesExample[]>([]);
  const examplesError = ref<string | null>(null);
  const validation = shallowRef<Validation | null>(null);
  const validating = ref(false);
  let validateTimer: ReturnType<typeof setTimeout> | null = null;
  let validateSeq = 0;

  async function validateNow(): Promise<void> {
    if (validateTimer) clearTimeout(validateTimer);
    validateTimer = null;
    const seq = ++validateSeq;
    const text = settings.value.rulesText;
    validating.value = true;
    try {
      const v = await lab['watch.validateRules']({ text });
      if (seq === validateSeq) validation.value = v;
    } catch (err) {
      if (seq === validateSeq) validation.value = { ok: false, mistakes: [`The rules could not be checked: ${messageOf(err)}`], summary: null };
    } finally {
      if (seq === validateSeq) validating.value = false;
    }
  }

  function scheduleValidate(): void {
    if (validateTimer) clearTimeout(validateTimer);
    validating.value = true;
    validateTimer = setTimeout(() => void validateNow(), VALIDATE_DELAY_MS);
  }

  function setRulesText(text: string): void {
    settings.value.rulesText = text;
    settings.value.example = '';
    rulesStartError.value = null;
    scheduleValidate();
  }

  async function loadExamples(): Promise<void> {
    try {
      examples.value = (await lab['watch.examples']({})).examples;
      examplesError.value = null;
    } catch (err) {
      examplesError.value = `The example rules could not be listed: ${messageOf(err)}`;
    }
  }

  function loadExample(name: string): void {
    const ex = examples.value.find((e) => e.name === name);
    if (!ex) return;
    settings.value.rulesText = ex.text;
    settings.value.example = name;
    rulesStartError.value = null;
    void validateNow();
  }

  // ---------- options ----------

  const optionErrors = computed(() => parseOptions(settings.value.options).errors);

  /** Why Start is disabled; null when it is not. */
  const startBlocker = computed<string | null>(() => {
    if (running.value) return null;
    if (!settings.value.folder.trim()) return 'Choose the folder the instrument writes images to.';
    if (validating.value && !validation.value) return 'Checking the rules…';
    if (validation.value && !validation.value.ok) return 'Fix the rules first (see the messages under the editor).';
    if (Object.keys(optionErrors.value).length) return 'Fix the options first.';
    return null;
  });

  // ---------- folders ----------

  async function pickFolder(which: 'folder' | 'outDir'): Promise<void> {
    try {
      const r = await lab['dialog.openFolder']({});
      if (r.path) {
        settings.value[which] = r.path;
        if (which === 'folder') folderError.value = null;
        else outError.value = null;
      }
    } catch (err) {
      (which === 'folder' ? folderError : outError).value = messageOf(err);
    }
  }

  function setFolder(which: 'folder' | 'outDir', path: string): void {
    settings.value[which] = path;
    if (which === 'folder') folderError.value = null;
    else outError.value = null;
    startError.value = null;
  }

  // ---------- start / stop ----------

  function clearStartErrors(): void {
    folderError.value = null;
    outError.value = null;
    rulesStartError.value = null;
    startError.value = null;
  }

  /** Puts a refused start's message next to the field it is about. */
  function placeStartError(err: unknown): void {
    const message = messageOf(err);
    const file = (err as { file?: unknown })?.file;
    const s = settings.value;
    if (typeof file === 'string' && s.folder && sameFile(file, s.folder)) folderError.value = message;
    else if (/^The folder to watch|is a file, not a folder|watched folder .* is inside the output folder/.test(message)) folderError.value = message;
    else if (/output folder/i.test(message) || (typeof file === 'string' && s.outDir && sameFile(file, s.outDir))) outError.value = message;
    else if (/^The rules/.test(message)) rulesStartError.value = message;
    else startError.value = message;
  }

  async function start(): Promise<boolean> {
    clearStartErrors();
    const s = settings.value;
    if (!s.folder.trim()) {
      folderError.value = 'Type the path of the folder the instrument writes images to.';
      return false;
    }
    const rules = parseRulesText(s.rulesText);
    if (!rules) {
      await validateNow();
      rulesStartError.value = 'The rules are not valid JSON; see the messages above.';
      return false;
    }
    const { options, errors } = parseOptions(s.options);
    if (Object.keys(errors).length) {
      startError.value = Object.values(errors).join(' ');
      return false;
    }
    starting.value = true;
    try {
      const st = await lab['watch.start']({ folder: s.folder.trim(), rules, outDir: s.outDir.trim() || undefined, options });
      setStatus(st);
      activity.value = [];
      for (const k of Object.keys(rowErrors)) delete rowErrors[k];
      return true;
    } catch (err) {
      placeStartError(err);
      return false;
    } finally {
      starting.value = false;
    }
  }

  async function stop(how: 'stop' | 'cancel' = 'stop'): Promise<void> {
    stopping.value = true;
    startError.value = null;
    try {
      setStatus(await lab['watch.stop']({ how }));
    } catch (err) {
      startError.value = `Stopping failed: ${messageOf(err)}`;
    } finally {
      stopping.value = false;
    }
    void refreshHistory();
  }

  // ---------- per job ----------

  async function retry(jobId: number, key = `job:${jobId}`): Promise<void> {
    delete rowErrors[key];
    try {
      await lab['jobs.retry']({ jobId });
      void refreshHistory();
    } catch (err) {
      rowErrors[key] = messageOf(err);
    }
  }

  async function cancel(jobId: number, key = `job:${jobId}`): Promise<void> {
    delete rowErrors[key];
    try {
      const r = await lab['jobs.cancel']({ jobId });
      if (!r.cancelled) rowErrors[key] = `Job ${jobId} had already finished.`;
    } catch (err) {
      rowErrors[key] = messageOf(err);
    }
  }

  // ---------- history ----------

  const history = shallowRef<HistoryJob[]>([]);
  const historyTotal = ref(0);
  const historyLoaded = ref(false);
  const historyLoading = ref(false);
  const historyError = ref<string | null>(null);
  /** false: only jobs the watched folder recorded (the lab's expectation here); true: every job of the app */
  const historyAll = ref(loadHistoryAll(storage()));
  watch(historyAll, (all) => saveHistoryAll(storage(), all));
  let historyAgain = false;
  let historyTimer: ReturnType<typeof setTimeout> | null = null;

  async function refreshHistory(): Promise<void> {
    if (historyLoading.value) {
      historyAgain = true;
      return;
    }
    historyLoading.value = true;
    try {
      const s = settings.value;
      const r = await lab['jobs.list']({
        limit: HISTORY_LIMIT,
        search: s.historySearch.trim() || undefined,
        state: (s.historyState || undefined) as JobState | undefined,
        origin: historyAll.value ? 'any' : 'watch',
      });
      history.value = r.jobs;
      historyTotal.value = r.total;
      historyError.value = null;
      historyLoaded.value = true;
    } catch (err) {
      historyError.value = `Could not list the jobs: ${messageOf(err)}`;
    } finally {
      historyLoading.value = false;
      if (historyAgain) {
        historyAgain = false;
        void refreshHistory();
      }
    }
  }

  /** Refreshes the history soon (typing in the search box, bursts of jobs.changed). */
  function scheduleHistory(ms = 200): void {
    if (historyTimer) clearTimeout(historyTimer);
    historyTimer = setTimeout(() => {
      historyTimer = null;
      void refreshHistory();
    }, ms);
  }

  function setHistoryFilter(search: string, state: AcqSettings['historyState']): void {
    settings.value.historySearch = search;
    settings.value.historyState = state;
    scheduleHistory();
  }

  function setHistoryAll(all: boolean): void {
    if (historyAll.value === all) return;
    historyAll.value = all;
    void refreshHistory();
  }

  // ---------- results ----------

  const result = shallowRef<OpenedResult | null>(null);
  const resultError = ref<string | null>(null);
  const resultLoading = ref(false);

  /**
   * Shows a result folder in this workspace's plain result view (result.json as it is): the results no other
   * workspace shows, such as `info` jobs. Jobs are routed here by lib/open-result.ts. Resolves to whether it
   * is shown; `resultError` says why not.
   */
  async function showResult(dir: string): Promise<boolean> {
    resultLoading.value = true;
    resultError.value = null;
    try {
      result.value = await lab['result.open']({ dir });
      return true;
    } catch (err) {
      result.value = null;
      resultError.value = messageOf(err);
      return false;
    } finally {
      resultLoading.value = false;
    }
  }

  function closeResult(): void {
    result.value = null;
    resultError.value = null;
  }

  // ---------- thumbnails ----------

  const thumbs = reactive(new Map<string, Thumb>());
  const thumbQueue: string[] = [];
  let thumbBusy = false;

  /** Asks for a thumbnail of an image (one at a time; each image is opened, drawn small and closed again). */
  function requestThumb(path: string | null): void {
    if (!path || thumbs.has(path)) return;
    // bounded: the oldest finished thumbnails go first
    for (const [k, t] of thumbs) {
      if (thumbs.size < THUMB_CACHE_MAX) break;
      if (t.state !== 'loading') thumbs.delete(k);
    }
    thumbs.set(path, { state: 'loading' });
    thumbQueue.push(path);
    void pumpThumbs();
  }

  async function pumpThumbs(): Promise<void> {
    if (thumbBusy) return;
    thumbBusy = true;
    try {
      while (thumbQueue.length) {
        const path = thumbQueue.shift()!;
        thumbs.set(path, await makeThumb(path));
      }
    } finally {
      thumbBusy = false;
    }
  }

  async function makeThumb(path: string): Promise<Thumb> {
    let id: string | null = null;
    try {
      const img = await lab['image.open']({ path });
      id = img.id;
      const data = await fetchFloat32(img.dataUrl, img.width * img.height);
      return { state: 'ok', url: drawThumb(data, img.width, img.height, img.stats.min, img.stats.max) };
    } catch (err) {
      return { state: 'failed', note: messageOf(err) };
    } finally {
      if (id) void lab['image.close']({ id }).catch(() => {});
    }
  }

  // ---------- events ----------

  function onWatchEvent(ev: WatchEvent): void {
    if (ev.type === 'job-progress') {
      queue.value = withProgress(queue.value, ev);
      return;
    }
    const text = describeWatchEvent(ev);
    if (!text) return;
    const line = { id: ++activityId, time: new Date().toTimeString().slice(0, 8), text, bad: isBadEvent(ev) };
    activity.value = [line, ...activity.value].slice(0, ACTIVITY_MAX);
  }

  /** Loads everything and follows the back end's events; returns the function that stops following. */
  function start_(): () => void {
    const offs = [
      lab.on('watch.status', (s) => setStatus(s)),
      lab.on('watch.event', onWatchEvent),
      lab.on('jobs.changed', () => scheduleHistory(300)),
    ];
    void refreshStatus();
    void loadExamples();
    void validateNow();
    void refreshHistory();
    return () => {
      offs.forEach((off) => off());
      if (validateTimer) clearTimeout(validateTimer);
      if (historyTimer) clearTimeout(historyTimer);
    };
  }

  return {
    settings,
    status,
    queue,
    activity,
    running,
    starting,
    stopping,
    folderError,
    outError,
    rulesStartError,
    startError,
    rowErrors,
    examples,
    examplesError,
    validation,
    validating,
    optionErrors,
    startBlocker,
    history,
    historyTotal,
    historyLoaded,
    historyLoading,
    historyError,
    historyAll,
    result,
    resultError,
    resultLoading,
    thumbs,
    refreshStatus,
    validateNow,
    setRulesText,
    loadExample,
    loadExamples,
    pickFolder,
    setFolder,
    start,
    stop,
    retry,
    cancel,
    refreshHistory,
    setHistoryFilter,
    setHistoryAll,
    showResult,
    closeResult,
    requestThumb,
    follow: start_,
  };
});

/** Grey thumbnail (min–max scaled, nearest sample) as a PNG data URL, at most THUMB_PX on its long edge. */
function drawThumb(data: Float32Array, width: number, height: number, min: number, max: number): string {
  const scale = Math.min(1, THUMB_PX / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  const out = ctx.createImageData(w, h);
  const span = max > min ? 255 / (max - min) : 0;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.floor((y + 0.5) / scale));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.floor((x + 0.5) / scale));
      const v = data[sy * width + sx];
      const g = Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round((v - min) * span))) : 0;
      const o = (y * w + x) * 4;
      out.data[o] = out.data[o + 1] = out.data[o + 2] = g;
      out.data[o + 3] = 255;
    }
  }
  ctx.putImageData(out, 0, 0);
  return canvas.toDataURL('image/png');
}
