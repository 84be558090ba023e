/**
 * @file The drawn ROI polygons kept between launches (localStorage, beside the DIC settings of
 * lib/dic-settings.ts, which keep the rectangle), and the ROI a result folder records, read back into a
 * rectangle and polygons so reopening a result restores what it was measured in. Everything stored or
 * read is parsed with the contract's schemas first: a damaged polygon is dropped, never a crash.
 */
import { RoiPolygonSchema, RoiSchema, ROI_MAX_POLYGONS, ROI_MAX_TOTAL_VERTICES } from '../../../shared/contract';
import { readVersioned } from './persist';
import { noShapes, type RoiPolygon, type RoiShapes } from './roi-polygon';
import type { RoiRect } from './roi';

/** localStorage key; the version is in the value. */
export const ROI_SHAPES_KEY = 'speckle-lab.dic.roi-shapes';
export const ROI_SHAPES_VERSION = 1;

/**
 * The polygons from storage; none for anything missing, unreadable or from another version. Each polygon
 * is judged on its own: a damaged one is dropped, never the list (one bad polygon, or one too many, used to
 * lose them all). What the contract would refuse is cut off in stored order: polygons past ROI_MAX_POLYGONS
 * in a list, and those that would take the region past ROI_MAX_TOTAL_VERTICES (include ones first).
 */
export function loadShapes(storage: Pick<Storage, 'getItem'> | null): RoiShapes {
  const raw = readVersioned(storage, ROI_SHAPES_KEY, ROI_SHAPES_VERSION) as { include?: unknown; exclude?: unknown };
  let budget = ROI_MAX_TOTAL_VERTICES;
  const list = (v: unknown): RoiPolygon[] => {
    if (!Array.isArray(v)) return [];
    const out: RoiPolygon[] = [];
    for (const item of v) {
      if (out.length >= ROI_MAX_POLYGONS) break;
      const p = RoiPolygonSchema.safeParse(item);
      if (!p.success || p.data.points.length > budget) continue;
      budget -= p.data.points.length;
      out.push({ points: p.data.points });
    }
    return out;
  };
  const include = list(raw.include);
  return { include, exclude: list(raw.exclude) };
}

/** Writes the polygons; a full or unavailable storage is not worth interrupting the user for. */
export function saveShapes(storage: Pick<Storage, 'setItem'> | null, shapes: RoiShapes): void {
  try {
    storage?.setItem(ROI_SHAPES_KEY, JSON.stringify({ version: ROI_SHAPES_VERSION, include: shapes.include, exclude: shapes.exclude }));
  } catch (err) {
    console.warn('lab: could not save the ROI polygons', err);
  }
}

/**
 * The rectangle and polygons of a result's `parameters.roi` (null, a rectangle, or a region); null when
 * the value is not an ROI the contract knows, so the caller leaves the drawing alone.
 */
export function roiFromParameters(roi: unknown): { rect: RoiRect | null; shapes: RoiShapes } | null {
  if (roi === null || roi === undefined) return { rect: null, shapes: noShapes() };
  const r = RoiSchema.safeParse(roi);
  if (!r.success) return null;
  const d = r.data;
  if (d.kind !== 'region') return { rect: { x: d.x, y: d.y, width: d.width, height: d.height }, shapes: noShapes() };
  return { rect: d.rect ?? null, shapes: { include: d.include, exclude: d.exclude } };
}

/**
 * A result's `parameters.roi` in words, for provenance tables: "whole image", the rectangle, or what a
 * region is made of; null when the value is not an ROI the contract knows.
 */
export function describeRoi(roi: unknown): string | null {
  const r = roiFromParameters(roi);
  if (!r) return null;
  const { rect, shapes } = r;
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const rectText = rect ? `x ${rect.x}, y ${rect.y}, ${rect.width} × ${rect.height} px` : null;
  if (!shapes.include.length && !shapes.exclude.length) return rectText ?? 'whole image';
  const base = [rectText, shapes.include.length ? n(shapes.include.length, 'polygon', 'polygons') : null].filter(Boolean).join(' + ') || 'whole image';
  return shapes.exclude.length ? `${base} − ${n(shapes.exclude.length, 'exclusion', 'exclusions')}` : base;
}
