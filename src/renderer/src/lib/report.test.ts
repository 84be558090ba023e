/**
 * @file The report export form's plain functions: which jobs can be reported, the default file beside the
 * results folder, each mistake under its own field, and the `report.export` input the form becomes.
 */
import { describe, expect, it } from 'vitest';
import { calls } from '../../../shared/contract';
import { dataDirFor, defaultReportForm, defaultReportPath, parentDir, pdfPathFor, reportable, toReportInput, validateReportForm } from './report';

const NOW = new Date(2026, 10, 21, 9, 5);

describe('report form', () => {
  it('reports only done jobs with a result folder', () => {
    expect(reportable({ state: 'done', resultDir: '/r/a' })).toBe(true);
    expect(reportable({ state: 'done', resultDir: null })).toBe(false);
    expect(reportable({ state: 'failed', resultDir: '/r/a' })).toBe(false);
  });

  it('proposes a dated report beside the results folder, either separator', () => {
    expect(parentDir('/home/me/results/2026-track/')).toBe('/home/me/results');
    expect(defaultReportPath('/home/me/results/2026-track', NOW)).toBe('/home/me/results/report-20261121-0905.html');
    expect(defaultReportPath('C:\\Users\\me\\results\\job1', NOW)).toBe('C:\\Users\\me\\results\\report-20261121-0905.html');
    expect(defaultReportPath(null, NOW)).toBe('report-20261121-0905.html');
    expect(pdfPathFor('/a/r.html')).toBe('/a/r.pdf');
    expect(dataDirFor('/a/r.html')).toBe('/a/r_data');
  });

  it('puts each mistake under its field', () => {
    const ok = defaultReportForm('/r/job', NOW);
    expect(validateReportForm(ok, 2)).toEqual({});
    expect(validateReportForm(ok, 0).jobs).toMatch(/at least one/);
    expect(validateReportForm({ ...ok, title: ' ' }, 1).title).toMatch(/title/);
    expect(validateReportForm({ ...ok, outPath: 'report.html' }, 1).outPath).toMatch(/full path/);
    expect(validateReportForm({ ...ok, outPath: '/r/report.pdf' }, 1).outPath).toMatch(/\.html/);
    expect(validateReportForm({ ...ok, outPath: 'D:\\reports\\r.html' }, 1)).toEqual({});
  });

  it('becomes a valid report.export input (blank fields left out)', () => {
    const input = toReportInput({ ...defaultReportForm('/r/job', NOW), operator: '  Ann ', notes: '' }, [3, 1], 'report-1');
    expect(input).toMatchObject({ jobIds: [3, 1], operator: 'Ann', sample: undefined, notes: undefined, pdf: true, force: false });
    expect(calls['report.export'].input.safeParse(input).success).toBe(true);
  });
});
