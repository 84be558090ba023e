/**
 * @file The real renderer in Chromium against the real core through the browser harness: open images
 * (path field and file upload), read native pixel values from the cursor readout, show an 8192² image at
 * fit, 1:1 and single pixels with the right greys on the canvas, see errors from bad files without losing
 * the app, and see the execution provider in the status bar.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage, writeTiff16, writeTiffFloat32 } from '../../src/core/imageio';
import { SHARED, SHARED_NOTE, sharedPath } from '../../test/shared-data';
import { expect, SCREENSHOTS, test } from '../fixtures';

/** A float image whose every pixel is distinct and predictable: v = 1000·x + y + 0.25. */
function rampImage(width: number, height: number) {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 1000 * x + y + 0.25;
  return { width, height, data };
}

test('opens a float32 TIFF by path and reads native pixel values under the cursor', async ({ viewer, workDir }) => {
  const path = join(workDir, 'ramp.tif');
  await writeTiffFloat32(path, rampImage(64, 48), { overwrite: true });
  await viewer.openPath(path);
  await viewer.expectSize(64, 48);
  for (const [x, y] of [
    [0, 0],
    [63, 47],
    [17, 5],
  ]) {
    const r = await viewer.readPixel(x, y);
    expect(r.value, `readout at (${x}, ${y}) was "${r.text}"`).toBeCloseTo(1000 * x + y + 0.25, 3);
  }
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'viewer-ramp.png') });
});

test('zooms to single pixels and still reads the right pixel', async ({ viewer, workDir }) => {
  const path = join(workDir, 'ramp16.tif');
  const img = rampImage(40, 30);
  for (let i = 0; i < img.data.length; i++) img.data[i] = Math.floor(img.data[i] / 10); // fits 16 bits
  await writeTiff16(path, img, { overwrite: true });
  await viewer.openPath(path);
  await viewer.expectSize(40, 30);
  await viewer.zoomIn(4);
  const scale = Number(await viewer.canvas.getAttribute('data-view-scale'));
  expect(scale).toBeGreaterThan(8);
  // After zooming about the cursor the centre pixels are visible; read one near the middle.
  const r = await viewer.readPixel(20, 15);
  expect(r.value).toBe(Math.floor((1000 * 20 + 15 + 0.25) / 10));
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'viewer-zoomed.png') });
});

/**
 * 8192² uint16 with a one-pixel checkerboard on a gentle ramp: v = 4x + 2y + 8000·((x + y) mod 2). Every pixel
 * differs from its neighbours, and any view that samples instead of averaging shows the checkerboard's
 * aliasing instead of the ramp.
 */
const BIG = 8192;
const bigValue = (x: number, y: number) => 4 * x + 2 * y + 8000 * ((x + y) & 1);
/** The grey renderGrey (lib/contrast.ts) gives value v in the window [lo, hi]. */
const greyOf = (v: number, lo: number, hi: number) => Math.min(255, Math.max(0, Math.floor(((v - lo) * 255) / (hi - lo) + 0.5)));

test('an 8192² image fits, zooms down to single pixels and pans, with the right values and greys', async ({ viewer, workDir }) => {
  test.setTimeout(240_000);
  const path = join(workDir, 'big8k.tif');
  const data = new Float32Array(BIG * BIG);
  for (let y = 0; y < BIG; y++) for (let x = 0; x < BIG; x++) data[y * BIG + x] = bigValue(x, y);
  await writeTiff16(path, { width: BIG, height: BIG, data }, { overwrite: true });

  await viewer.openPath(path);
  await viewer.expectSize(BIG, BIG);
  const [lo, hi] = [0, 65535];
  await viewer.setContrast(lo, hi);
  await viewer.waitForPicture();

  // Fit: the whole image from a coarse pyramid level, each screen pixel the box mean of ~10×10 image pixels,
  // so the checkerboard averages to its mean (+4000) instead of aliasing to 0 or 8000.
  await viewer.page.keyboard.press('f');
  await expect(viewer.canvas).toHaveAttribute('data-drawn', /^[1-9]\d*$/);
  const fit = await viewer.view();
  expect(fit.scale).toBeLessThan(0.15);
  for (const [x, y] of [
    [4096, 4096],
    [1500, 6500],
    [7000, 900],
  ]) {
    const [r, g, b] = await viewer.canvasPixelAt(x, y);
    const mean = greyOf(4 * x + 2 * y + 4000, lo, hi);
    expect([r, g], `grey at (${x}, ${y}) at fit`).toEqual([b, b]);
    expect(Math.abs(b - mean), `grey ${b} at (${x}, ${y}) at fit, box mean ${mean}`).toBeLessThanOrEqual(2);
  }
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'viewer-8k-fit.png') });

  // 1:1 about the centre, on whole-pixel offsets: level-0 tiles, every screen pixel one image pixel; the
  // 4096 column and row are tile edges, so this also checks that tiles meet without a seam or a shift.
  await viewer.page.keyboard.press('1');
  await expect(viewer.canvas).toHaveAttribute('data-view-scale', '1');
  await expect(viewer.canvas).toHaveAttribute('data-drawn', '0');
  for (const [x, y] of [
    [4095, 4095],
    [4096, 4095],
    [4095, 4096],
    [4096, 4096],
    [4100, 4003],
  ]) {
    const [, , b] = await viewer.canvasPixelAt(x, y);
    expect(b, `grey at (${x}, ${y}) at 1:1`).toBe(greyOf(bigValue(x, y), lo, hi));
  }

  // Down to single pixels (past the pixel grid scale), then pan a few pixels' worth diagonally.
  await viewer.zoomIn(12);
  const zoomed = await viewer.view();
  expect(zoomed.scale).toBeGreaterThanOrEqual(32);
  await expect(viewer.canvas).toHaveAttribute('data-drawn', 'pixels');
  await viewer.pan(-5.5 * zoomed.scale, 3.25 * zoomed.scale);
  const panned = await viewer.view();
  expect(panned.offsetX).toBeCloseTo(zoomed.offsetX - 5.5 * zoomed.scale, 3);
  expect(panned.offsetY).toBeCloseTo(zoomed.offsetY + 3.25 * zoomed.scale, 3);
  const box = (await viewer.canvas.boundingBox())!;
  const cx = Math.floor((box.width / 2 - panned.offsetX) / panned.scale);
  const cy = Math.floor((box.height / 2 - panned.offsetY) / panned.scale);
  expect(Math.abs(cx - 4096)).toBeLessThan(20);
  expect(Math.abs(cy - 4096)).toBeLessThan(20);
  for (const [x, y] of [
    [cx, cy],
    [cx + 1, cy],
    [cx - 2, cy + 1],
  ]) {
    const r = await viewer.readPixel(x, y);
    expect(r.value, `readout at (${x}, ${y})`).toBe(bigValue(x, y));
    const [red, green, blue] = await viewer.canvasPixelAt(x, y);
    expect([red, green, blue], `grey at (${x}, ${y}) zoomed in`).toEqual(Array(3).fill(greyOf(bigValue(x, y), lo, hi)));
  }
  await viewer.page.screenshot({ path: join(SCREENSHOTS, 'viewer-8k-pixels.png') });
});

test('uploads a file through the file picker (how a browser opens local files)', async ({ viewer, workDir }) => {
  const path = join(workDir, 'upload-me.tif');
  await writeTiffFloat32(path, rampImage(32, 16), { overwrite: true });
  await viewer.page.getByTestId('nav-viewer').click();
  await viewer.page.getByTestId('file-input').setInputFiles(path);
  await viewer.expectSize(32, 16);
  const r = await viewer.readPixel(3, 2);
  expect(r.value).toBeCloseTo(3002.25, 3);
});

test('a bad file gives a clear error naming it, and the app keeps working', async ({ viewer, workDir }) => {
  const bad = join(workDir, 'notes.tif');
  await writeFile(bad, 'this is a text file, not a TIFF\n');
  await viewer.openPath(bad);
  await expect(viewer.page.getByTestId('error-banner')).toContainText('notes.tif');
  const good = join(workDir, 'after-error.tif');
  await writeTiffFloat32(good, rampImage(20, 10), { overwrite: true });
  await viewer.openPath(good);
  await viewer.expectSize(20, 10);
});

test('the status bar shows ONNX Runtime and the execution provider that actually ran', async ({ viewer }) => {
  await expect(viewer.page.getByTestId('status-transport')).toContainText(/harness/i);
  await expect(viewer.page.getByTestId('status-ort')).toContainText(/\d+\.\d+/);
  // This machine has no GPU: the probe must fall back to, and report, the CPU provider.
  await expect(viewer.page.getByTestId('status-provider')).toContainText(/cpu/i);
});

test.describe(`real X-ray speckle image ${SHARED_NOTE}`, () => {
  test.skip(!SHARED, `../shared/data is absent: ${SHARED_NOTE}`);
  test('opens the big-endian float32 sample and reads the file\'s own values', async ({ viewer }) => {
    const path = sharedPath('xpci', 'tiepy', 'sample.tif');
    const ref = await readImage(path);
    await viewer.openPath(path);
    await viewer.expectSize(ref.width, ref.height);
    for (const [x, y] of [
      [100, 50],
      [700, 150],
    ]) {
      const r = await viewer.readPixel(x, y);
      const expected = ref.data[y * ref.width + x];
      expect(Math.abs(r.value - expected), `(${x}, ${y}): UI "${r.text}", file ${expected}`).toBeLessThan(
        Math.abs(expected) * 1e-4 + 1e-6,
      );
    }
    await viewer.page.screenshot({ path: join(SCREENSHOTS, 'viewer-xpci-sample.png') });
  });
});
