import { describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import {
  clampView,
  fitView,
  imageToScreen,
  MAX_SCALE,
  oneToOneView,
  pixelAt,
  screenToImage,
  useViewport,
  zoomAbout,
  zoomStep,
  type Size,
  type View,
} from './useViewport';

const img: Size = { width: 830, height: 192 };
const vp: Size = { width: 1000, height: 600 };

describe('viewport math', () => {
  it('screenToImage and imageToScreen are inverse', () => {
    const v: View = { scale: 3.7, offsetX: -12.5, offsetY: 40 };
    const p = screenToImage(v, 123.4, 56.7);
    const q = imageToScreen(v, p.x, p.y);
    expect(q.x).toBeCloseTo(123.4, 10);
    expect(q.y).toBeCloseTo(56.7, 10);
  });

  it('fitView centres the whole image inside the padded viewport', () => {
    const v = fitView(img, vp, 8);
    expect(v.scale).toBeCloseTo(984 / 830, 12);
    expect(v.offsetX + (img.width * v.scale) / 2).toBeCloseTo(500, 9);
    expect(v.offsetY + (img.height * v.scale) / 2).toBeCloseTo(300, 9);
    expect(v.offsetX).toBeCloseTo(8, 9);
  });

  it('pixelAt floors to integer column/row and is null outside', () => {
    const v: View = { scale: 10, offsetX: 5, offsetY: 7 };
    expect(pixelAt(v, 5, 7, img)).toEqual({ x: 0, y: 0 });
    expect(pixelAt(v, 14.99, 16.99, img)).toEqual({ x: 0, y: 0 });
    expect(pixelAt(v, 15, 17, img)).toEqual({ x: 1, y: 1 });
    expect(pixelAt(v, 4.99, 7, img)).toBeNull();
    expect(pixelAt(v, 5 + 830 * 10, 7, img)).toBeNull();
    expect(pixelAt(v, 5 + 829 * 10 + 9.9, 7 + 191 * 10 + 9.9, img)).toEqual({ x: 829, y: 191 });
  });

  it('zoomAbout keeps the image point under the cursor fixed', () => {
    const v: View = { scale: 1.3, offsetX: 20, offsetY: -30 };
    const before = screenToImage(v, 400, 250);
    const z = zoomAbout(v, 17, 400, 250);
    const after = screenToImage(z, 400, 250);
    expect(z.scale).toBe(17);
    expect(after.x).toBeCloseTo(before.x, 10);
    expect(after.y).toBeCloseTo(before.y, 10);
  });

  it('clampView keeps part of the image on screen', () => {
    const v: View = { scale: 2, offsetX: -5000, offsetY: 5000 };
    const c = clampView(v, img, vp, 48);
    expect(c.offsetX + img.width * 2).toBe(48); // right edge 48 px inside the left border
    expect(c.offsetY).toBe(600 - 48); // top edge 48 px above the bottom border
    const inside: View = { scale: 1, offsetX: 10, offsetY: 10 };
    expect(clampView(inside, img, vp)).toEqual(inside);
  });

  it('zoomStep walks the powers of sqrt(2) and snaps arbitrary scales onto them', () => {
    expect(zoomStep(1, 1)).toBeCloseTo(Math.SQRT2, 12);
    expect(zoomStep(Math.SQRT2, 1)).toBeCloseTo(2, 12);
    expect(zoomStep(1, -1)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(zoomStep(1.1, 1)).toBeCloseTo(Math.SQRT2, 12);
    expect(zoomStep(1.1, -1)).toBeCloseTo(1, 12);
    expect(zoomStep(2 ** 0.5 * 2 ** 0.5, -1)).toBeCloseTo(Math.SQRT2, 12);
  });

  it('oneToOneView is scale 1 about the centre on whole pixels', () => {
    const v = oneToOneView({ scale: 0.37, offsetX: 11.3, offsetY: 2.2 }, vp);
    expect(v.scale).toBe(1);
    expect(Number.isInteger(v.offsetX) && Number.isInteger(v.offsetY)).toBe(true);
  });
});

describe('useViewport', () => {
  it('fits once sizes are known, follows resizes while fitted, clamps zoom', async () => {
    const state = { view: ref<View | null>(null), followFit: ref(false) };
    const size = ref<Size | null>(img);
    const v = useViewport(state, size);
    v.viewportSize.value = { width: 1000, height: 600 };
    await nextTick();
    expect(state.view.value).toEqual(fitView(img, vp));
    expect(state.followFit.value).toBe(true);

    v.viewportSize.value = { width: 500, height: 600 };
    await nextTick();
    expect(state.view.value!.scale).toBeCloseTo(484 / 830, 12);

    v.zoomTo(1e6, 100, 100);
    expect(state.view.value!.scale).toBe(MAX_SCALE);
    expect(state.followFit.value).toBe(false);

    v.oneToOne();
    expect(state.view.value!.scale).toBe(1);
    v.zoomIn();
    v.zoomIn();
    expect(state.view.value!.scale).toBeCloseTo(2, 12);

    // the pixel under a point is what the transform says
    const s = state.view.value!;
    const p = v.pixelUnder(s.offsetX + 2 * 10.5, s.offsetY + 2 * 3.2);
    expect(p).toEqual({ x: 10, y: 3 });
  });
});
