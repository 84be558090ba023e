/**
 * @file `lab report JOBDIR... --out report.html [--pdf report.pdf] ...`: one self-contained HTML report
 * (and optionally its PDF) of one or more job result folders, with the data behind every figure in
 * report_data/ beside the HTML (core/report/write-report.ts). Never overwrites an existing report, data
 * folder or PDF unless --force. A folder that is not a result folder stops it with one line naming it.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { LabError } from '../core/errors';
import { makeProgress } from '../core/progress';
import { writeReport } from '../core/report/write-report';
import { UsageError } from './usage-error';

export const REPORT_USAGE = `  lab report JOBDIR... --out report.html [--pdf report.pdf] [--title T] [--project P] [--sample S]
           [--operator O] [--date D] [--notes FILE|TEXT] [--truth DIR] [--force]
      Report of one or more result folders: a single self-contained HTML file (maps, colour bars,
      profiles, histograms, statistics, accuracy against a ground truth, provenance with sha256) and
      report_data/ beside it with the float32 TIFF maps and CSV data behind every figure; --pdf prints
      it with headless Chromium (page numbers, table of contents with pages; LAB_CHROMIUM = its path).
      The truth is found by itself for jobs whose inputs came from 'lab simulate pair', or given with
      --truth (maps named like the job's: u.tif, v.tif, alpha_x.tif, ...). Folders of 'lab deblur' and
      'lab sr' get a restoration section: method and PSF/kernel, model and provider, PSNR/SSIM/sharpness
      as the job recorded them, and the input beside the output with zoomed insets (an SR input enlarged
      by pixel repetition). --force replaces old outputs.`;

/**
 * --notes: a file when one exists at that path; text otherwise — unless the value looks like a file name
 * (a .txt/.md ending, or a path with no spaces), where a typo should be an error, not the notes.
 */
async function notesArg(value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (existsSync(value) && statSync(value).isFile()) return readFile(value, 'utf8');
  if (/\.(txt|md|text)$/i.test(value) || (/[\\/]/.test(value) && !/\s/.test(value))) {
    throw new LabError('E_NOT_FOUND', `The notes file ${value} does not exist (give a file, or the notes themselves in quotes).`, value);
  }
  return value;
}

export async function runReport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      pdf: { type: 'string' },
      title: { type: 'string' },
      project: { type: 'string' },
      sample: { type: 'string' },
      operator: { type: 'string' },
      date: { type: 'string' },
      notes: { type: 'string' },
      truth: { type: 'string' },
      force: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError('lab report needs at least one job folder');
  if (!values.out) throw new UsageError('lab report needs --out report.html');
  if (!/\.html?$/i.test(values.out)) throw new UsageError(`--out "${values.out}" should end in .html (the report is one HTML file)`);
  if (values.pdf !== undefined && !/\.pdf$/i.test(values.pdf)) throw new UsageError(`--pdf "${values.pdf}" should end in .pdf`);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const show = !values.quiet && process.stderr.isTTY;
  const progress = makeProgress((f, msg) => show && process.stderr.write(`\r${(f * 100).toFixed(0).padStart(3)}% ${msg ?? ''}`.padEnd(70)));
  try {
    const res = await writeReport(
      {
        jobDirs: positionals,
        outHtml: values.out,
        outPdf: values.pdf,
        force: values.force,
        title: values.title,
        project: values.project,
        sample: values.sample,
        operator: values.operator,
        date: values.date,
        notes: await notesArg(values.notes),
        truthDir: values.truth,
      },
      { signal: controller.signal, progress },
    );
    if (show) process.stderr.write('\n');
    for (const w of res.warnings) console.error(`lab: note: ${w}`);
    const rel = (p: string) => relative(process.cwd(), p) || p;
    console.log(`wrote ${rel(res.html)} (${res.model.sections.length} section(s), ${res.figures} figures)`);
    console.log(`  data  ${rel(res.dataDir)} (${res.dataFiles} files, manifest.json)`);
    if (res.pdf) console.log(`  pdf   ${rel(res.pdf)} (${res.pageCount} pages)`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
