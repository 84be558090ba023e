/**
 * @file Layering rules of DESIGN.md, checked on the source: imports only point down.
 *   src/shared   may import zod only (it is loaded by every layer, the sandboxed preload included)
 *   src/core     no electron, no DOM frameworks, no renderer/main/preload code
 *   src/renderer no node: modules, no electron, no core (it reaches the core only through the contract)
 *   src/preload  electron and src/shared only
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|vue)$/.test(n) && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
}

function violations(layer: string, bad: (spec: string, file: string) => boolean): string[] {
  return sources(join(ROOT, 'src', layer)).flatMap((f) =>
    imports(f)
      .filter((s) => bad(s, f))
      .map((s) => `${relative(ROOT, f)} imports "${s}"`),
  );
}

const reaches = (spec: string, file: string, layer: string) =>
  spec.startsWith('.') && resolve(file, '..', spec).startsWith(join(ROOT, 'src', layer));

describe('layering', () => {
  it('src/shared imports only zod and itself', () => {
    expect(violations('shared', (s) => !s.startsWith('.') && s !== 'zod')).toEqual([]);
  });
  it('src/core never imports electron, vue or the UI layers', () => {
    expect(
      violations('core', (s, f) => s === 'electron' || s === 'vue' || s === 'pinia' || ['main', 'preload', 'renderer'].some((l) => reaches(s, f, l))),
    ).toEqual([]);
  });
  it('src/renderer never imports node:, electron or the core', () => {
    expect(
      violations('renderer', (s, f) => s.startsWith('node:') || s === 'electron' || reaches(s, f, 'core') || reaches(s, f, 'main')),
    ).toEqual([]);
  });
  it('src/preload imports electron and src/shared only', () => {
    expect(violations('preload', (s, f) => !(s === 'electron' || reaches(s, f, 'shared')))).toEqual([]);
  });
});
