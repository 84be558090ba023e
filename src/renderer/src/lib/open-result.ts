/**
 * @file Where a finished job's result folder reopens: the workspace that made it (tracking and simulated
 * pairs → Speckle / DIC, X-ray phase runs and simulations → X-ray phase, deblurring and super-resolution →
 * Restoration; anything else, such as a watched folder's `info` job, → the Acquisition workspace's plain
 * result view). One routing for the Jobs workspace and the Acquisition workspace, so a job opens in the same
 * place whichever list it was clicked in.
 *
 * The workspace is switched only once its store has loaded the folder: a folder that is gone (moved,
 * deleted) or unreadable leaves the user where they clicked, with the reason next to the job's row.
 *
 * Only the latest Open counts: every open takes a number, and an open that another one started after it has
 * overtaken (a slow X-ray result still loading when a deblur job is clicked) neither switches the workspace
 * nor reports success when it finishes: it answers OVERTAKEN, and its row says nothing.
 */
import type { WorkspaceId } from '../workspaces';

export type ResultWorkspace = Extract<WorkspaceId, 'dic' | 'xpci' | 'restore' | 'acquire'>;

/**
 * Job kinds (jobs.list `kind`: the contract call's job kind, or a watch rule's task kind) by the
 * workspace that shows their result folder. `sr` is the watch rules' short name for super-resolution.
 */
const WORKSPACE_OF_KIND: Readonly<Record<string, ResultWorkspace>> = {
  track: 'dic',
  'simulate.pair': 'dic',
  xpci: 'xpci',
  'simulate.xpci': 'xpci',
  deblur: 'restore',
  'super-resolution': 'restore',
  sr: 'restore',
};

/** The workspace that shows a job kind's result folder; kinds without a workspace of their own → 'acquire'. */
export function resultWorkspace(kind: string): ResultWorkspace {
  return WORKSPACE_OF_KIND[kind] ?? 'acquire';
}

/** Short name of the workspace a kind opens in, for the Open button's tooltip. */
export function resultWorkspaceLabel(kind: string): string {
  return { dic: 'Speckle / DIC', xpci: 'X-ray phase', restore: 'Restoration', acquire: 'Acquisition' }[resultWorkspace(kind)];
}

/** What an open answers when a newer open started before it finished: nothing to show or report. */
export const OVERTAKEN: unique symbol = Symbol('overtaken');
export type Overtaken = typeof OVERTAKEN;

/**
 * Loads a result folder into one workspace's store; resolves to null when shown, OVERTAKEN when the store
 * dropped it for a newer open of its own, else why it could not be shown.
 */
export type ResultLoader = (dir: string) => Promise<string | null | Overtaken>;

export interface JobWithResult {
  kind: string;
  state?: string;
  resultDir: string | null;
}

/** Whether a job has a result folder to reopen. */
export const canOpenResult = (job: JobWithResult): boolean => (job.state === undefined || job.state === 'done') && Boolean(job.resultDir);

/** Number of the latest open (openJobResult); one count for every list, so that any newer click wins. */
let latestOpen = 0;

/**
 * Opens a job's result folder in its workspace: loads it with that workspace's loader, then shows the
 * workspace. Resolves to null on success, OVERTAKEN when another open started before this one finished
 * (nothing is switched, nothing to report), else to a sentence for the job's row (nothing is switched).
 */
export async function openJobResult(
  job: JobWithResult,
  loaders: Readonly<Record<ResultWorkspace, ResultLoader>>,
  show: (ws: ResultWorkspace) => void,
): Promise<string | null | Overtaken> {
  const seq = ++latestOpen;
  const dir = job.resultDir?.trim();
  if (!dir) return 'This job wrote no result folder.';
  const ws = resultWorkspace(job.kind);
  let error: string | null | Overtaken;
  try {
    error = await loaders[ws](dir);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  // an overtaken open may have failed, but the user has moved on: only the latest open speaks
  if (seq !== latestOpen || error === OVERTAKEN) return OVERTAKEN;
  if (error !== null) return readableOpenError(error);
  show(ws);
  return null;
}

/**
 * The row's message for a failed open. The back end answers a folder that is not there with "… is not a
 * result folder (it has no result.json)", which reads as if the folder were malformed; a user who deleted
 * or moved it needs to hear that it is gone. The row already shows the path, so the message does not
 * repeat it. Other failures (an input image gone, a wrong kind) keep their own sentence.
 */
export function readableOpenError(message: string): string {
  if (/has no result\.json/i.test(message)) {
    return 'This result folder is no longer there (moved or deleted?), or its result.json is missing, so the result cannot be shown.';
  }
  return message;
}

/** A file `name` in a result folder, with the folder's own separator (a Windows back end answers with `\\`). */
export function childPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return `${dir.replace(/[\\/]+$/, '')}${sep}${name}`;
}
