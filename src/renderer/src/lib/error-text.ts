/**
 * @file Error texts for people. Job errors from the back end are stored as `CODE: sentence`
 * (`E_UNSUPPORTED: notes.tif is not an image …`, see core/watch/job-runner.ts); tables show the sentence
 * only and keep the code for support in a tooltip / `data-code`.
 */

export interface SplitError {
  /** the sentence to show */
  message: string;
  /** the machine-readable code (`E_UNSUPPORTED`), or null when the text carries none */
  code: string | null;
}

const CODED = /^(E_[A-Z0-9_]+):\s*/;

/** Splits `E_CODE: sentence` into the sentence and the code; text without a leading code stays whole. */
export function splitErrorCode(text: string): SplitError {
  const m = CODED.exec(text);
  if (!m || m[0].length === text.length) return { message: text, code: null };
  return { message: text.slice(m[0].length), code: m[1] };
}

/** The tooltip of a shown error: the sentence, and the code on a line of its own for support. */
export function errorTooltip(e: SplitError): string {
  return e.code ? `${e.message}\n(error code ${e.code})` : e.message;
}
