/**
 * @file Turns ready files into job specs by the rules (rules.ts). Pure bookkeeping, no I/O: the watcher
 * says which files exist (`seen`) and which are ready (`ready`, with their sha256); this says which jobs
 * those files now complete. Deduplication is not done here but by the dispatcher's input key, so this
 * may propose the same job twice (after a rescan, say) and stays simple.
 *
 * Note: watch pairing. Patterns are anchored regular expressions matched against the file name, or
 * against the path relative to the watched folder when the pattern contains '/'. Files pair only within
 * the same sub-folder. Indices compare as numbers when they are digits ("007" = "7").
 *  - pair: a job when both files of an index are ready; replacing either re-forms the pair.
 *  - series fixed-reference / first-frame: a sample uses the reference that is ready when the sample
 *    is; samples that arrive before the reference wait for it. A reference replaced later applies to later
 *    samples only, not to those already processed (at a beamline a new flat belongs to the frames after it).
 *    first-frame's reference is `referenceIndex`, else the lowest index seen in the folder.
 *  - series incremental: frame n pairs with the nearest lower index seen (n−1 when numbering is dense).
 *  - single: every matching ready file is a job.
 */
import { basename } from 'node:path';
import { ruleName, type Rule, type RulesFile } from './rules';

export interface ReadyFile {
  path: string;
  /** relative to the watched folder, '/' separated */
  rel: string;
  sha256: string;
  size: number;
}

export type InputRole = 'reference' | 'sample' | 'image';

export interface JobSpec {
  rule: CompiledRule;
  /** index text as written in the sample's name ('' when the rule has none) */
  index: string;
  /** sub-folder, '' for the watched folder itself */
  dir: string;
  inputs: { role: InputRole; file: ReadyFile }[];
}

export interface CompiledRule {
  name: string;
  position: number;
  rule: Rule;
  /** default output template filled in */
  output: string;
}

type Role = 'reference' | 'sample' | 'frame' | 'image';
interface Hit { role: Role; index: string; key: string; dir: string }
interface Entry { file: ReadyFile; index: string }
interface DirState {
  refs: Map<string, Entry>;
  samples: Map<string, Entry>;
  seen: Map<string, number>;
  /** fixed-reference / first-frame: "path sha" of samples already given a reference */
  paired: Set<string>;
}

const anchored = (src: string, ignoreCase: boolean) => ({ re: new RegExp(`^(?:${src})$`, ignoreCase ? 'i' : ''), onRel: src.includes('/') });
const keyOf = (index: string) => (/^\d+$/.test(index) ? String(BigInt(index)) : index);
const order = (a: string, b: string) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(BigInt(a) - BigInt(b)) : a < b ? -1 : a > b ? 1 : 0);

export function compileRules(file: RulesFile): CompiledRule[] {
  return file.rules.map((rule, position) => ({
    name: ruleName(rule, position),
    position,
    rule,
    output: rule.output ?? (rule.type === 'single' ? '{rule}_{name}_job{job}' : '{rule}_{index}_job{job}'),
  }));
}

export class RuleMatcher {
  readonly rules: CompiledRule[];
  private readonly patterns: { ref?: ReturnType<typeof anchored>; main: ReturnType<typeof anchored> }[];
  /** per rule: sub-folder → state */
  private readonly state: Map<string, DirState>[];
  private readonly used = new Set<string>();

  constructor(file: RulesFile) {
    this.rules = compileRules(file);
    this.patterns = this.rules.map(({ rule: r }) => {
      if (r.type === 'pair') return { ref: anchored(r.reference, r.ignoreCase), main: anchored(r.sample, r.ignoreCase) };
      if (r.type === 'series') return { ref: r.reference ? anchored(r.reference, r.ignoreCase) : undefined, main: anchored(r.frames, r.ignoreCase) };
      return { main: anchored(r.match, r.ignoreCase) };
    });
    this.state = this.rules.map(() => new Map());
  }

  /** Does any rule care about this file? (Others are not even tracked by the watcher.) */
  accepts(rel: string): boolean {
    return this.rules.some((_, i) => this.classify(i, rel) !== null);
  }

  /** A file exists (maybe still arriving): series rules need every index to choose references. */
  seen(rel: string): void {
    this.rules.forEach((_, i) => {
      const hit = this.classify(i, rel);
      if (hit && hit.role !== 'reference' && hit.role !== 'image') this.dirState(i, hit.dir).seen.set(hit.key, 0);
    });
  }

  /** A file will never be ready (failed): stop waiting for it as a series neighbour. */
  forget(rel: string): void {
    this.rules.forEach((_, i) => {
      const hit = this.classify(i, rel);
      if (hit && hit.role !== 'image') this.dirState(i, hit.dir).seen.delete(hit.key);
    });
  }

  /** A file is gone (deleted, renamed away): it pairs with nothing any more. */
  removed(rel: string): void {
    this.forget(rel);
    this.rules.forEach((_, i) => {
      const hit = this.classify(i, rel);
      const st = hit && this.state[i].get(hit.dir);
      if (!st) return;
      for (const m of [st.refs, st.samples]) for (const [k, e] of m) if (e.file.rel === rel) m.delete(k);
    });
  }

  /** The whole folder is gone: forget every file (those that come back are reported again). */
  reset(): void {
    for (const s of this.state) s.clear();
  }

  /** A file is ready: the jobs it completes, by rule. */
  ready(file: ReadyFile): JobSpec[] {
    const out: JobSpec[] = [];
    this.rules.forEach((cr, i) => {
      const hit = this.classify(i, file.rel);
      if (hit) out.push(...this.readyFor(cr, hit, file));
    });
    for (const s of out) for (const inp of s.inputs) this.used.add(inp.file.path);
    return out;
  }

  /** Ready files that are still waiting for a partner (reference, sample or neighbour frame). */
  unmatched(): string[] {
    const waiting = new Set<string>();
    for (const dirs of this.state) {
      for (const st of dirs.values()) for (const e of [...st.refs.values(), ...st.samples.values()]) if (!this.used.has(e.file.path)) waiting.add(e.file.rel);
    }
    return [...waiting].sort();
  }

  private dirState(i: number, dir: string): DirState {
    let st = this.state[i].get(dir);
    if (!st) this.state[i].set(dir, (st = { refs: new Map(), samples: new Map(), seen: new Map(), paired: new Set() }));
    return st;
  }

  private classify(i: number, rel: string): Hit | null {
    const p = this.patterns[i];
    const cut = rel.lastIndexOf('/');
    const dir = cut < 0 ? '' : rel.slice(0, cut);
    const test = (a: ReturnType<typeof anchored>) => a.re.exec(a.onRel ? rel : basename(rel));
    const r = this.rules[i].rule;
    const refHit = p.ref && test(p.ref);
    if (refHit) {
      const index = r.type === 'pair' ? (refHit.groups?.index ?? refHit[1] ?? '') : '';
      return { role: 'reference', index, key: keyOf(index), dir };
    }
    const m = test(p.main);
    if (!m) return null;
    const index = m.groups?.index ?? m[1] ?? '';
    const role: Role = r.type === 'pair' ? 'sample' : r.type === 'series' ? (r.mode === 'fixed-reference' ? 'sample' : 'frame') : 'image';
    return { role, index, key: keyOf(index), dir };
  }

  private readyFor(cr: CompiledRule, hit: Hit, file: ReadyFile): JobSpec[] {
    const r = cr.rule;
    const spec = (ref: Entry, sample: Entry): JobSpec => ({
      rule: cr,
      index: sample.index,
      dir: hit.dir,
      inputs: [{ role: 'reference', file: ref.file }, { role: 'sample', file: sample.file }],
    });
    if (r.type === 'single') return [{ rule: cr, index: hit.index, dir: hit.dir, inputs: [{ role: 'image', file }] }];
    const st = this.dirState(cr.position, hit.dir);
    const entry: Entry = { file, index: hit.index };
    if (r.type === 'pair') {
      (hit.role === 'reference' ? st.refs : st.samples).set(hit.key, entry);
      const ref = st.refs.get(hit.key);
      const sample = st.samples.get(hit.key);
      return ref && sample ? [spec(ref, sample)] : [];
    }
    if (r.mode === 'incremental') {
      st.seen.set(hit.key, 0);
      st.samples.set(hit.key, entry);
      const keys = [...st.seen.keys()].sort(order);
      const at = keys.indexOf(hit.key);
      const out: JobSpec[] = [];
      const prev = at > 0 ? st.samples.get(keys[at - 1]) : undefined;
      const next = at < keys.length - 1 ? st.samples.get(keys[at + 1]) : undefined;
      if (prev) out.push(spec(prev, entry));
      if (next) out.push(spec(entry, next));
      return out;
    }
    // fixed-reference and first-frame: one reference for the series (see Note: watch pairing).
    let ref: Entry | undefined;
    let isRef: boolean;
    if (r.mode === 'first-frame') {
      st.seen.set(hit.key, 0);
      st.samples.set(hit.key, entry);
      const refKey = r.referenceIndex !== undefined ? keyOf(String(r.referenceIndex)) : [...st.seen.keys()].sort(order)[0];
      ref = st.samples.get(refKey);
      isRef = hit.key === refKey;
    } else {
      isRef = hit.role === 'reference';
      if (isRef) st.refs.set('ref', entry);
      else st.samples.set(hit.key, entry);
      ref = st.refs.get('ref');
    }
    if (!ref) return [];
    const out: JobSpec[] = [];
    for (const s of isRef ? [...st.samples.values()] : [entry]) {
      const tag = `${s.file.path} ${s.file.sha256}`;
      if (s.file.path === ref.file.path || st.paired.has(tag)) continue;
      st.paired.add(tag);
      out.push(spec(ref, s));
    }
    return out;
  }
}

/** The result folder name: the rule's template with {job} left for the dispatcher to fill in. */
export function outputTemplate(spec: JobSpec): string {
  const sample = spec.inputs[spec.inputs.length - 1].file;
  const ref = spec.inputs.length > 1 ? spec.inputs[0].file : undefined;
  const stem = (rel: string) => basename(rel).replace(/\.[^.]*$/, '');
  const values: Record<string, string> = {
    rule: spec.rule.name,
    index: spec.index || stem(sample.rel),
    name: stem(sample.rel),
    ref: ref ? stem(ref.rel) : '',
    dir: spec.dir.replace(/\//g, '_') || 'top',
  };
  return spec.rule.output.replace(/\{(rule|index|name|ref|dir)\}/g, (_, k: string) => safeName(values[k]));
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');

/**
 * The result folder name of job `jobId` from outputTemplate's `folder`; `n` > 1 gives the n-th fresh name
 * ("job12-2"), used when the first one is already taken by a folder that is not this job's result (a
 * folder of an earlier job database whose ids also started at 1). Job ids hold no "-", so with the usual
 * templates a fresh name is no other job's first name; the caller still takes only a name that is free.
 */
export function jobFolderName(folder: string, jobId: number, n = 1): string {
  return folder.replaceAll('{job}', n > 1 ? `${jobId}-${n}` : String(jobId));
}

/**
 * Matches the names result folders of these rules can have (outputTemplate + jobFolderName): with the
 * output folder equal to the watched folder, files under them are our results, not new images. A
 * template with no fixed text of its own ("{name}{job}": only placeholders other than {rule}) would match
 * nearly any folder, input folders included, so it is left out: such results are told by their
 * result.json instead (isResultFolder, outputs.ts).
 */
export function resultFolderPattern(rules: CompiledRule[]): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const literal = (cr: CompiledRule) => cr.output.replace(/\{(?!rule\})[a-z]+\}/g, '').replace(/\{rule\}/g, safeName(cr.name)).replace(/[-_.]/g, '') !== '';
  const one = (cr: CompiledRule) =>
    cr.output
      .split(/(\{[a-z]+\})/)
      .map((part) => (part === '{job}' ? '\\d+(?:-\\d+)?' : part === '{rule}' ? esc(safeName(cr.name)) : /^\{[a-z]+\}$/.test(part) ? '[A-Za-z0-9._-]*' : esc(part)))
      .join('');
  const named = rules.filter(literal);
  return named.length ? new RegExp(`^(?:${named.map(one).join('|')})$`) : /(?!)/;
}
