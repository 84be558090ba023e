/**
 * @file Profile comparison (Sample 14 style), the truth.csv reader on made-up files (the real one is
 * checked in shared-data.test.ts), and the text tables.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../errors';
import { gaussian, mulberry32 } from '../synth/rng';
import { columnMedian, profileErrors } from './profile';
import { formatNumber, formatTable } from './table';
import { parseTruthCsv, parseTruthCsvText } from './truth-csv';

describe('columnMedian and profileErrors', () => {
  it('takes the median over rows, ignoring NaN and outliers', () => {
    const w = 5;
    const h = 7;
    const f = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) f[y * w + x] = x + 0.01 * y;
    f[2 * w + 1] = 1e6; // wild point
    f[3 * w + 1] = NaN;
    for (let y = 0; y < h; y++) f[y * w + 4] = NaN; // a column never measured
    const m = columnMedian(f, w, h);
    expect(m[0]).toBeCloseTo(0.03, 6);
    expect(m[1]).toBeCloseTo(1.045, 5); // median of 1.00, 1.01, 1.04, 1.05, 1.06, 1e6
    expect(m[4]).toBeNaN();
    expect(columnMedian(f, w, h, { rows: [0, 2] })[0]).toBeCloseTo(0.005, 6);
    expect(() => columnMedian(f, w, h, { rows: [3, 3] })).toThrow(/rows \[3, 3\)/);
  });

  it('finds gain, bias and the local period of a chirp', () => {
    // u = A·sin φ with φ' = 2π(f0 + k·x): local period 1/(f0 + k·x), strain A·φ'·cos φ in microstrain.
    const n = 2048;
    const A = 0.1;
    const f0 = 1 / 1000;
    const k = (1 / 60 - f0) / n;
    const truth = new Float64Array(n);
    const strain = new Float64Array(n);
    for (let x = 0; x < n; x++) {
      const phi = 2 * Math.PI * (f0 * x + (k * x * x) / 2);
      truth[x] = A * Math.sin(phi);
      strain[x] = A * 2 * Math.PI * (f0 + k * x) * Math.cos(phi) * 1e6;
    }
    const rng = mulberry32(5);
    const measured = truth.map((t) => 0.8 * t + 0.002 + 0.001 * gaussian(rng));
    measured[10] = NaN;
    const r = profileErrors(measured, truth, { bins: 4, truthStrain: strain });
    console.log(`\n${formatTable(r.bins.map((b) => ({ x0: b.x0, x1: b.x1, period: b.period, 'expected period': 1 / (f0 + k * (b.x0 + b.x1 - 1) / 2), gain: b.gain, bias: b.bias, rmse: b.rmse })))}`);
    expect([r.overall.n, r.overall.nValid, r.overall.nMissing]).toEqual([n, n - 1, 1]);
    // measured − true = −0.2·truth + 0.002 + noise, and the slow start of the chirp has a non-zero mean.
    const meanTruth = truth.reduce((a, b, i) => (i === 10 ? a : a + b), 0) / (n - 1);
    expect(r.overall.bias).toBeCloseTo(0.002 - 0.2 * meanTruth, 4);
    for (const b of r.bins) {
      expect(b.gain).toBeCloseTo(0.8, 2);
      // The bin averages φ'² over a range of periods: within 10 % of the period at the bin centre.
      const pc = 1 / (f0 + (k * (b.x0 + b.x1 - 1)) / 2);
      expect(Math.abs(b.period / pc - 1)).toBeLessThan(0.1);
    }
    expect(profileErrors(measured, truth).bins[0].period).toBeNaN(); // no strain given
    expect(() => profileErrors(measured, truth.subarray(1))).toThrow(LabError);
  });
});

describe('parseTruthCsv', () => {
  const rowsText = (n: number, eol = '\r\n') =>
    Array.from({ length: n }, (_, x) => `${x},${(0.1 * Math.sin(x)).toExponential(2).toUpperCase()},${x * 10},0,0,0,0`).join(eol) + eol;

  it('reads the headerless CRLF layout of the published file and an optional header', () => {
    const t = parseTruthCsvText(rowsText(20), 'truth.csv');
    expect(t.rows).toBe(20);
    expect(t.x[19]).toBe(19);
    expect(t.u.L1[3]).toBeCloseTo(0.1 * Math.sin(3), 3);
    expect(t.exx.L1[7]).toBe(70);
    const h = parseTruthCsvText(`x,u_L1,exx_L1,u_L3,exx_L3,u_L5,exx_L5\n${rowsText(3, '\n')}`, 'h.csv');
    expect(h.rows).toBe(3);
  });

  it.each([
    ['a wrong header', 'x,u_L3,exx_L3,u_L1,exx_L1,u_L5,exx_L5\n0,0,0,0,0,0,0\n', /line 1: the header is/],
    ['a short row', '0,0,0,0,0,0,0\n1,0,0\n', /line 2: 3 fields instead of 7/],
    ['a non-number', '0,0,0,0,0,0,0\n1,0,abc,0,0,0,0\n', /line 2: field 3 \(exx_L1\) is "abc"/],
    ['a gap in x', '0,0,0,0,0,0,0\n2,0,0,0,0,0,0\n', /line 2: x is 2 where 1 was expected/],
    ['no rows', '\n\n', /no data rows/],
  ])('refuses %s, naming the file and line', (_what, text, pattern) => {
    const run = () => parseTruthCsvText(text, '/data/t.csv');
    expect(run).toThrow(pattern);
    expect(run).toThrow(/"\/data\/t\.csv"/);
  });

  it('reads a file, and names a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-truth-'));
    const p = join(dir, 'truth.csv');
    await writeFile(p, rowsText(5));
    expect((await parseTruthCsv(p)).rows).toBe(5);
    await expect(parseTruthCsv(join(dir, 'nope.csv'))).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringContaining('nope.csv') });
  });
});

describe('formatTable', () => {
  it('aligns numbers right, text left, NaN as a dash', () => {
    const t = formatTable([
      { name: 'zncc', bias: 0.00123456, n: 12 },
      { name: 'icgn-long', bias: -0.5, n: NaN },
    ]);
    console.log(`\n${t}`);
    expect(t.split('\n')).toEqual([
      'name           bias   n',
      'zncc       0.001235  12',
      'icgn-long      -0.5   —',
    ]);
    expect(formatTable([['a', 'b'], [1, 'x']], { gap: ' | ' })).toBe('a | b\n1 | x');
    expect(formatTable([])).toBe('');
    expect([formatNumber(123456.789), formatNumber(1.5e-9), formatNumber(-Infinity), formatNumber(42)]).toEqual(['123500', '1.5e-9', '−∞', '42']);
  });
});
