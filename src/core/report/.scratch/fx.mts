import { makeReportFixtures } from '../report-fixtures';
import { writeReport } from '../write-report';
import { rm, mkdir } from 'node:fs/promises';
await rm('/tmp/rep/fx', { recursive: true, force: true }); await mkdir('/tmp/rep/fx');
const fx = await makeReportFixtures('/tmp/rep/fx');
const t0 = Date.now();
const r = await writeReport({ jobDirs: [fx.track, fx.xpci!, fx.restore, fx.sim], outHtml: '/tmp/rep/fx/report.html', outPdf: '/tmp/rep/fx/report.pdf', truthDir: fx.xpciTruth!, title: 'Fixture report', notes: 'x' });
console.log(Date.now() - t0, 'ms', r.pageCount, r.warnings);
