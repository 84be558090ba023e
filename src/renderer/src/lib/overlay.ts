/**
 * @file Drawing on top of an image canvas, in CSS px with the view transform (see Note: Viewer coordinates,
 * in composables/useViewport.ts): the ROI rectangle with its handles, and the vector (quiver) arrows.
 * Called from ImageCanvas overlays with the context already scaled for the device pixel ratio.
 */
import type { OverlayContext } from './canvas-types';
import { imageToScreen } from '../composables/useViewport';
import { arrowHead, thinning, type Quiver } from './quiver';
import type { RoiRect } from './roi';

export const ROI_COLOUR = '#ffb020';
export const ARROW_COLOUR = '#ffe14d';

/**
 * The ROI: the outside dimmed, the outline, and (when editable) square handles at the corners and edge
 * centres; `label` goes above the top-left corner.
 */
export function drawRoi(ctx: CanvasRenderingContext2D, t: OverlayContext, r: RoiRect, opts: { editable: boolean; label?: string; dim?: boolean }): void {
  const a = imageToScreen(t.view, r.x, r.y);
  const b = imageToScreen(t.view, r.x + r.width, r.y + r.height);
  const px = 1 / t.dpr;
  if (opts.dim !== false) {
    ctx.fillStyle = 'rgba(10, 12, 14, 0.45)';
    ctx.beginPath();
    ctx.rect(0, 0, t.css.width, t.css.height);
    ctx.rect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.fill('evenodd');
  }
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = 'rgba(0,0,0,0.7)';
  ctx.strokeRect(a.x - px, a.y - px, b.x - a.x + 2 * px, b.y - a.y + 2 * px);
  ctx.strokeStyle = ROI_COLOUR;
  ctx.setLineDash(opts.editable ? [] : [6, 4]);
  ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
  ctx.setLineDash([]);
  if (opts.editable) {
    const hs = 4;
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    for (const [x, y] of [
      [a.x, a.y],
      [b.x, a.y],
      [a.x, b.y],
      [b.x, b.y],
      [mx, a.y],
      [mx, b.y],
      [a.x, my],
      [b.x, my],
    ]) {
      ctx.fillStyle = ROI_COLOUR;
      ctx.fillRect(x - hs, y - hs, 2 * hs, 2 * hs);
      ctx.strokeStyle = 'rgba(0,0,0,0.8)';
      ctx.lineWidth = 1;
      ctx.strokeRect(x - hs, y - hs, 2 * hs, 2 * hs);
    }
  }
  if (opts.label) {
    ctx.font = '11px system-ui, sans-serif';
    const w = ctx.measureText(opts.label).width + 8;
    const y = a.y - 18 >= 0 ? a.y - 18 : a.y + 2;
    ctx.fillStyle = 'rgba(20, 22, 25, 0.85)';
    ctx.fillRect(a.x, y, w, 16);
    ctx.fillStyle = ROI_COLOUR;
    ctx.fillText(opts.label, a.x + 4, y + 12);
  }
}

/**
 * The arrows of `q` that are on screen, thinned for the zoom, each drawn twice (a dark halo, then the
 * colour) so they read on grey speckle and on every heat-map colour. Returns the spacing actually drawn (px).
 */
export function drawQuiver(ctx: CanvasRenderingContext2D, t: OverlayContext, q: Quiver, factor: number): number {
  const k = thinning(q.spacing, t.view.scale);
  const s = t.view.scale;
  const margin = q.spacing * k * s + 20;
  const segs: number[] = [];
  for (let n = 0; n < q.n; n++) {
    if (q.gi[n] % k !== 0 || q.gj[n] % k !== 0) continue;
    const p = imageToScreen(t.view, q.px[n] + 0.5, q.py[n] + 0.5);
    if (p.x < -margin || p.y < -margin || p.x > t.css.width + margin || p.y > t.css.height + margin) continue;
    const x1 = p.x + factor * q.dx[n] * s;
    const y1 = p.y + factor * q.dy[n] * s;
    segs.push(p.x, p.y, x1, y1);
  }
  const path = () => {
    ctx.beginPath();
    for (let i = 0; i < segs.length; i += 4) {
      const [x0, y0, x1, y1] = [segs[i], segs[i + 1], segs[i + 2], segs[i + 3]];
      const h = arrowHead(x0, y0, x1, y1);
      if (!h) {
        ctx.moveTo(x0 + 1.5, y0);
        ctx.arc(x0, y0, 1.5, 0, 2 * Math.PI);
        continue;
      }
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.moveTo(h[0], h[1]);
      ctx.lineTo(x1, y1);
      ctx.lineTo(h[2], h[3]);
    }
  };
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  path();
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.75)';
  ctx.lineWidth = 3.2;
  ctx.stroke();
  ctx.strokeStyle = ARROW_COLOUR;
  ctx.lineWidth = 1.4;
  ctx.stroke();
  return q.spacing * k;
}
