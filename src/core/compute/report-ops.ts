/**
 * @file The compute host's report op (registered in ops.ts): `report.stage` reads the jobs' maps, builds
 * and draws the report job by job and writes its data folder and HTML under temporary names (Note: Report
 * export off the main process, report/write-report.ts). The caller prints the PDF, where the printer
 * lives, and renames the files into place with `finishReport`.
 */
import type { TaskContext } from '../progress';
import { stageReport, type StageReportOptions, type StagedReport } from '../report/write-report';

/** Op `report.stage`: the staged report, without the model (the caller needs only its counts). */
export async function reportStageOp(input: unknown, ctx: TaskContext): Promise<StagedReport> {
  return (await stageReport(input as StageReportOptions, ctx)).staged;
}

export const reportOps = {
  'report.stage': reportStageOp,
};
