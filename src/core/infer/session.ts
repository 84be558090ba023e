/**
 * @file Creating ONNX Runtime sessions with execution-provider fallback. `createSession` tries the providers
 * one at a time, best first, records why each failed, and reports the one that actually created the session,
 * so the app can show "running on CPU because CUDA failed: ..." instead of guessing.
 *
 * Note: provider fallback. Asking ONNX Runtime for ['cuda', 'cpu'] where the CUDA libraries are absent makes
 * session creation fail as a whole ("Failed to load shared library"); it does not fall back by itself
 * (checked with onnxruntime-node 1.30 on Linux x64). So each provider gets its own attempt with a
 * single-provider list. The failed attempts would also print ANSI-coloured [E:onnxruntime] lines on stderr
 * from ONNX Runtime's global logger, which `logSeverityLevel` on the session does not silence; only
 * `ort.env.logLevel = 'fatal'`, set before the first session, does. The error still reaches us as the thrown
 * message, so nothing is lost but the log spray. `LAB_ORT_LOG_LEVEL=warning` (or verbose) brings it back for
 * debugging a GPU install.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { LabError, toLabError } from '../errors';
import { providerOrder } from './providers';

/** Environment variable overriding ONNX Runtime's global log level (verbose|info|warning|error|fatal). */
export const ORT_LOG_LEVEL_ENV = 'LAB_ORT_LOG_LEVEL';

export interface ProviderAttempt {
  name: string;
  ok: boolean;
  /** why the attempt failed: ONNX Runtime's message, or the verify hook's */
  error?: string;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  /** the provider that created the session (and passed `verify`, if given) */
  provider: string;
  /** every attempt in order, the successful one last */
  tried: ProviderAttempt[];
  /** the name used in messages: the file path, or the label given for in-memory models */
  label: string;
}

export interface CreateSessionOptions {
  /** providers to try in order; default `providerOrder()` (platform GPU provider, then cpu) */
  providers?: string[];
  /** name for messages when `model` is bytes (e.g. the file the bytes came from) */
  label?: string;
  /**
   * Optional acceptance check run on each new session, e.g. a known-answer inference. If it throws, the
   * session is released, the attempt is recorded as failed with the thrown message, and the next provider
   * is tried. Used by the probe so that "active" means a provider that computed correctly.
   */
  verify?: (session: ort.InferenceSession, provider: string) => Promise<void> | void;
  /** extra session options (graph optimisation level, threads); executionProviders is set here, per attempt */
  sessionOptions?: Omit<ort.InferenceSession.SessionOptions, 'executionProviders'>;
}

const LOG_LEVELS = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;
let loggingConfigured = false;

/** Sets ONNX Runtime's global log level once, before the first session (it is read when ORT initialises). */
function configureOrtLogging(): void {
  if (loggingConfigured) return;
  loggingConfigured = true;
  const wanted = process.env[ORT_LOG_LEVEL_ENV]?.trim().toLowerCase();
  ort.env.logLevel = (LOG_LEVELS as readonly string[]).includes(wanted ?? '')
    ? (wanted as (typeof LOG_LEVELS)[number])
    : 'fatal';
}

/** ONNX Runtime messages can span lines and carry ANSI colour; keep them readable in one UI line. */
function cleanMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').trim() || 'unknown error';
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** ONNX Runtime's version string, e.g. "1.30.0". */
export function ortVersion(): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}

/**
 * Creates an inference session for `model` (a file path or the model's bytes), trying `providers` one at
 * a time (see "Note: provider fallback"). Throws E_NOT_FOUND for a missing file, E_INVALID_INPUT for an
 * empty provider list or a folder, and E_RUNTIME naming the model and each provider's error when none works.
 */
export async function createSession(model: string | Uint8Array, opts: CreateSessionOptions = {}): Promise<CreatedSession> {
  const providers = opts.providers ?? providerOrder();
  const label = typeof model === 'string' ? path.resolve(model) : (opts.label ?? 'an in-memory model');
  const file = typeof model === 'string' ? label : undefined;
  if (providers.length === 0) {
    throw new LabError('E_INVALID_INPUT', `No execution providers were given for ${label}; pass at least "cpu".`, file);
  }
  if (typeof model === 'string') await checkModelFile(label);
  configureOrtLogging();

  const tried: ProviderAttempt[] = [];
  for (const name of providers) {
    let session: ort.InferenceSession;
    try {
      const options: ort.InferenceSession.SessionOptions = {
        logSeverityLevel: 3,
        ...opts.sessionOptions,
        executionProviders: [name],
      };
      session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
    } catch (err) {
      tried.push({ name, ok: false, error: cleanMessage(err) });
      continue;
    }
    if (opts.verify) {
      try {
        await opts.verify(session, name);
      } catch (err) {
        tried.push({ name, ok: false, error: `created a session but failed the check: ${cleanMessage(err)}` });
        await session.release().catch(() => undefined);
        continue;
      }
    }
    tried.push({ name, ok: true });
    return { session, provider: name, tried, label };
  }
  const why = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new LabError('E_RUNTIME', `ONNX Runtime could not run the model ${label} on any execution provider (${why}).`, file);
}

/** A clear E_NOT_FOUND / E_INVALID_INPUT before ONNX Runtime's own, less helpful, "Load model failed". */
async function checkModelFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    const e = toLabError(err);
    if (e.code === 'E_NOT_FOUND') throw new LabError('E_NOT_FOUND', `The model file ${file} does not exist.`, file);
    throw e;
  }
  if (!info.isFile()) throw new LabError('E_INVALID_INPUT', `The model path ${file} is not a file.`, file);
}
