/**
 * @file Job records as the store hands them out, and the parsing of SQLite rows into them. Rows are parsed
 * with zod on every read rather than cast: the file lives in the user's profile, may have been written by
 * another app version or edited by hand, and a malformed row should surface as a clear E_CORRUPT naming
 * the job and the database, not as `undefined` deep inside the renderer.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { JobSchema, JobStateSchema } from '../../shared/contract';
import { LabError } from '../errors';

export type JobState = z.output<typeof JobStateSchema>;

/** The contract's Job plus the bookkeeping the store keeps; assignable to the contract's `Job`. */
export const JobRecordSchema = JobSchema.extend({
  inputKey: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** how many times the job has been started (a requeued job that runs again counts twice) */
  attempts: z.number().int().nonnegative(),
});
export type JobRecord = z.output<typeof JobRecordSchema>;

export const ResultFileSchema = z.object({
  name: z.string().min(1),
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  bytes: z.number().int().nonnegative(),
});
export type JobResultFile = z.output<typeof ResultFileSchema>;

/** The raw row as SQLite returns it (INTEGER → number, TEXT → string, NULL → null). */
const JobRowSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  state: z.string(),
  params_json: z.string(),
  input_key: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  result_dir: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
});

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`)
    .join('; ');
}

/** Parses one `jobs` row; E_CORRUPT naming the job and the database if anything is off. */
export function parseJobRow(row: unknown, dbPath: string): JobRecord {
  const id = (row as { id?: unknown } | undefined)?.id;
  const fail = (why: string) =>
    new LabError('E_CORRUPT', `Job ${String(id)} in the job history ${dbPath} is unreadable (${why}).`, dbPath);
  const raw = JobRowSchema.safeParse(row);
  if (!raw.success) throw fail(issuesText(raw.error));
  let params: unknown;
  try {
    params = JSON.parse(raw.data.params_json);
  } catch (err) {
    throw fail(`params are not JSON: ${(err as Error).message}`);
  }
  const rec = JobRecordSchema.safeParse({
    id: raw.data.id,
    kind: raw.data.kind,
    state: raw.data.state,
    params,
    createdAt: raw.data.created_at,
    updatedAt: raw.data.updated_at,
    resultDir: raw.data.result_dir,
    error: raw.data.error,
    inputKey: raw.data.input_key,
    startedAt: raw.data.started_at,
    finishedAt: raw.data.finished_at,
    attempts: raw.data.attempts,
  });
  if (!rec.success) throw fail(issuesText(rec.error));
  return rec.data;
}

/** Parses one `results` row (same reasoning as parseJobRow). */
export function parseResultRow(row: unknown, jobId: number, dbPath: string): JobResultFile {
  const r = ResultFileSchema.safeParse(row);
  if (!r.success) {
    throw new LabError('E_CORRUPT', `A result file of job ${jobId} in ${dbPath} is unreadable (${issuesText(r.error)}).`, dbPath);
  }
  return r.data;
}

/** JSON with object keys sorted at every level, so equal parameters always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The dedup key of a job: sha256 over its kind, canonical parameters and the sha256 of each input file (in
 * the order given, since the order of inputs means something: reference before deformed). Two jobs with
 * the same key would compute the same result.
 */
export function computeInputKey(kind: string, params: Record<string, unknown>, inputSha256: readonly string[] = []): string {
  return createHash('sha256').update(canonicalJson({ kind, params, inputs: inputSha256 })).digest('hex');
}
