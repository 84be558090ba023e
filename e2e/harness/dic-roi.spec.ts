/**
 * @file Polygon ROI with an exclusion, end to end: the real renderer in Chromium against the real core. A
 * concave polygon and a hatched exclusion inside it are drawn by clicking on the reference (closed on the
 * first vertex, by a double click; another is abandoned with Esc, one closed with Enter and deleted), one
 * vertex is dragged, the pixel count in the panel must equal the shared rasteriser's, and a ZNCC run must leave u.tif
 * NaN at every pixel outside the polygon or inside the exclusion (the readout says "not measured" there)
 * and measured inside. result.json records the region as sent; reopening the result draws it back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countSelected, rasteriseRegion } from '../../src/shared/roi-raster';
import { readImage, writeTiffFloat32 } from '../../src/core/imageio';
import { quietContext } from '../../src/core/progress';
import { simulatePair } from '../../src/core/synth';
import { expect, SCREENSHOTS, test } from '../fixtures';
import { DicPage } from '../pages/dic-page';

const TRUTH = { u: 1.3, v: -0.6 };
const W = 192;
const H = 160;

const POLYGON: [number, number][] = [[30, 20], [170, 25], [160, 140], [100, 100], [25, 135]];
const EXCLUSION: [number, number][] = [[60, 45], [100, 45], [100, 75], [60, 75]];
/** the polygon after dragging its third vertex */
const EDITED: [number, number][] = [[30, 20], [170, 25], [168, 142], [100, 100], [25, 135]];

test('draw a polygon with an exclusion, run ZNCC: blank outside and in the hole, measured inside', async ({ viewer, workDir }) => {
  const pair = await simulatePair(
    { width: W, height: H, speckleSize: 4, noise: { kind: 'none' }, field: { kind: 'constant', ux: TRUTH.u, uy: TRUTH.v }, seed: 3 },
    quietContext(),
  );
  const ref = join(workDir, 'roi-poly-ref.tif');
  const def = join(workDir, 'roi-poly-def.tif');
  await writeTiffFloat32(ref, pair.reference, { overwrite: true });
  await writeTiffFloat32(def, pair.deformed, { overwrite: true });

  const dic = new DicPage(viewer.page);
  await dic.open();
  await dic.loadPair(ref, def);
  await dic.drawPolygon(POLYGON, { tool: 'polygon', close: 'first' });
  await expect(dic.id('dic-roi-shape-include-1')).toContainText('5 vertices');
  await dic.drawPolygon(EXCLUSION, { tool: 'exclude', close: 'dblclick' });
  await expect(dic.id('dic-roi-shape-exclude-1')).toContainText('4 vertices');

  // Esc abandons a half-drawn polygon; Enter closes one; its ✕ deletes it
  await dic.drawPolygon([[150, 120], [185, 120], [185, 155]], {
    tool: 'polygon',
    close: 'escape',
    beforeClose: async () => {
      const p = await dic.pointAt('dic-ref-canvas', 160, 150);
      await viewer.page.mouse.move(p.px, p.py, { steps: 2 });
      await expect(dic.id('dic-tool-hint')).toContainText('Esc cancels');
      await viewer.page.screenshot({ path: join(SCREENSHOTS, 'dic-roi-polygon-draft.png') });
    },
  });
  await expect(dic.id('dic-roi-shape-include-2')).toHaveCount(0);
  await dic.drawPolygon([[150, 120], [185, 120], [185, 155]], { tool: 'polygon', close: 'enter' });
  await expect(dic.id('dic-roi-shape-include-2')).toContainText('3 vertices');
  await dic.id('dic-roi-delete-include-2').click();
  await expect(dic.id('dic-roi-shape-include-2')).toHaveCount(0);

  const fmt = (n: number) => n.toLocaleString('en-GB');
  const countOf = (include: [number, number][]) => countSelected(rasteriseRegion({ include: [{ points: include }], exclude: [{ points: EXCLUSION }] }, W, H));
  await expect(dic.id('dic-roi-pixels')).toContainText(`${fmt(countOf(POLYGON))} of ${fmt(W * H)} pixels selected`);
  await dic.id('dic-tool-pan').click();
  await dic.dragVertex(POLYGON[2], EDITED[2]);
  await expect(dic.id('dic-roi-pixels')).toContainText(`${fmt(countOf(EDITED))} of ${fmt(W * H)} pixels selected`);
  await expect(dic.id('dic-roi-summary')).toContainText('in a polygon and in no exclusion');
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'dic-roi-polygon.png') });

  await dic.setMethod('zncc', { window: 21, search: 4, step: 4 });
  await dic.run('done');
  const dir = await dic.resultDir();
  const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
  expect(result.parameters.roi).toEqual({ kind: 'region', include: [{ points: EDITED }], exclude: [{ points: EXCLUSION }] });

  const u = (await readImage(join(dir, 'u.tif'))).data;
  const mask = rasteriseRegion(result.parameters.roi, W, H);
  let outsideMeasured = 0;
  for (let k = 0; k < W * H; k++) if (!mask[k] && !Number.isNaN(u[k])) outsideMeasured++;
  expect(outsideMeasured, 'pixels outside the region with a value').toBe(0);

  // grid points (every 4 px from the origin): in the exclusion, in the polygon's notch, and inside
  const hole = await dic.readAt('dic-map-canvas', 80, 60);
  const notch = await dic.readAt('dic-map-canvas', 100, 128);
  const inside = await dic.readAt('dic-map-canvas', 140, 60);
  expect(mask[60 * W + 80]).toBe(0);
  expect(mask[128 * W + 100]).toBe(0);
  expect(mask[60 * W + 140]).toBe(1);
  expect(hole.uText).toBe('not measured');
  expect(notch.uText).toBe('not measured');
  expect(Number.isNaN(u[60 * W + 80]) && Number.isNaN(u[128 * W + 100])).toBe(true);
  expect(inside.u).toBe(u[60 * W + 140]);
  expect(Math.abs(inside.u - TRUTH.u)).toBeLessThan(0.05);
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'dic-roi-polygon-result.png') });

  // reopening the result puts the region back on the reference
  await dic.id('dic-roi-clear').click();
  await expect(dic.id('dic-roi-shape-include-1')).toHaveCount(0);
  await dic.id('dic-result-path').fill(dir);
  await dic.id('dic-result-open').click();
  await expect(dic.id('dic-roi-shape-include-1')).toContainText('5 vertices');
  await expect(dic.id('dic-roi-shape-exclude-1')).toContainText('4 vertices');
});
