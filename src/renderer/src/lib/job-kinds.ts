/**
 * @file Readable names of job kinds (jobs.list `kind`: a contract call's job kind, or a watch rule's task
 * kind) for tables: `watch.file` → "Watched file". The raw kind stays in the rows' `data-kind` for tests and
 * support; a kind this renderer does not know is shown as it is.
 */

const KIND_NAMES: Readonly<Record<string, string>> = {
  track: 'Tracking',
  'simulate.pair': 'Simulated pair',
  xpci: 'X-ray phase',
  'simulate.xpci': 'Simulated X-ray pair',
  deblur: 'Deblurring',
  'super-resolution': 'Super-resolution',
  sr: 'Super-resolution',
  blur: 'Blur',
  info: 'Image info',
  'watch.file': 'Watched file',
};

/** The name a person reads for a job kind. */
export function jobKindLabel(kind: string): string {
  return KIND_NAMES[kind] ?? kind;
}
