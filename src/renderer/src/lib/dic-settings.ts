/**
 * @file What the DIC workspace remembers between launches (localStorage): the last image and result paths,
 * the recent files, the method with its parameters (per method, so switching back restores them), the ROI
 * and the display choices. One typed schema with defaults; stored text is parsed with it before use, and a
 * field that does not parse falls back to its default instead of losing the rest.
 */
import { z } from 'zod';
import { RoiRectSchema } from '../../../shared/contract';
import { defaultCommonForm, defaultMethodForm, METHOD_IDS, type MethodForm, type TrackMethod } from './dic-params';
import { readVersioned } from './persist';

/** localStorage key; the version is in the value. */
export const SETTINGS_KEY = 'speckle-lab.dic';
export const SETTINGS_VERSION = 1;
/** How many recent files are kept. */
export const RECENT_MAX = 10;
/**
 * Generation of the CNN methods' default options the stored forms were written under. 1: cnn-dic ran
 * 1 pass with 1 orientation by default; 2: 3 passes with 8 orientations (kernels.ts CNN_DEFAULT_OPTIONS).
 */
export const CNN_DEFAULTS_GENERATION = 2;

// Note: every default is made by a function, so each parse returns fresh objects; a shared default object
// would be mutated through the settings and change the defaults themselves.
// Each field falls back on its own: settings stored before a field existed (model and passes came with the
// CNN methods, symmetry after them; the CNN methods' forms themselves are missing from older settings) keep
// what they had and get the default for the rest.
function methodFormSchema(method: TrackMethod) {
  const d = () => defaultMethodForm(method);
  return z
    .object({
      window: z.string().catch(() => d().window),
      search: z.string().catch(() => d().search),
      model: z.string().catch(() => d().model),
      passes: z.string().catch(() => d().passes),
      symmetry: z.string().catch(() => d().symmetry),
    })
    .catch(() => d());
}
const allDefaultForms = () => Object.fromEntries(METHOD_IDS.map((m) => [m, defaultMethodForm(m)])) as Record<TrackMethod, MethodForm>;
const ParamsSchema = z
  .object(Object.fromEntries(METHOD_IDS.map((m) => [m, methodFormSchema(m)])) as Record<TrackMethod, ReturnType<typeof methodFormSchema>>)
  .catch(allDefaultForms) as unknown as z.ZodType<Record<TrackMethod, MethodForm>>;

export const DicSettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION).catch(SETTINGS_VERSION),
  /** last reference / deformed image path (on the back-end machine) */
  refPath: z.string().catch(''),
  defPath: z.string().catch(''),
  /** last result folder opened or written */
  resultPath: z.string().catch(''),
  /** recently opened image paths, newest first */
  recent: z.array(z.string()).catch(() => []),
  method: z.enum(METHOD_IDS as [TrackMethod, ...TrackMethod[]]).catch('icgn'),
  /** the typed form of every method, kept per method */
  params: ParamsSchema,
  /** CNN_DEFAULTS_GENERATION when these forms were stored; settings from before the field existed are 1 */
  cnnDefaults: z.number().int().catch(1),
  common: z.object({ step: z.string(), strainWindow: z.string() }).catch(() => defaultCommonForm()),
  /** in image pixels of the reference; null = the whole image */
  roi: RoiRectSchema.nullable().catch(null),
  /** map shown in the heat map */
  map: z.string().catch('u'),
  /** vector overlay: shown, spacing in image px, length factor (null = automatic) */
  vectors: z
    .object({ show: z.boolean(), spacing: z.number().int().min(2).max(512), scale: z.number().positive().nullable() })
    .catch(() => ({ show: true, spacing: 16, scale: null })),
});
export type DicSettings = z.infer<typeof DicSettingsSchema>;

export function defaultSettings(): DicSettings {
  return { ...DicSettingsSchema.parse({}), cnnDefaults: CNN_DEFAULTS_GENERATION };
}

/** Settings from storage; defaults for anything missing, unreadable or from another version. */
export function loadSettings(storage: Pick<Storage, 'getItem'> | null): DicSettings {
  const s = DicSettingsSchema.parse(readVersioned(storage, SETTINGS_KEY, SETTINGS_VERSION));
  s.recent = s.recent.filter((p) => p.trim() !== '').slice(0, RECENT_MAX);
  // Every cnn-dic form used to start at 1 pass, and the form stores what it shows, so settings from then
  // would keep a user on the old fast mode without their choosing it. A form still at 1 pass takes the
  // current defaults once (a deliberate 1 from then cannot be told apart and is reset too; it is one field
  // to type again). Anything else typed is kept.
  if (s.cnnDefaults < 2 && s.params['cnn-dic'].passes.trim() === '1') {
    const d = defaultMethodForm('cnn-dic');
    s.params['cnn-dic'] = { ...s.params['cnn-dic'], passes: d.passes, symmetry: d.symmetry };
  }
  s.cnnDefaults = CNN_DEFAULTS_GENERATION;
  return s;
}

/** Writes the settings; a full or unavailable storage is not an error worth interrupting the user for. */
export function saveSettings(storage: Pick<Storage, 'setItem'> | null, s: DicSettings): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(s));
  } catch (err) {
    console.warn('lab: could not save the DIC settings', err);
  }
}

/** The recent list with `path` first (no duplicates, at most RECENT_MAX). */
export function withRecent(recent: readonly string[], path: string): string[] {
  return [path, ...recent.filter((p) => p !== path)].slice(0, RECENT_MAX);
}
