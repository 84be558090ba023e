/**
 * @file The real renderer in Chromium against the real core through the browser harness: open images
 * (path field and file upload), read native pixel values from the cursor readout, see errors from bad
 * files without losing the app, and see the execution provider in the status bar.
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
