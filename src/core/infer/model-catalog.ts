/**
 * @file Every model the app can run: the ones shipped in `models/` and the ones the user made by fine-tuning
 * (training/finetune.py writes them, with their own manifest.json, into the user models folder).
 *
 * Note: Two model folders. Shipped models live beside the app and are read-only; a user's fine-tuned
 * models live in their data folder (`<data dir>/models`, or `LAB_USER_MODELS_DIR`), each version with a new
 * id, so nothing is ever overwritten. Ids are looked up shipped-first: a user model can never shadow a
 * shipped one (finetune.py refuses such ids anyway). A user folder that does not exist is simply empty; one
 * whose manifest is broken is reported in `problems` and skipped, so a bad hand edit there never stops the
 * app from running its own models.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LabError, toLabError } from '../errors';
import { defaultDataDir } from '../paths';
import { loadManifest, MANIFEST_FILE, type ModelEntry, modelsDir } from './manifest';

export const USER_MODELS_DIR_ENV = 'LAB_USER_MODELS_DIR';

export type ModelSource = 'shipped' | 'user';

export interface CatalogEntry {
  entry: ModelEntry;
  source: ModelSource;
  /** the folder holding the entry's file and manifest */
  dir: string;
}

export interface ModelCatalog {
  models: CatalogEntry[];
  shippedDir: string;
  /** null when only the shipped folder was looked in */
  userDir: string | null;
  /** readable reasons a folder's models could not be listed (the others still are) */
  problems: string[];
}

export interface CatalogOptions {
  shippedDir?: string;
  /** null: shipped models only (an explicit models folder, as tests and LAB_MODELS_DIR setups give) */
  userDir?: string | null;
}

/** The user models folder (see the file note). */
export function userModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[USER_MODELS_DIR_ENV];
  if (override && override.trim() !== '') return path.resolve(override);
  return path.join(defaultDataDir(env), 'models');
}

/** Shipped and user models, shipped first (see the file note). */
export async function loadCatalog(opts: CatalogOptions = {}): Promise<ModelCatalog> {
  const shippedDir = path.resolve(opts.shippedDir ?? modelsDir());
  const userDir = opts.userDir === null ? null : path.resolve(opts.userDir ?? userModelsDir());
  const shipped = await loadManifest(shippedDir);
  const models: CatalogEntry[] = shipped.models.map((entry) => ({ entry, source: 'shipped' as const, dir: shippedDir }));
  const problems: string[] = [];
  if (userDir !== null && userDir !== shippedDir && existsSync(path.join(userDir, MANIFEST_FILE))) {
    try {
      const user = await loadManifest(userDir);
      const taken = new Set(models.map((m) => m.entry.id));
      for (const entry of user.models) {
        if (taken.has(entry.id)) {
          problems.push(`The user model "${entry.id}" in ${userDir} has the id of a shipped model and is ignored; give it a new id.`);
          continue;
        }
        models.push({ entry, source: 'user', dir: userDir });
      }
    } catch (err) {
      problems.push(toLabError(err).message);
    }
  }
  return { models, shippedDir, userDir, problems };
}

/** Where model `id` lives; E_NOT_FOUND naming both folders and the ids they hold. */
export function locateModel(catalog: ModelCatalog, id: string): CatalogEntry {
  const hit = catalog.models.find((m) => m.entry.id === id);
  if (hit) return hit;
  const known = catalog.models.map((m) => m.entry.id).join(', ') || 'none';
  const extra = catalog.problems.length > 0 ? ` (${catalog.problems.join(' ')})` : '';
  throw new LabError(
    'E_NOT_FOUND',
    `No model "${id}" among the shipped models (${catalog.shippedDir})${catalog.userDir ? ` or your own (${catalog.userDir})` : ''}; known: ${known}${extra}.`,
  );
}
