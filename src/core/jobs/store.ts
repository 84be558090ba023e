/**
 * @file The durable job history: one SQLite file (node:sqlite, WAL) holding every job the user ran, its
 * state, parameters, result folder and result files. The back end creates a job, marks it running, then
 * done / failed / cancelled; on start-up `recoverInterrupted()` deals with the jobs the last run left
 * unfinished (see Note: interrupted jobs). The schema and its upgrades live in migrations.ts, row parsing
 * in rows.ts.
 *
 * Note: job states. queued → running → done | failed | cancelled; a queued job may also fail (its input
 * vanished, or it is an interactive job stranded by a crash) or be cancelled before it starts; running →
 * queued happens only through requeueInterrupted / recoverInterrupted (after a crash) or requeue(id) (the
 * process that runs the job is stopping and gives it back).
 * done, failed and cancelled are final: a retry is a new job. Each transition is one conditional UPDATE
 * (`WHERE state IN (...)`), so two processes racing on the same job cannot both win.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { JobStateSchema } from '../../shared/contract';
import { LabError, toLabError } from '../errors';
import { migrate } from './migrations';
import { parseJobRow, parseResultRow, ResultFileSchema, type JobRecord, type JobResultFile, type JobState } from './rows';

export type { JobRecord, JobResultFile, JobState } from './rows';
export { computeInputKey } from './rows';

/** Which jobs `listJobs` returns: 'watch' = only those a watched folder recorded, 'any' = all. */
export type JobOrigin = 'watch' | 'any';

/**
 * A watched-folder job: the dispatcher (src/core/watch/dispatcher.ts) stores its rule and inputs, or the
 * unusable file, under `params.watch`. 'watch.file' is named too so a failed-file record stays in the
 * Acquisition history even if its params ever lose that object.
 */
const WATCH_ORIGIN_SQL = `(json_type(params_json, '$.watch') = 'object' OR kind = 'watch.file')`;
/** The negation of WATCH_ORIGIN_SQL: json_type is NULL without a `watch` key, and NOT NULL matches nothing. */
const NOT_WATCH_ORIGIN_SQL = `NOT ifnull(${WATCH_ORIGIN_SQL}, 0)`;

/**
 * Note: interrupted jobs. After a crash or power cut, jobs may be left 'running' (and, from app versions
 * that requeued every running job, 'queued'). Only watch jobs have something that picks them up again:
 * the watch service resumes the queued jobs of its output folder. An interactive job (track, xpci,
 * deblur, ...) is created and marked running in one call by the back end, and nothing queues one across
 * launches, so left 'queued' it would sit in the Jobs list forever and neither Retry nor Cancel would
 * touch it. recoverInterrupted therefore requeues the watch jobs and fails the others with a message that
 * says what happened and what to do; failed is final, so the user sees the job as over.
 */
export function interruptedJobError(startedAt: string | null): string {
  const d = startedAt ? new Date(startedAt) : null;
  const when = !d ? 'start time unknown' : Number.isNaN(d.getTime()) ? `started ${startedAt}` : `started ${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  // Retry only re-runs watch jobs (watch-service.ts), so the way back is the workspace the job came from.
  return `Interrupted: the app stopped while this job ran (${when}). Run it again from its workspace.`;
}

export interface JobStore {
  /** absolute path of the database file */
  readonly path: string;
  /** 'wal' normally; whatever SQLite fell back to where the file system cannot do WAL (some network shares) */
  readonly journalMode: string;
  /** Adds a queued job. `inputKey` is the dedup key (see computeInputKey); null when not given. */
  createJob(input: { kind: string; params: Record<string, unknown>; inputKey?: string }): JobRecord;
  /** The job, or null if there is none with this id. */
  getJob(id: number): JobRecord | null;
  /**
   * Newest first; `total` counts every job matching the filters, not just this page. `search` is a
   * case-insensitive substring of the kind, parameters (JSON: input paths, rule), error or result folder.
   * `origin: 'watch'` keeps only the jobs a watched folder recorded (see WATCH_ORIGIN_SQL); default 'any'.
   */
  listJobs(opts: { limit: number; offset?: number; state?: JobState; search?: string; origin?: JobOrigin }): { jobs: JobRecord[]; total: number };
  markRunning(id: number): JobRecord;
  markDone(id: number, result: { resultDir: string; files?: JobResultFile[] }): JobRecord;
  markFailed(id: number, error: string): JobRecord;
  markCancelled(id: number, reason?: string): JobRecord;
  /**
   * Puts every job left 'running' by a crash back to 'queued'; returns how many. For a store only a
   * watcher uses (the CLI's); the app and the harness call recoverInterrupted instead.
   */
  requeueInterrupted(): number;
  /**
   * Start-up recovery for the app's store (Note: interrupted jobs): watch jobs left 'running' go back to
   * 'queued'; other jobs left 'running' or 'queued' become 'failed' with interruptedJobError. One
   * transaction; a second call changes nothing. Call once at launch, before anything runs jobs.
   */
  recoverInterrupted(): { requeued: number; failed: number };
  /** Gives one running job back to the queue (its runner is stopping, e.g. Ctrl+C); it runs again later. */
  requeue(id: number): JobRecord;
  /**
   * Adds a queued job unless a job with the same input key exists for which `blocks(job)` is true; the
   * check and the insert are one write transaction, so two processes cannot both add it.
   * Returns the new job (created: true) or the newest blocking one (created: false).
   */
  createJobUnlessKey(
    input: { kind: string; params: Record<string, unknown>; inputKey: string },
    blocks: (existing: JobRecord) => boolean,
  ): { job: JobRecord; created: boolean };
  /** Oldest first: the jobs in `state` (at most `limit`, default 10 000). */
  listOldest(state: JobState, limit?: number): JobRecord[];
  /** Jobs recorded with this input key, newest first. */
  findByInputKey(key: string): JobRecord[];
  /** Result files recorded by markDone, in the order given. */
  getResults(id: number): JobResultFile[];
  /** Number of jobs, optionally in one state. */
  count(state?: JobState): number;
  /** Closes the database; later calls are no-ops. */
  close(): void;
}

export interface OpenJobStoreOptions {
  /** clock for timestamps (tests); default `new Date()` */
  now?: () => Date;
  /** how long to wait for another process's write lock, in ms (default 5000) */
  busyTimeoutMs?: number;
}

/** Which states each target state may be reached from (see "Note: job states"). */
const ALLOWED_FROM: Record<'queued' | 'running' | 'done' | 'failed' | 'cancelled', readonly JobState[]> = {
  queued: ['running'],
  running: ['queued'],
  done: ['running'],
  failed: ['queued', 'running'],
  cancelled: ['queued', 'running'],
};

const IdSchema = z.number().int().positive();
const CreateSchema = z.object({
  kind: z.string().min(1).max(200),
  params: z.record(z.string(), z.unknown()),
  inputKey: z.string().min(1).max(200).optional(),
});
const ListSchema = z.object({
  limit: z.number().int().min(1).max(1000),
  offset: z.number().int().min(0).default(0),
  state: JobStateSchema.optional(),
  search: z.string().max(200).optional(),
  origin: z.enum(['watch', 'any']).default('any'),
});

/** Parses an argument, turning a zod failure into E_INVALID_INPUT that says which call and field. */
function arg<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
  throw new LabError('E_INVALID_INPUT', `Invalid ${what} (${why}).`);
}

/** Opens (creating if needed) the job database at `dbPath` and brings its schema up to date. */
export function openJobStore(dbPath: string, opts: OpenJobStoreOptions = {}): JobStore {
  const file = path.resolve(dbPath);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw toLabError(err);
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file);
    // busy_timeout first, so the WAL switch and migrations wait for another instance instead of failing.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 5000))}`);
    // The first statement that reads the file: a non-SQLite file fails here with SQLITE_NOTADB.
    const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string };
    // FULL rather than WAL's usual NORMAL: job writes are a handful per minute, and a recorded 'done'
    // should survive a power cut, not just an app crash.
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    migrate(db, file);
    return new SqliteJobStore(db, file, mode.journal_mode, opts.now ?? (() => new Date()));
  } catch (err) {
    try {
      db?.close();
    } catch {
      // already failed; the original error is the one worth reporting
    }
    throw openError(err, file);
  }
}

/** Maps SQLite's open-time failures onto LabErrors that name the file and say what to do. */
function openError(err: unknown, file: string): LabError {
  if (err instanceof LabError) return err;
  const e = err as { errcode?: number; message?: string };
  switch (e.errcode) {
    case 26: // SQLITE_NOTADB
      return new LabError(
        'E_CORRUPT',
        `${file} is not an SQLite database (or its header is damaged), so it cannot be used as the job history; move it aside or choose another location.`,
        file,
      );
    case 11: // SQLITE_CORRUPT
      return new LabError('E_CORRUPT', `The job history ${file} is damaged (${e.message}); move it aside to start a new one.`, file);
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return new LabError('E_IO', `The job history ${file} is locked by another process; close other copies of the app and try again.`, file);
    case 8: // SQLITE_READONLY
    case 14: // SQLITE_CANTOPEN
      return new LabError('E_IO', `The job history ${file} cannot be opened for writing (${e.message}); check that the folder exists and is writable.`, file);
  }
  const le = toLabError(err);
  return new LabError(le.code === 'E_INTERNAL' ? 'E_IO' : le.code, `Opening the job history ${file} failed: ${le.message}`, file);
}

class SqliteJobStore implements JobStore {
  private closed = false;
  private readonly stmt: Record<string, StatementSync>;

  constructor(
    private readonly db: DatabaseSync,
    readonly path: string,
    readonly journalMode: string,
    private readonly now: () => Date,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.stmt = {
      insert: p(`INSERT INTO jobs (kind, state, params_json, input_key, created_at, updated_at)
                 VALUES (:kind, 'queued', :params, :inputKey, :now, :now)`),
      get: p('SELECT * FROM jobs WHERE id = ?'),
      list: p('SELECT * FROM jobs ORDER BY id DESC LIMIT ? OFFSET ?'),
      listState: p('SELECT * FROM jobs WHERE state = ? ORDER BY id DESC LIMIT ? OFFSET ?'),
      count: p('SELECT count(*) AS n FROM jobs'),
      countState: p('SELECT count(*) AS n FROM jobs WHERE state = ?'),
      byKey: p('SELECT * FROM jobs WHERE input_key = ? ORDER BY id DESC'),
      results: p('SELECT name, path, sha256, bytes FROM results WHERE job_id = ? ORDER BY rowid'),
      insertResult: p('INSERT INTO results (job_id, name, path, sha256, bytes) VALUES (?, ?, ?, ?, ?)'),
      requeue: p(`UPDATE jobs SET state = 'queued', started_at = NULL, updated_at = ? WHERE state = 'running'`),
      oldest: p('SELECT * FROM jobs WHERE state = ? ORDER BY id ASC LIMIT ?'),
    };
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private db_(): DatabaseSync {
    if (this.closed) throw new LabError('E_INVALID_INPUT', `The job history ${this.path} is already closed.`, this.path);
    return this.db;
  }

  /** Runs `fn` in one write transaction (IMMEDIATE: take the lock now, not half-way through). */
  private tx<T>(fn: () => T): T {
    const db = this.db_();
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  /** One conditional UPDATE to state `to`; on no match, says why (no such job, or a forbidden move). */
  private transition(id: number, to: keyof typeof ALLOWED_FROM, set: string, values: Record<string, string | null>): JobRecord {
    arg(IdSchema, id, 'job id');
    const from = ALLOWED_FROM[to];
    if (!this.update(id, to, set, values)) {
      const job = this.getJob(id);
      if (!job) throw new LabError('E_NOT_FOUND', `Job ${id} does not exist in the job history ${this.path}.`);
      throw new LabError(
        'E_INVALID_INPUT',
        `Job ${id} cannot go from ${job.state} to ${to}: only a ${from.join(' or ')} job can become ${to}.`,
      );
    }
    return this.getJob(id)!;
  }

  /** The UPDATE of `transition` alone, without reading the row back; true if the job moved. */
  private update(id: number, to: keyof typeof ALLOWED_FROM, set: string, values: Record<string, string | null>): boolean {
    const from = ALLOWED_FROM[to];
    const sql = `UPDATE jobs SET state = '${to}', updated_at = :now, ${set}
                 WHERE id = :id AND state IN (${from.map((s) => `'${s}'`).join(', ')})`;
    return Number(this.db_().prepare(sql).run({ id, now: this.stamp(), ...values }).changes) > 0;
  }

  createJob(input: { kind: string; params: Record<string, unknown>; inputKey?: string }): JobRecord {
    const { kind, params, inputKey } = arg(CreateSchema, input, 'job');
    let paramsJson: string;
    try {
      paramsJson = JSON.stringify(params);
    } catch (err) {
      throw new LabError('E_INVALID_INPUT', `The parameters of a "${kind}" job cannot be stored as JSON: ${(err as Error).message}`);
    }
    const res = this.stmt.insert.run({ kind, params: paramsJson, inputKey: inputKey ?? null, now: this.stamp() });
    return this.getJob(Number(res.lastInsertRowid))!;
  }

  getJob(id: number): JobRecord | null {
    this.db_();
    const row = this.stmt.get.get(arg(IdSchema, id, 'job id'));
    return row ? parseJobRow(row, this.path) : null;
  }

  listJobs(opts: { limit: number; offset?: number; state?: JobState; search?: string; origin?: JobOrigin }): { jobs: JobRecord[]; total: number } {
    const { limit, offset, state, search, origin } = arg(ListSchema, opts, 'job list options');
    const db = this.db_();
    const text = search?.trim();
    if (!text && origin === 'any') {
      const rows = state ? this.stmt.listState.all(state, limit, offset) : this.stmt.list.all(limit, offset);
      return { jobs: rows.map((r) => parseJobRow(r, this.path)), total: this.count(state) };
    }
    const conds: string[] = [];
    const bind: Record<string, string> = {};
    if (text) {
      // LIKE is case-insensitive for ASCII; %, _ and \ in the text are matched literally.
      bind.q = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conds.push(`(kind LIKE :q ESCAPE '\\' OR params_json LIKE :q ESCAPE '\\' OR ifnull(error, '') LIKE :q ESCAPE '\\'
                    OR ifnull(result_dir, '') LIKE :q ESCAPE '\\')`);
    }
    if (state) {
      bind.state = state;
      conds.push('state = :state');
    }
    if (origin === 'watch') conds.push(WATCH_ORIGIN_SQL);
    // The page and its total share one WHERE, so `total` never counts jobs the filters hide.
    const where = conds.join(' AND ');
    const rows = db.prepare(`SELECT * FROM jobs WHERE ${where} ORDER BY id DESC LIMIT :limit OFFSET :offset`).all({ ...bind, limit, offset });
    const n = db.prepare(`SELECT count(*) AS n FROM jobs WHERE ${where}`).get(bind) as { n: number };
    return { jobs: rows.map((r) => parseJobRow(r, this.path)), total: Number(n.n) };
  }

  markRunning(id: number): JobRecord {
    return this.transition(id, 'running', 'started_at = :now, finished_at = NULL, error = NULL, attempts = attempts + 1', {});
  }

  markDone(id: number, result: { resultDir: string; files?: JobResultFile[] }): JobRecord {
    const resultDir = arg(z.string().min(1), result?.resultDir, `result folder of job ${id}`);
    const files = arg(z.array(ResultFileSchema), result?.files ?? [], `result files of job ${id}`);
    const names = new Set(files.map((f) => f.name));
    if (names.size !== files.length) {
      throw new LabError('E_INVALID_INPUT', `The result files of job ${id} repeat a name; each file name must be unique.`);
    }
    // State and files commit together, so a 'done' job never lacks the files it reports.
    return this.tx(() => {
      const job = this.transition(id, 'done', 'finished_at = :now, result_dir = :resultDir, error = NULL', { resultDir });
      for (const f of files) this.stmt.insertResult.run(id, f.name, f.path, f.sha256, f.bytes);
      return job;
    });
  }

  markFailed(id: number, error: string): JobRecord {
    const message = arg(z.string().min(1), error, `error message of job ${id}`);
    return this.transition(id, 'failed', 'finished_at = :now, error = :error', { error: message });
  }

  markCancelled(id: number, reason?: string): JobRecord {
    const why = arg(z.string().optional(), reason, `cancel reason of job ${id}`);
    return this.transition(id, 'cancelled', 'finished_at = :now, error = :error', { error: why || null });
  }

  requeueInterrupted(): number {
    this.db_();
    return Number(this.stmt.requeue.run(this.stamp()).changes);
  }

  recoverInterrupted(): { requeued: number; failed: number } {
    return this.tx(() => {
      const db = this.db_();
      const requeued = db
        .prepare(`UPDATE jobs SET state = 'queued', started_at = NULL, updated_at = ? WHERE state = 'running' AND ${WATCH_ORIGIN_SQL}`)
        .run(this.stamp()).changes;
      // Only the columns the message needs, and no row read back: one unreadable row should not stop the
      // app from starting.
      const stranded = db
        .prepare(`SELECT id, coalesce(started_at, created_at) AS began FROM jobs
                  WHERE state IN ('running', 'queued') AND ${NOT_WATCH_ORIGIN_SQL} ORDER BY id`)
        .all() as { id: number; began: string | null }[];
      let failed = 0;
      for (const j of stranded) {
        if (this.update(Number(j.id), 'failed', 'finished_at = :now, error = :error', { error: interruptedJobError(j.began) })) failed++;
      }
      return { requeued: Number(requeued), failed };
    });
  }

  requeue(id: number): JobRecord {
    return this.transition(id, 'queued', 'started_at = NULL, finished_at = NULL', {});
  }

  createJobUnlessKey(
    input: { kind: string; params: Record<string, unknown>; inputKey: string },
    blocks: (existing: JobRecord) => boolean,
  ): { job: JobRecord; created: boolean } {
    const key = arg(z.string().min(1).max(200), input?.inputKey, 'input key');
    return this.tx(() => {
      const blocking = this.findByInputKey(key).find(blocks);
      return blocking ? { job: blocking, created: false } : { job: this.createJob(input), created: true };
    });
  }

  listOldest(state: JobState, limit = 10_000): JobRecord[] {
    this.db_();
    const n = arg(z.number().int().min(1).max(1_000_000), limit, 'limit');
    return this.stmt.oldest.all(arg(JobStateSchema, state, 'job state'), n).map((r) => parseJobRow(r, this.path));
  }

  findByInputKey(key: string): JobRecord[] {
    this.db_();
    return this.stmt.byKey.all(arg(z.string().min(1), key, 'input key')).map((r) => parseJobRow(r, this.path));
  }

  getResults(id: number): JobResultFile[] {
    this.db_();
    return this.stmt.results.all(arg(IdSchema, id, 'job id')).map((r) => parseResultRow(r, id, this.path));
  }

  count(state?: JobState): number {
    this.db_();
    const row = (state ? this.stmt.countState.get(arg(JobStateSchema, state, 'job state')) : this.stmt.count.get()) as { n: number };
    return Number(row.n);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
