/**
 * @file What each map of a result folder is, as the report shows it: symbol, title, display unit and the
 * factor from the stored unit (angles are stored in rad and shown in µrad, thickness in m shown in µm, as
 * DESIGN "Physical units at the edges" asks), whether it is signed (diverging colours about zero), and
 * which maps each job kind puts in the report, in order. Maps a kind does not list still go to the data
 * folder; unknown kinds show every map they have, so a new job kind gets a usable report before anyone
 * writes a section for it.
 */

export interface Quantity {
  /** file stem in the result folder (u for u.tif), or a derived key (magnitude) */
  key: string;
  /** short symbol for axes and table rows, plain Unicode (no markup) */
  symbol: string;
  /** what it is, for figure titles */
  title: string;
  /** display unit; '' = dimensionless */
  unit: string;
  /** display value = stored value × scale */
  scale: number;
  /** signed quantities get the diverging map, symmetric about zero, when their range spans zero */
  signed: boolean;
  /** grey-level images (speckle, SEM) get a grey ramp rather than a colour map */
  grey?: boolean;
}

const Q: Quantity[] = [
  { key: 'u', symbol: 'u', title: 'Displacement u along x', unit: 'px', scale: 1, signed: true },
  { key: 'v', symbol: 'v', title: 'Displacement v along y', unit: 'px', scale: 1, signed: true },
  { key: 'magnitude', symbol: '|u|', title: 'Displacement magnitude √(u² + v²)', unit: 'px', scale: 1, signed: false },
  { key: 'exx', symbol: 'εxx', title: 'Strain εxx', unit: '', scale: 1, signed: true },
  { key: 'eyy', symbol: 'εyy', title: 'Strain εyy', unit: '', scale: 1, signed: true },
  { key: 'exy', symbol: 'εxy', title: 'Shear strain εxy', unit: '', scale: 1, signed: true },
  { key: 'quality', symbol: 'quality', title: 'Tracking quality', unit: '', scale: 1, signed: false },
  { key: 'iterations', symbol: 'iterations', title: 'IC-GN iterations', unit: '', scale: 1, signed: false },
  { key: 'alpha_x', symbol: 'αx', title: 'Refraction angle αx', unit: 'µrad', scale: 1e6, signed: true },
  { key: 'alpha_y', symbol: 'αy', title: 'Refraction angle αy', unit: 'µrad', scale: 1e6, signed: true },
  { key: 'phase', symbol: 'Φ', title: 'Phase shift Φ', unit: 'rad', scale: 1, signed: false },
  { key: 'thickness', symbol: 't', title: 'Projected thickness', unit: 'µm', scale: 1e6, signed: true },
  { key: 'transmission', symbol: 'T', title: 'Transmission', unit: '', scale: 1, signed: false },
  { key: 'darkfield', symbol: 'D', title: 'Dark-field (visibility ratio)', unit: '', scale: 1, signed: false },
  { key: 'dphi_dx', symbol: '∂Φ/∂x', title: 'Differential phase along x', unit: 'rad/px', scale: 1, signed: true },
  { key: 'dphi_dy', symbol: '∂Φ/∂y', title: 'Differential phase along y', unit: 'rad/px', scale: 1, signed: true },
  { key: 'reference', symbol: 'I_ref', title: 'Reference image', unit: 'grey', scale: 1, signed: false, grey: true },
  { key: 'deformed', symbol: 'I_def', title: 'Deformed image', unit: 'grey', scale: 1, signed: false, grey: true },
  { key: 'sample', symbol: 'I_sample', title: 'Sample image', unit: 'grey', scale: 1, signed: false, grey: true },
];
const BY_KEY = new Map(Q.map((q) => [q.key, q]));

/** The quantity of a map stem; unknown stems get a neutral description so nothing is ever dropped. */
export function quantityOf(key: string): Quantity {
  return BY_KEY.get(key) ?? { key, symbol: key, title: key, unit: '', scale: 1, signed: false };
}

/** Maps shown as figures, in this order, per job kind (those the folder has; 'magnitude' is derived). */
export const SHOWN_MAPS: Record<string, string[]> = {
  track: ['u', 'v', 'magnitude', 'exx', 'eyy', 'exy', 'quality', 'transmission', 'darkfield'],
  xpci: ['alpha_x', 'alpha_y', 'phase', 'thickness', 'transmission', 'darkfield', 'quality'],
  'simulate.pair': ['u', 'v', 'magnitude', 'reference', 'deformed'],
};

/** Maps compared with the ground truth when both exist (the phase up to its free constant). */
export const TRUTH_MAPS = ['u', 'v', 'alpha_x', 'alpha_y', 'phase', 'thickness', 'transmission', 'darkfield'];

/** Quantities defined only up to an additive constant: compared after removing both means. */
export const OFFSET_FREE = new Set(['phase', 'thickness']);

/** Plain-text label "symbol (unit)" for axes, table headers and CSV-adjacent captions. */
export function axisLabel(q: Quantity): string {
  return q.unit ? `${q.symbol} (${q.unit})` : q.symbol;
}

/** The unit as written in CSV headers (ASCII, as the xpci profile does: urad, um). */
export function csvUnit(q: Quantity): string {
  return q.unit === '' ? '1' : q.unit.replace('µ', 'u');
}

/** Job kinds as a reader names them. */
export function kindTitle(kind: string): string {
  switch (kind) {
    case 'track':
      return 'Displacement field';
    case 'xpci':
      return 'X-ray phase contrast';
    case 'simulate.pair':
      return 'Synthetic speckle pair';
    case 'restore':
      return 'SEM restoration';
    case 'deblur':
      return 'Deblurring';
    case 'super-resolution':
      return 'Super-resolution';
    default:
      return `Job (${kind})`;
  }
}
