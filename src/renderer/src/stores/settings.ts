/**
 * @file Settings and models: the preferences kept by the back end (`settings.get` / `settings.set`: execution
 * provider preference, tracker threads, theme), the model list (`models.list`) and per-model re-hashing
 * (`models.verify`). The theme is applied to <html> as soon as the store exists (from the last run) and
 * again when the back end answers.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CallInput, CallOutput } from '../../../shared/contract';
import { lab } from '../api';
import { applyTheme, rememberedTheme, type Theme } from '../lib/settings';

export type SettingsState = CallOutput<'settings.get'>;
export type ModelList = CallOutput<'models.list'>;
export type VerifyState = { state: 'checking' } | { state: 'ok'; sha256: string } | { state: 'failed'; message: string };

const message = (err: unknown) => (err && typeof err === 'object' && 'message' in err ? String((err as Error).message) : String(err));

export const useSettingsStore = defineStore('settings', () => {
  const state = shallowRef<SettingsState | null>(null);
  const loadError = ref<string | null>(null);
  const saveError = ref<string | null>(null);
  const saving = ref(false);
  const theme = ref<Theme>(rememberedTheme());
  applyTheme(theme.value);

  const models = shallowRef<ModelList | null>(null);
  const modelsError = ref<string | null>(null);
  const modelsLoading = ref(false);
  const verify = ref<Record<string, VerifyState>>({});

  /** Threads the trackers use: the saved number, or every core (null until the back end answers). */
  const trackerThreads = computed(() => state.value?.settings.trackerThreads ?? null);

  async function load(): Promise<void> {
    try {
      state.value = await lab['settings.get']({});
      loadError.value = null;
      theme.value = state.value.settings.theme;
      applyTheme(theme.value);
    } catch (err) {
      loadError.value = message(err);
    }
  }

  /** Saves a change; the answer replaces the state. Never throws (the error is shown by the panel). */
  async function save(patch: CallInput<'settings.set'>): Promise<boolean> {
    saving.value = true;
    try {
      state.value = await lab['settings.set'](patch);
      saveError.value = null;
      return true;
    } catch (err) {
      saveError.value = message(err);
      return false;
    } finally {
      saving.value = false;
    }
  }

  async function setTheme(t: Theme): Promise<void> {
    theme.value = t;
    applyTheme(t);
    await save({ theme: t });
  }

  async function setProviderPreference(p: SettingsState['settings']['providerPreference']): Promise<void> {
    await save({ providerPreference: p });
  }

  /** null = all cores. */
  async function setTrackerThreads(n: number | null): Promise<void> {
    await save({ trackerThreads: n });
  }

  async function loadModels(): Promise<void> {
    modelsLoading.value = true;
    try {
      models.value = await lab['models.list']({});
      modelsError.value = null;
    } catch (err) {
      modelsError.value = message(err);
    } finally {
      modelsLoading.value = false;
    }
  }

  async function verifyModel(id: string): Promise<void> {
    verify.value = { ...verify.value, [id]: { state: 'checking' } };
    let next: VerifyState;
    try {
      const r = await lab['models.verify']({ id });
      next = r.ok ? { state: 'ok', sha256: r.sha256 ?? '' } : { state: 'failed', message: r.error ?? 'failed' };
    } catch (err) {
      next = { state: 'failed', message: message(err) };
    }
    verify.value = { ...verify.value, [id]: next };
  }

  return {
    state,
    loadError,
    saveError,
    saving,
    theme,
    models,
    modelsError,
    modelsLoading,
    verify,
    trackerThreads,
    load,
    save,
    setTheme,
    setProviderPreference,
    setTrackerThreads,
    loadModels,
    verifyModel,
  };
});
