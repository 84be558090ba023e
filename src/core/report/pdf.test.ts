/**
 * @file The PDF of a report on real jobs (report-fixtures.ts), printed by headless Chromium: its text
 * (pdftotext) holds result.json's key numbers as the report prints them, the input sha256 and the method;
 * the table of contents shows the page each section starts on (checked against poppler's own reading of
 * the named destinations and against each page's text); every page renders non-blank (pdftoppm). Plus
 * pdf-dests.ts on a hand-made PDF with a nested page tree and a name tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatValue } from './format';
import { tocEntries } from './model';
import { readPdfOutline } from './pdf-dests';
import { makeReportFixtures, type ReportFixtures } from './report-fixtures';
import { writeReport, type WriteReportResult } from './write-report';

const CHROMIUM = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';
const POPPLER = spawnSync('pdftotext', ['-v']).status === 0;
const CAN_PRINT = existsSync(CHROMIUM) && POPPLER;

/** A PDF 1.4 file with a correct xref from object bodies (1-based object numbers). */
function makePdf(objects: string[], root: number): Uint8Array {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, k) => {
    offsets.push(body.length);
    body += `${k + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<</Size ${objects.length + 1} /Root ${root} 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('readPdfOutline', () => {
  it('walks a nested page tree and reads /Dests and a name tree', () => {
    const pdf = makePdf(
      [
        '<</Type /Catalog /Pages 2 0 R /Dests 8 0 R /Names 9 0 R>>',
        '<</Type /Pages /Kids [3 0 R 4 0 R] /Count 3>>',
        '<</Type /Pages /Kids [5 0 R 6 0 R] /Count 2>>',
        '<</Type /Page /Parent 2 0 R>>',
        '<</Type /Page /Parent 3 0 R>>',
        '<</Type /Page /Parent 3 0 R>>',
        '<</Length 0>>',
        '<</sec-1 [6 0 R /XYZ 0 800 0]\n/a#2Db [4 0 R /XYZ 0 800 0]>>',
        '<</Dests 10 0 R>>',
        '<</Names [(tree-dest) [5 0 R /Fit]]>>',
      ],
      1,
    );
    expect(readPdfOutline(pdf)).toEqual({ pageCount: 3, destinations: { 'sec-1': 2, 'a-b': 3, 'tree-dest': 1 } });
  });
});

let root: string;
let fx: ReportFixtures;
let report: WriteReportResult;

describe.skipIf(!CAN_PRINT)(`PDF by headless Chromium (${CHROMIUM})`, () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lab-report-pdf-'));
    fx = await makeReportFixtures(root);
    if (fx.xpciSkipped) console.log(`[report pdf] ${fx.xpciSkipped}`);
    const jobs = [fx.track, ...(fx.xpci ? [fx.xpci] : []), fx.deblur, fx.sr];
    report = await writeReport({
      jobDirs: jobs, outHtml: join(root, 'r.html'), outPdf: join(root, 'r.pdf'), title: 'PDF test', project: 'P-7', sample: 'sine phantom',
      operator: 'vitest', notes: 'Calibration target mounted at 0°.\n\nSecond paragraph.', truthDir: fx.xpciTruth ?? undefined,
    });
  }, 240_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  const text = (first?: number, last?: number) =>
    execFileSync('pdftotext', ['-layout', ...(first ? ['-f', String(first), '-l', String(last ?? first)] : []), report.pdf!, '-'], { encoding: 'utf8' });

  it("holds result.json's key numbers, the input sha256 and the method", async () => {
    const all = text();
    const result = JSON.parse(await readFile(join(fx.track, 'result.json'), 'utf8'));
    for (const needle of ['PDF test', 'P-7', 'sine phantom', 'Calibration target mounted at 0°', 'icgn', result.inputs[0].sha256.slice(0, 16), result.inputs[1].sha256.slice(0, 16),
      formatValue(result.summary.u.mean), formatValue(result.summary.v.std), `Page 1 of ${report.pageCount}`, 'job1_trk/u.tif']) {
      expect(all, needle).toContain(needle);
    }
    if (fx.xpci) {
      const x = JSON.parse(await readFile(join(fx.xpci, 'result.json'), 'utf8'));
      expect(all).toContain('umpa');
      expect(all).toContain(formatValue(x.summary.alpha_x_urad.mean));
    }
    // The restoration jobs: method names, PSF σ, scale, metrics as printed, the model/provider lines.
    const d = JSON.parse(await readFile(join(fx.deblur, 'result.json'), 'utf8'));
    const s = JSON.parse(await readFile(join(fx.sr, 'result.json'), 'utf8'));
    for (const needle of ['Deblurring: deblur-rl', 'Super-resolution ×2: sr-bicubic', 'Richardson–Lucy deconvolution', 'bicubic interpolation', `σ = ${formatValue(d.parameters.sigmaPx)} px`,
      formatValue(d.metrics.reference.psnrDb.input), formatValue(d.metrics.reference.psnrDb.output), formatValue(d.metrics.reference.ssim.output),
      formatValue(s.metrics.reference.psnrDb.output), formatValue(s.metrics.reference.ssim.output), 'Bicubic ×2 (baseline)', d.inputs[0].sha256.slice(0, 16), s.inputs[0].sha256.slice(0, 16),
      'pixel repetition', 'data range 255']) {
      expect(all, needle).toContain(needle);
    }
  });

  it('shows in its table of contents the page each section starts on', () => {
    const outline = readPdfOutline(new Uint8Array(readFileSync(report.pdf!)));
    const info = execFileSync('pdfinfo', ['-dests', report.pdf!], { encoding: 'utf8' });
    const poppler = Object.fromEntries([...info.matchAll(/^\s*(\d+)\s+\[.*\]\s+"([^"]+)"/gm)].map((m) => [m[2], Number(m[1])]));
    expect(outline.destinations).toEqual(poppler);
    expect(outline.pageCount).toBe(Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [report.pdf!], { encoding: 'utf8' }))![1]));
    // The table of contents runs from page 1 on, onto the page of the notes or the first section when long.
    const firstBody = Math.min(outline.destinations.notes ?? Infinity, outline.destinations['sec-1']);
    const toc = text(1, firstBody);
    for (const e of tocEntries(report.model)) {
      const page = outline.destinations[e.id];
      expect(page, e.id).toBeGreaterThan(1);
      const line = toc.split('\n').find((l) => l.includes(e.title) && l.trim().startsWith(e.number))!;
      expect(line, `TOC line of ${e.number} ${e.title}`).toMatch(new RegExp(`\\s${page}\\s*$`));
      if (e.level === 1) expect(text(page), `${e.title} on page ${page}`).toContain(e.title);
    }
    console.log(`[report pdf] ${report.pageCount} pages; sections start on ${tocEntries(report.model).filter((e) => e.level === 1).map((e) => `${e.number}: p. ${outline.destinations[e.id]}`).join(', ')}`);
  });

  it('renders every page non-blank', async () => {
    const dir = join(root, 'pages');
    await mkdir(dir);
    execFileSync('pdftoppm', ['-r', '40', '-png', report.pdf!, join(dir, 'p')]);
    const files = readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    expect(files.length).toBe(report.pageCount);
    const stds = files.map((f) => {
      const png = PNG.sync.read(readFileSync(join(dir, f)));
      let s = 0, s2 = 0;
      const n = png.width * png.height;
      for (let k = 0; k < n; k++) {
        const g = (png.data[4 * k] + png.data[4 * k + 1] + png.data[4 * k + 2]) / 3;
        (s += g), (s2 += g * g);
      }
      return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
    });
    console.log(`[report pdf] grey-level std per page at 40 dpi: ${stds.map((v) => v.toFixed(1)).join(', ')}`);
    for (const [k, v] of stds.entries()) expect(v, `page ${k + 1}`).toBeGreaterThan(4);
  });
});
