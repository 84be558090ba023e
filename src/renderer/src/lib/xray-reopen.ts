/**
 * @file What the X-ray phase form held when a result folder was made, read back from its result.json, so a
 * reopened result shows the geometry, method, step and integrator it ran with. Two kinds of folder come
 * here: an `xpci` run (core/xpci/xpci-task.ts: `method`, `parameters.{step, delta, integrator}`,
 * `geometry.{pixelUm, distanceM, energyKeV, sourceM}` from describeGeometry, `inputs[]` with roles
 * reference / sample) and an `simulate.xpci` phantom (core/xpci/simulate-task.ts: `geometry` and the pair
 * reference.tif / sample.tif in the folder itself).
 */
import { childPath } from './open-result';
import { XRAY_METHODS, type GeometryForm, type XrayIntegrator, type XrayMethod } from './xray';

export interface XrayRunForm {
  geometry: GeometryForm;
  /** null: the folder was made by a method the form does not offer (a watch rule's), left as it is */
  method: XrayMethod | null;
  step: number | null;
  integrator: XrayIntegrator | null;
  refPath: string | null;
  samplePath: string | null;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The geometry recorded in result.json as the form shows it; null when the folder records none. Each number
 * is written in full (the shortest text that reads back as the same double), not rounded like the
 * simulator's suggestion (geometryToForm): running again must use exactly the recorded geometry.
 */
function geometryOf(result: Record<string, unknown>, delta: number | null): GeometryForm | null {
  const g = obj(result.geometry);
  const pixelUm = num(g.pixelUm), distanceM = num(g.distanceM), energyKeV = num(g.energyKeV);
  if (pixelUm === null || distanceM === null || energyKeV === null) return null;
  const t = (v: number | null) => (v === null ? '' : String(v));
  return { pixelUm: t(pixelUm), distanceM: t(distanceM), energyKeV: t(energyKeV), sourceDistanceM: t(num(g.sourceM)), delta: t(delta) };
}

/** The form of an `xpci` or `simulate.xpci` result.json; null when it is neither or lacks its geometry. */
export function xrayFormFromResult(result: Record<string, unknown>, dir: string): XrayRunForm | null {
  if (result.kind === 'simulate.xpci') {
    const geometry = geometryOf(result, null);
    return geometry && { geometry, method: null, step: null, integrator: null, refPath: childPath(dir, 'reference.tif'), samplePath: childPath(dir, 'sample.tif') };
  }
  if (result.kind !== 'xpci') return null;
  const p = obj(result.parameters);
  const geometry = geometryOf(result, num(p.delta));
  if (!geometry) return null;
  const method = XRAY_METHODS.some((m) => m.id === result.method) ? (result.method as XrayMethod) : null;
  const step = num(p.step);
  const inputs = Array.isArray(result.inputs) ? result.inputs.map(obj) : [];
  const pathOf = (role: string) => {
    const i = inputs.find((x) => x.role === role);
    return typeof i?.path === 'string' ? i.path : null;
  };
  return {
    geometry,
    method,
    step: step !== null && Number.isInteger(step) && step >= 1 && step <= 64 ? step : null,
    integrator: p.integrator === 'fc' || p.integrator === 'ls' ? p.integrator : null,
    refPath: pathOf('reference'),
    samplePath: pathOf('sample'),
  };
}
