/**
 * @file The report end to end on real jobs made by the core (report-fixtures.ts): the model's numbers are
 * result.json's, the ground truth is found by sha256 and the errors are plausible, every figure's data
 * file exists and reads back to what is drawn (copied maps bit-identical, CSVs equal to the plotted
 * values), and the HTML is self-contained: opened in Chromium with every request aborted, it asks for
 * nothing and shows all its figures. The PDF is checked in pdf.test.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../imageio';
import { csvNumber, formatValue, parseCsv } from './format';
import { allFigures, allTables, type ProfileFigure, type ReportModel } from './model';
import { makeReportFixtures, type ReportFixtures } from './report-fixtures';
import { writeReport, type WriteReportResult } from './write-report';

const CHROMIUM = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

let root: string;
let fx: ReportFixtures;
let report: WriteReportResult;
const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
const json = async (p: string) => JSON.parse(await readFile(p, 'utf8'));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lab-report-'));
  fx = await makeReportFixtures(root);
  if (fx.xpciSkipped) console.log(`[report] ${fx.xpciSkipped}`);
  const jobs = [fx.track, ...(fx.xpci ? [fx.xpci] : []), fx.deblur, fx.sr];
  // keepFigureData: the data-file checks below compare drawn pixels with what was written.
  report = await writeReport({ jobDirs: jobs, outHtml: join(root, 'report.html'), title: 'Report test', sample: 'synthetic', operator: 'vitest', truthDir: fx.xpciTruth ?? undefined, keepFigureData: true });
}, 180_000);
afterAll(() => rm(root, { recursive: true, force: true }));

const section = (m: ReportModel, kind: string) => m.sections.find((s) => s.kind === kind)!;

describe('report model', () => {
  it("prints result.json's statistics and finds the simulator's truth by sha256", async () => {
    const m = report.model;
    expect(m.sections.map((s) => s.kind)).toEqual(['track', ...(fx.xpci ? ['xpci'] : []), 'deblur', 'super-resolution']);
    const result = await json(join(fx.track, 'result.json'));
    const stats = allTables(m).find((t) => t.data === 'job1_trk/statistics.csv')!;
    const uRow = stats.rows.find((r) => r[0] === 'u')!;
    // Same values as result.json (NaN outside the ROI, so ROI statistics = the file's), same printing.
    expect(formatValue(uRow[3] as number)).toBe(formatValue(result.summary.u.mean));
    expect(uRow[2]).toBe(result.summary.u.valid);

    const trk = section(m, 'track');
    const titles = trk.subsections.map((s) => s.title);
    expect(titles).toEqual(['Inputs and method', 'Statistics', 'Accuracy against the ground truth', 'Field maps', 'Line profiles', 'Distributions']);
    const truth = allTables(m).find((t) => t.data === 'job1_trk/truth_errors.csv')!;
    expect(truth.caption).toContain(fx.sim);
    const rmseU = truth.rows.find((r) => r[0] === 'u')![4] as number;
    const epe = truth.rows.find((r) => String(r[0]).startsWith('EPE'))!;
    console.log(`[report] icgn on sine:1.5,64 (subset 21): RMSE u ${rmseU.toFixed(4)} px, EPE mean ${(epe[5] as number).toFixed(4)} px at ${epe[2]} grid points`);
    // A 21 px subset attenuates a 64 px sine by about sinc(21/64) ≈ 0.83: RMSE ≈ 0.17·1.5/√2 ≈ 0.18 px.
    expect(rmseU).toBeGreaterThan(0.05);
    expect(rmseU).toBeLessThan(0.3);
    expect(epe[2]).toBeGreaterThan(700);

    const figs = allFigures(m);
    expect(figs.filter((f) => f.type === 'map').length).toBeGreaterThanOrEqual(7 + (fx.xpci ? 6 : 0));
    expect(figs.some((f) => f.type === 'vectors')).toBe(true);
    expect(figs.some((f) => f.type === 'beforeAfter')).toBe(true);
    const prof = figs.find((f) => f.type === 'profile' && f.data[0] === 'job1_trk/profile_u_v.csv') as ProfileFigure;
    expect(prof.series.map((s) => s.name)).toEqual(['u', 'u truth', 'v', 'v truth']);
    expect(prof.caption).toMatch(/u: bias .* RMSE .* px over \d+ points/);
  });

  it('X-ray job: angles in µrad, truth from --truth, profile.csv plotted with the truth', async (ctx) => {
    if (!fx.xpci) {
      console.log(`[report] ${fx.xpciSkipped}`);
      return ctx.skip();
    }
    const m = report.model;
    const result = await json(join(fx.xpci, 'result.json'));
    const stats = allTables(m).find((t) => t.data === 'job2_xpci-job/statistics.csv')!;
    const ax = stats.rows.find((r) => r[0] === 'αx')!;
    expect(ax[1]).toBe('µrad');
    expect(formatValue(ax[3] as number)).toBe(formatValue(result.summary.alpha_x_urad.mean));
    const truth = allTables(m).find((t) => t.data === 'job2_xpci-job/truth_errors.csv')!;
    const rows = Object.fromEntries(truth.rows.map((r) => [String(r[0]), r]));
    console.log(`[report] xpci UMPA vs wave-optics truth: αx RMSE ${formatValue(rows['αx'][4] as number)} µrad (range ±${formatValue(Math.max(Math.abs(result.summary.alpha_x_urad.min), Math.abs(result.summary.alpha_x_urad.max)))}), Φ RMSE ${formatValue(rows['Φ (means removed)'][4] as number)} rad`);
    expect(rows['αx'][4] as number).toBeLessThan(0.2 * Math.max(Math.abs(result.summary.alpha_x_urad.min), result.summary.alpha_x_urad.max));
    const profiles = allFigures(m).filter((f): f is ProfileFigure => f.type === 'profile' && f.data[0].startsWith('job2_'));
    expect(profiles.map((f) => f.series.map((s) => s.name).join(','))).toContain('αx,αx truth,αy,αy truth');
    // The track job's own truth still comes from the simulator: --truth maps have another size.
    expect(allTables(m).find((t) => t.data === 'job1_trk/truth_errors.csv')!.caption).toContain('sha256');
  });
});

describe('restoration sections (real lab deblur / lab sr folders)', () => {
  const dbF = () => `job${fx.xpci ? 3 : 2}_deblur-rl`;
  const srF = () => `job${fx.xpci ? 4 : 3}_sr-bicubic`;
  const restoreSections = () => report.model.sections.filter((s) => s.kind === 'deblur' || s.kind === 'super-resolution');

  it("titles by kind and prints result.json's method, PSF σ, scale, metrics and data range", async () => {
    const [db, sr] = restoreSections();
    expect(db.title).toBe('Deblurring: deblur-rl');
    expect(sr.title).toBe('Super-resolution ×2: sr-bicubic');
    expect(db.subsections.map((s) => s.title)).toEqual(['Inputs and method', 'Quality metrics', 'Grey-level statistics', 'Before and after']);
    const d = await json(join(fx.deblur, 'result.json'));
    const s = await json(join(fx.sr, 'result.json'));
    const kv = (sec: typeof db) => sec.subsections[0].blocks.flatMap((b) => (b.type === 'keyValues' ? b.items : []));
    const dkv = Object.fromEntries(kv(db).map((i) => [i.key, i.value]));
    expect(dkv.Method).toContain('richardson-lucy');
    expect(dkv.PSF).toContain(`σ = ${formatValue(d.parameters.sigmaPx)} px (estimated from the power spectrum)`);
    expect(dkv.Model).toContain('none');
    expect(dkv['Execution provider']).toContain('none');
    expect(dkv.Versions).toContain(`onnxruntime ${d.versions.onnxruntime}`);
    const skv = Object.fromEntries(kv(sr).map((i) => [i.key, i.value]));
    expect(skv.Scale).toBe('×2');
    expect(skv['Blur kernel']).toContain('bicubic down-sampling');
    const inputs = allTables(report.model).find((t) => t.data === `${dbF()}/inputs.csv`)!;
    expect(inputs.rows.map((r) => r[0])).toEqual(['blurry', `sha256 ${d.inputs[0].sha256}`, 'reference', `sha256 ${d.inputs[1].sha256}`]);
    expect(inputs.rows[0][3]).toContain('0.01 µm');
    for (const [sec, r, folder] of [[db, d, dbF()], [sr, s, srF()]] as const) {
      const t = allTables(report.model).find((x) => x.data === `${folder}/metrics.csv`)!;
      expect(t.rows[0][1]).toBe(r.metrics.reference.psnrDb.input);
      expect(t.rows[1][1]).toBe(r.metrics.reference.psnrDb.output);
      expect(t.rows[1][2]).toBe(r.metrics.reference.ssim.output);
      expect(t.rows[1][3]).toBe(r.metrics.sharpness.output.tenengrad);
      expect(t.caption).toContain('data range 255');
      const { rows } = parseCsv(await readFile(join(report.dataDir, folder, 'metrics.csv'), 'utf8'));
      expect(Number(rows[1][1])).toBe(r.metrics.reference.psnrDb.output);
      expect(sec.subsections.some((x) => x.title === 'Before and after')).toBe(true);
    }
    expect(allTables(report.model).find((x) => x.data === `${srF()}/metrics.csv`)!.rows[0][0]).toBe('Bicubic ×2 (baseline)');
    console.log(`[report] deblur RL σ ${formatValue(d.parameters.sigmaPx)} px: PSNR ${formatValue(d.metrics.reference.psnrDb.input)} → ${formatValue(d.metrics.reference.psnrDb.output)} dB; SR bicubic ×2 PSNR ${formatValue(s.metrics.reference.psnrDb.output)} dB`);
  });

  it('before/after data files hold exactly what is drawn: float32 input/output, inset crops, the job file byte for byte', async () => {
    const figs = allFigures(report.model).filter((f) => f.type === 'beforeAfter');
    expect(figs.length).toBe(2);
    for (const [fig, job, folder, k] of [[figs[0], fx.deblur, dbF(), 1], [figs[1], fx.sr, srF(), 2]] as const) {
      if (fig.type !== 'beforeAfter') throw new Error('not a pair');
      const r = await json(join(job, 'result.json'));
      const input = await readImage(r.inputs[0].path);
      const inF32 = await readImage(join(report.dataDir, folder, 'input_float32.tif'));
      expect(inF32.meta.sampleType).toBe('float32');
      expect(Array.from(inF32.data)).toEqual(Array.from(input.data));
      const out = await readImage(join(report.dataDir, folder, 'output_float32.tif'));
      expect([out.width, out.height]).toEqual([r.output.width, r.output.height]);
      expect(Array.from(out.data)).toEqual(Array.from(fig.after.data));
      expect(fig.before.width).toBe(input.width * k);
      expect(await sha(join(report.dataDir, folder, r.output.file))).toBe(r.files.find((f: { name: string }) => f.name === r.output.file).sha256);
      for (const [j, rect] of fig.insets.entries()) {
        const n = String.fromCharCode(65 + j);
        for (const [side, img] of [['before', fig.before], ['after', fig.after]] as const) {
          const c = await readImage(join(report.dataDir, folder, `inset_${n}_${side}.tif`));
          expect([c.width, c.height]).toEqual([rect.width, rect.height]);
          for (const y of [0, rect.height - 1]) for (const x of [0, rect.width - 1]) expect(c.data[y * rect.width + x]).toBe(img.data[(rect.y + y) * img.width + rect.x + x]);
          // pixel repetition: the before crop of a ×2 job is made of 2×2 blocks
          if (side === 'before' && k === 2 && rect.x % 2 === 0 && rect.y % 2 === 0) expect(c.data[1]).toBe(c.data[0]);
        }
        expect(fig.data).toContain(`${folder}/inset_${n}_after.tif`);
      }
    }
  });
});

describe('data folder', () => {
  it('holds every file a figure or table names; copies are bit-identical to the job', async () => {
    const named = [...allFigures(report.model).flatMap((f) => f.data), ...allTables(report.model).flatMap((t) => (t.data ? [t.data] : []))];
    expect(named.length).toBeGreaterThan(30);
    for (const p of named) expect(existsSync(join(report.dataDir, p)), p).toBe(true);
    expect(await sha(join(report.dataDir, 'job1_trk', 'u.tif'))).toBe(await sha(join(fx.track, 'u.tif')));
    const result = await json(join(fx.track, 'result.json'));
    expect(await sha(join(report.dataDir, 'job1_trk', 'v.tif'))).toBe(result.files.find((f: { name: string }) => f.name === 'v.tif').sha256);
    const manifest = await json(join(report.dataDir, 'manifest.json'));
    for (const f of manifest.files) expect(await sha(join(report.dataDir, f.path)), f.path).toBe(f.sha256);
    expect(manifest.files.find((f: { path: string }) => f.path === 'job1_trk/u.tif').usedBy).toContain('Figure 1.1');
  });

  it('CSV files read back to exactly the plotted values', async () => {
    for (const fig of allFigures(report.model)) {
      if (fig.type === 'profile') {
        const { header, rows } = parseCsv(await readFile(join(report.dataDir, fig.data[0]), 'utf8'));
        const first = header.length - fig.series.length;
        expect(rows.length).toBe(fig.x.length);
        fig.series.forEach((s, k) => rows.forEach((r, j) => expect(Object.is(csvNumber(r[first + k]), s.values[j]) || csvNumber(r[first + k]) === s.values[j], `${fig.data[0]} ${header[first + k]} row ${j}`).toBe(true)));
      } else if (fig.type === 'histogram') {
        const { rows } = parseCsv(await readFile(join(report.dataDir, fig.data[0]), 'utf8'));
        expect(rows.map((r) => Number(r[2]))).toEqual(fig.counts);
        expect(rows.map((r) => Number(r[0]))).toEqual(fig.edges.slice(0, -1));
      }
    }
  });
});

describe.skipIf(!HAVE_CHROMIUM)(`HTML in Chromium (${CHROMIUM})`, () => {
  it('is self-contained: no request beyond the file itself, every figure drawn', async () => {
    const html = await readFile(report.html, 'utf8');
    expect(html).not.toMatch(/<script|<link |src="(?!data:)|url\((?!#)/i);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const fileUrl = pathToFileURL(report.html).href;
      const attempted: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url === fileUrl) return route.continue();
        attempted.push(url);
        return route.abort();
      });
      page.on('request', (r) => !r.url().startsWith('data:') && r.url() !== fileUrl && attempted.push(r.url()));
      await page.goto(fileUrl, { waitUntil: 'load' });
      // Counted through locators and a string expression: this file compiles without the DOM library.
      const count = (css: string) => page.locator(css).count();
      const counts = {
        svg: await count('figure svg'),
        svgImages: await count('figure svg image'),
        img: await count('figure img'),
        figures: await count('figure'),
        broken: (await page.evaluate('[...document.images].filter((i) => !i.complete || i.naturalWidth === 0).length')) as number,
        tocTargetsMissing: (await page.evaluate("[...document.querySelectorAll('.toc a')].filter((a) => !document.querySelector(a.hash)).length")) as number,
      };
      const figs = allFigures(report.model);
      const svgFigs = figs.filter((f) => f.type !== 'beforeAfter').length;
      const rasterFigs = figs.filter((f) => f.type === 'map' || f.type === 'vectors').length;
      console.log(`[report] HTML ${(html.length / 1e6).toFixed(2)} MB: ${counts.figures} figures, ${counts.svg} SVG charts (${counts.svgImages} embedded PNG maps), ${counts.img} <img>; requests attempted: ${attempted.length}`);
      expect(attempted).toEqual([]);
      expect(counts.figures).toBe(figs.length);
      expect(counts.svg).toBe(svgFigs);
      expect(counts.svgImages).toBe(rasterFigs);
      expect(counts.img).toBe(2 * (2 + 2 * 2)); // per restoration job: before, after, two insets × (before, after)
      expect(counts.broken).toBe(0);
      expect(counts.tocTargetsMissing).toBe(0);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
