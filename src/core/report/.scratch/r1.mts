import { writeReport } from '../index';
const r = await writeReport({ jobDirs: process.argv.slice(2), outHtml: '/tmp/rep/out/report.html', outPdf: '/tmp/rep/out/report.pdf', force: true, title: 'Tensile test T-17', project: 'Speckle Lab validation', sample: 'Synthetic sine field', operator: 'A. Tester', truthDir: process.env.TRUTH, notes: 'First paragraph of notes.\nSecond line.\n\nSecond paragraph.' });
console.log(r.html, r.pdf, r.pageCount, r.figures, r.dataFiles, r.warnings);
