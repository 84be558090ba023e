/**
 * @file The Settings calls of the contract (`settings.get`, `settings.set`, `models.verify`), split out of
 * handlers.ts, and the settings file they keep.
 *
 * Note: Settings file. `settings.json` in the app's data folder (beside jobs.sqlite and results/). It is
 * written to a temporary name and renamed, so a crash never leaves half a file. A missing file means the
 * defaults; a file that is not JSON, or holds a value out of range, never stops the app: the defaults stand in
 * for what cannot be used and `problem` says so in one sentence (the next save replaces the file).
 *
 * Note: Provider preference. ONNX Runtime's provider order is read by the compute host from
 * `LAB_EXECUTION_PROVIDERS` (see infer/providers.ts). The saved preference is applied by
 * `applySavedProviderPreference` before the host is started (harness and Electron main), and a change made
 * while the app runs is sent to the running host (`applyProviders`, the host's `providers.set` op): the next
 * model session is created with the new order, with no restart. `restartNeeded` stays for a back end that
 * cannot apply it live (no `applyProviders`). An explicit LAB_EXECUTION_PROVIDERS set by the user outside the
 * app always wins over the preference.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { AppSettingsSchema, type CallInputParsed, type CallOutput } from '../../shared/contract';
import { LabError, toLabError } from '../errors';
import { loadCatalog, locateModel } from '../infer/model-catalog';
import { verifyModelFile } from '../infer/manifest';
import { PROVIDERS_ENV, providerOrder } from '../infer/providers';

export type AppSettings = CallOutput<'settings.get'>['settings'];
type SettingsCalls = 'settings.get' | 'settings.set' | 'models.verify';

export const SETTINGS_FILE = 'settings.json';
/** Marks a LAB_EXECUTION_PROVIDERS value that came from the saved preference (not from the user's shell). */
const FROM_SETTINGS_ENV = 'LAB_EXECUTION_PROVIDERS_FROM_SETTINGS';

export const defaultSettings = (): AppSettings => AppSettingsSchema.parse({});

/** Reads the settings file: the settings (defaults where unusable) and why anything was not used. */
export async function readSettings(file: string): Promise<{ settings: AppSettings; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultSettings(), problem: null };
    return { settings: defaultSettings(), problem: `The settings file ${file} could not be read (${toLabError(err).message}); the defaults are in use.` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return {
      settings: defaultSettings(),
      problem: `The settings file ${file} is not valid JSON (${(err as Error).message}); the defaults are in use and saving a setting replaces the file.`,
    };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { settings: defaultSettings(), problem: `The settings file ${file} does not hold a JSON object; the defaults are in use and saving a setting replaces the file.` };
  }
  const whole = AppSettingsSchema.safeParse(raw);
  if (whole.success) return { settings: whole.data, problem: null };
  // Keep every value that is fine; name the others.
  const settings = defaultSettings();
  const bad: string[] = [];
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(AppSettingsSchema.shape) as (keyof AppSettings)[]) {
    if (!(key in obj)) continue;
    const r = AppSettingsSchema.shape[key].safeParse(obj[key]);
    if (r.success) (settings as Record<string, unknown>)[key] = r.data;
    else bad.push(`${key} = ${JSON.stringify(obj[key])}`);
  }
  return { settings, problem: `The settings file ${file} has values the app cannot use (${bad.join(', ')}); the defaults are in use for those.` };
}

/** Writes the settings to a temporary file beside `file` and renames it over `file`. */
export async function writeSettingsAtomic(file: string, settings: AppSettings): Promise<void> {
  const valid = AppSettingsSchema.parse(settings);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`, 'utf8');
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new LabError('E_IO', `The settings could not be saved to ${file}: ${toLabError(err).message}`, file);
  }
}

/** The machine a provider order is for: its platform and architecture pick the GPU provider. */
export interface ProviderHost {
  platform: NodeJS.Platform;
  arch: string;
}

/** The provider order a preference asks for (an outside LAB_EXECUTION_PROVIDERS override wins). */
export function preferredProviders(pref: AppSettings['providerPreference'], env: NodeJS.ProcessEnv = process.env, host: ProviderHost = process): string[] {
  const outside = env[FROM_SETTINGS_ENV] === '1' ? undefined : env[PROVIDERS_ENV];
  if (outside !== undefined && outside.trim() !== '') return providerOrder(host.platform, host.arch, { [PROVIDERS_ENV]: outside });
  return pref === 'cpu' ? ['cpu'] : providerOrder(host.platform, host.arch, {});
}

/**
 * Called before the compute host starts: sets LAB_EXECUTION_PROVIDERS in `env` from the saved preference
 * (unless the user set it outside the app). Never throws; a broken settings file means the defaults.
 */
export async function applySavedProviderPreference(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { settings } = await readSettings(join(dataDir, SETTINGS_FILE));
  const fromSettings = env[FROM_SETTINGS_ENV] === '1';
  if (!fromSettings && env[PROVIDERS_ENV] !== undefined && env[PROVIDERS_ENV]!.trim() !== '') return;
  if (settings.providerPreference === 'cpu') {
    env[PROVIDERS_ENV] = 'cpu';
    env[FROM_SETTINGS_ENV] = '1';
  } else if (fromSettings) {
    delete env[PROVIDERS_ENV];
    delete env[FROM_SETTINGS_ENV];
  }
}

export interface SettingsHandlerContext {
  /** the settings file (default: settings.json in the data folder) */
  file: string;
  /** the provider order the running compute host was started with */
  providersInEffect?: string[];
  /** sends a provider order to the running compute host; answers the order now in effect there */
  applyProviders?: (providers: string[]) => Promise<string[]>;
  /** the environment the orders are read from (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** the machine the orders are for (default: this process's platform and architecture) */
  host?: ProviderHost;
}

export function settingsHandlers(c: SettingsHandlerContext): { [N in SettingsCalls]: (input: CallInputParsed<N>) => Promise<CallOutput<N>> } {
  const env = c.env ?? process.env;
  const host = c.host ?? process;
  let inEffect = c.providersInEffect ?? providerOrder(host.platform, host.arch, env);
  let chain: Promise<unknown> = Promise.resolve();

  const state = (settings: AppSettings, problem: string | null): CallOutput<'settings.get'> => {
    const preferred = preferredProviders(settings.providerPreference, env, host);
    return {
      settings,
      file: c.file,
      problem,
      cores: Math.max(1, availableParallelism()),
      providersInEffect: inEffect,
      providersPreferred: preferred,
      restartNeeded: preferred.join(',') !== inEffect.join(','),
    };
  };

  return {
    'settings.get': async () => {
      const { settings, problem } = await readSettings(c.file);
      return state(settings, problem);
    },
    // Writes one after another, so two quick changes never lose one another.
    'settings.set': async (patch) => {
      const run = chain.then(async () => {
        const { settings } = await readSettings(c.file);
        const next = AppSettingsSchema.parse({ ...settings, ...patch });
        await writeSettingsAtomic(c.file, next);
        const preferred = preferredProviders(next.providerPreference, env, host);
        if (c.applyProviders && preferred.join(',') !== inEffect.join(',')) {
          // Saved either way; if the host cannot take it now, restartNeeded says it applies at the next start.
          inEffect = await c.applyProviders(preferred).catch(() => inEffect);
        }
        return state(next, null);
      });
      chain = run.catch(() => {});
      return run;
    },
    'models.verify': async ({ id }) => {
      const m = locateModel(await loadCatalog(), id);
      const file = join(m.dir, m.entry.file);
      try {
        await verifyModelFile(m.entry, m.dir);
        return { id, ok: true, file, sha256: m.entry.sha256, error: null };
      } catch (err) {
        return { id, ok: false, file, sha256: null, error: toLabError(err).message };
      }
    },
  };
}
