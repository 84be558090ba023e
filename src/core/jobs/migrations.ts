/**
 * @file Versioned schema of the job database. `PRAGMA user_version` records the last migration applied;
 * on open, every newer migration runs in order, each in its own transaction together with the bump of
 * user_version, so a crash mid-upgrade leaves the database at the previous version rather than half-way.
 *
 * Note: job DB versions. Migrations are append-only: never edit one that has shipped, add the next version.
 * A database whose user_version is higher than the last migration here was written by a newer app; it is
 * refused untouched (downgrading the app must not damage history the newer app recorded). A database
 * that carries another application's `application_id`, or has tables but no version, is refused too,
 * so pointing the app at some other SQLite file never alters it.
 */
import type { DatabaseSync } from 'node:sqlite';
import { LabError } from '../errors';

/** 'LabJ' as a big-endian int32: marks the file as this app's job database (PRAGMA application_id). */
export const JOB_DB_APPLICATION_ID = 0x4c61624a;

export interface Migration {
  version: number;
  description: string;
  up(db: DatabaseSync): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs and their result files',
    up(db) {
      // AUTOINCREMENT so an id is never reused after a job is deleted: ids appear in result folders and
      // reports, and a reused id would make an old report point at a different job.
      db.exec(`
        CREATE TABLE jobs (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          kind        TEXT NOT NULL CHECK (length(kind) > 0),
          state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
          params_json TEXT NOT NULL CHECK (json_valid(params_json)),
          input_key   TEXT,
          created_at  TEXT NOT NULL,
          updated_at  TEXT NOT NULL,
          started_at  TEXT,
          finished_at TEXT,
          result_dir  TEXT,
          error       TEXT,
          attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
        );
        CREATE INDEX jobs_state ON jobs (state);
        CREATE INDEX jobs_input_key ON jobs (input_key);
        CREATE TABLE results (
          job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
          name   TEXT NOT NULL,
          path   TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes  INTEGER NOT NULL CHECK (bytes >= 0),
          PRIMARY KEY (job_id, name)
        );
        PRAGMA application_id = ${JOB_DB_APPLICATION_ID};
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return Number(row?.[name] ?? 0);
}

/**
 * Brings the database at `dbPath` up to SCHEMA_VERSION (see "Note: job DB versions"). Returns the version
 * found and the version now recorded.
 */
export function migrate(
  db: DatabaseSync,
  dbPath: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const from = pragmaNumber(db, 'user_version');
  const appId = pragmaNumber(db, 'application_id');
  if (appId !== 0 && appId !== JOB_DB_APPLICATION_ID) {
    throw new LabError(
      'E_UNSUPPORTED',
      `${dbPath} is an SQLite database of another application (application_id ${appId}), not a job history; ` +
        'choose another location for the job database.',
      dbPath,
    );
  }
  if (from === 0) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'`).get() as { n: number };
    if (tables.n > 0) {
      throw new LabError(
        'E_UNSUPPORTED',
        `${dbPath} already holds SQLite tables that this app did not create; it is not a job history, so it was left untouched.`,
        dbPath,
      );
    }
  }
  if (from > latest) {
    throw new LabError(
      'E_UNSUPPORTED',
      `The job history ${dbPath} was written by a newer version of this app (schema version ${from}; this version ` +
        `understands up to ${latest}). It was left untouched: update the app to open it, or move the file aside to start a new history.`,
      dbPath,
    );
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    // IMMEDIATE takes the write lock up front, so two app instances starting together cannot both migrate.
    db.exec('BEGIN IMMEDIATE');
    try {
      // Re-read inside the lock: another process may have migrated while we waited.
      if (pragmaNumber(db, 'user_version') >= m.version) {
        db.exec('COMMIT');
        continue;
      }
      m.up(db);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (err) {
      // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); a second ROLLBACK would throw.
      if (db.isTransaction) db.exec('ROLLBACK');
      throw new LabError(
        'E_IO',
        `Upgrading the job history ${dbPath} to schema version ${m.version} (${m.description}) failed and was rolled back: ` +
          `${(err as Error).message}`,
        dbPath,
      );
    }
  }
  return { from, to: Math.max(from, latest) };
}
