/**
 * @file Keeps Node's one-off "SQLite is an experimental feature" warning out of the CLI's and the
 * harness's output: node:sqlite is stable enough for the job store, and users read that line as an error.
 * Every other warning still prints.
 */
export function silenceSqliteExperimentalWarning(): void {
  const original = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (/SQLite is an experimental feature/.test(text ?? '')) return;
    original(warning, ...rest);
  }) as typeof process.emitWarning;
}
