/**
 * @file Public surface of watch/: the acquisition folder processed as images land. Start a session with
 * `startWatch` (session.ts); read its `events` (events.ts); write rules as in resources/rules/README.md.
 * Design reasoning: "Note: watch exactly-once" (dispatcher.ts), "Note: watch pairing" (matcher.ts),
 * "Note: watch errors" and "Note: state writes" (job-runner.ts), "Note: watch clocks" (stable-files.ts).
 */
export { startWatch, type WatchSession, type WatchSessionOptions } from './session';
export { WatchEvents, type WatchEvent, type WatchEventType, type WatchListener } from './events';
export { loadRules, validateRules, RulesFileSchema, RESERVED_TASKS, type RulesFile, type Rule, type TaskSpec } from './rules';
export { runTaskInProcess, taskParams, type RunTask, type TaskResult } from './tasks';
export { FolderWatcher, isIgnoredName, type FolderWatcherOptions } from './watcher';
export { Dispatcher, type DispatcherOptions } from './dispatcher';
export { classifyError } from './job-runner';
