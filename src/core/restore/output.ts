/**
 * @file What every restoration (deblurring, super-resolution) does with its result: bring it back to the
 * input's type, write it as a TIFF of the input's bit depth with the pixel size kept, score it, and write
 * the result folder (restored TIFF, side-by-side preview, result.json) atomically.
 *
 * Note: Restored output type. A restoration returns float32 in the input's scale (Note: Image convention,
 * imageio/types.ts). For integer inputs the values are clipped to the type's nominal range
 * (`nominalRange`, normalise.ts: 8-bit 0–255, 16-bit 0–65535, a 12-bit TIFF 0–4095 ...) and rounded, and
 * the TIFF has the input's bit depth: 8-bit in → 8-bit out, 9–16-bit in → 16-bit out. Clipping is the
 * point here, not a silent change of user data: a deconvolution or a net overshoots at edges, and an
 * 8-bit output cannot hold 263 or −4; the number of clipped pixels goes into result.json. Float inputs
 * stay float32, unclipped. Types the TIFF writer cannot store as they are (signed, 32-bit integer) are
 * clipped and rounded to their type and written as float32, which holds them (up to 2^24 exactly).
 * The pixel size the input carried is written into the TIFF (resolution tags in cm plus an ImageJ
 * description, write-tiff.ts) so the app's reader, ImageJ and tifffile read it back; super-resolution
 * passes the finer pixel size of its output instead. Vendor metadata blocks (FEI, Zeiss) are not copied:
 * their other fields describe the raw acquisition, not the restored image.
 *
 * Note: Restoration metrics. PSNR and SSIM against a sharp reference use the data range of the input's
 * type (255 for 8-bit), or for float inputs the reference's max − min (Note: Image quality conventions,
 * metrics/image-quality.ts); the range and where it came from are recorded with the figures. Both the
 * input and the output are scored, so every result shows what the restoration gained. Sharpness is
 * recorded for input and output always, with the same data range.
 */
import { basename, join } from 'node:path';
import { LabError } from '../errors';
import { writeFileAtomic } from '../imageio/atomic';
import type { GreyImage, ImageMeta, LoadedImage, PixelSize } from '../imageio/types';
import { encodeTiff, type TiffSampleKind } from '../imageio/write-tiff';
import { nominalRange, type ImageType } from '../infer/normalise';
import { ortVersion } from '../infer/session';
import { psnr, sharpness, ssim, type Sharpness } from '../metrics/image-quality';
import { sha256File, writeResultFolder, type ResultFile } from '../results/result-folder';
import { appVersion } from '../version';
import { encodeSideBySide } from './preview';

/** How a restored image is stored for an input of this type (Note: Restored output type). */
export function outputSampleKind(type: ImageType): { kind: TiffSampleKind; bitsPerSample: number } {
  const range = nominalRange(type);
  if (range && range.lo === 0 && range.hi <= 255) return { kind: 'uint8', bitsPerSample: 8 };
  if (range && range.lo === 0 && range.hi <= 65535) return { kind: 'uint16', bitsPerSample: 16 };
  return { kind: 'float32', bitsPerSample: 32 };
}

/**
 * A new array: `data` clipped to the nominal range of `type` and rounded when it is an integer type, a
 * plain copy for float types (Note: Restored output type). `clipped` counts pixels that were outside.
 */
export function fitToType(data: Float32Array, type: ImageType): { data: Float32Array; clipped: number } {
  const range = nominalRange(type);
  const out = new Float32Array(data.length);
  if (!range) {
    out.set(data);
    return { data: out, clipped: 0 };
  }
  let clipped = 0;
  for (let i = 0; i < data.length; i++) {
    let v = data[i];
    // NaN cannot be stored in an integer type; a restoration producing one is a bug, not data.
    if (Number.isNaN(v)) throw new LabError('E_RUNTIME', `The restored image has a NaN at pixel index ${i}; it cannot be stored as ${type.sampleType}.`);
    if (v < range.lo) (v = range.lo), clipped++;
    else if (v > range.hi) (v = range.hi), clipped++;
    out[i] = Math.round(v);
  }
  return { data: out, clipped };
}

export interface RestoredTiffOptions {
  /** pixel size of the written image; default the input's (`meta.pixelSize`); null = none */
  pixelSize?: PixelSize | { x: number; y: number } | null;
  description?: string;
  overwrite?: boolean;
}

/**
 * Writes `img` (already fitted with `fitToType`) as a TIFF of the bit depth `outputSampleKind(meta)`
 * gives, with the pixel size kept, atomically. Returns what was written.
 */
export async function writeRestoredTiff(
  path: string,
  img: GreyImage,
  meta: ImageMeta,
  opts: RestoredTiffOptions = {},
): Promise<{ kind: TiffSampleKind; bitsPerSample: number; pixelSize: { x: number; y: number } | null }> {
  const { kind, bitsPerSample } = outputSampleKind(meta);
  const ps = opts.pixelSize === undefined ? meta.pixelSize : opts.pixelSize;
  const pixelSize = ps ? { x: ps.x, y: ps.y } : null;
  let bytes: Uint8Array;
  try {
    bytes = encodeTiff(img, kind, { pixelSize: pixelSize ?? undefined, description: opts.description }, `"${path}"`);
  } catch (err) {
    throw err instanceof LabError && !err.file ? new LabError(err.code, err.message, path) : err;
  }
  await writeFileAtomic(path, bytes, opts.overwrite);
  return { kind, bitsPerSample, pixelSize };
}

/** The data range PSNR/SSIM/sharpness use for this input (Note: Restoration metrics). */
export function qualityDataRange(meta: ImageType, ref?: GreyImage): { dataRange: number; source: string } {
  const range = nominalRange(meta);
  if (range) return { dataRange: range.hi - range.lo, source: `nominal range of the input's ${meta.sampleType} (${meta.bitsPerSample}-bit) type` };
  const from = ref ?? null;
  if (from) {
    let lo = Infinity, hi = -Infinity;
    for (const v of from.data) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    if (hi > lo) return { dataRange: hi - lo, source: 'max − min of the reference (float input)' };
  }
  return { dataRange: Number.NaN, source: 'none (float input without a reference)' };
}

export interface RestorationMetrics {
  dataRange: number;
  dataRangeSource: string;
  border: number;
  /** vs the reference, when one was given */
  reference: null | {
    psnrDb: { input: number | null; output: number };
    ssim: { input: number | null; output: number };
  };
  sharpness: { input: Sharpness; output: Sharpness };
}

/**
 * Scores a restoration (Note: Restoration metrics). `input` may differ in size from `output` (super-
 * resolution): then only the output is scored against the reference, and input PSNR/SSIM are null.
 * `ref` must have the output's size; E_SIZE_MISMATCH names `refName` otherwise.
 */
export function restorationMetrics(
  input: GreyImage,
  output: GreyImage,
  meta: ImageType,
  ref?: GreyImage,
  opts: { border?: number; refName?: string } = {},
): RestorationMetrics {
  const border = opts.border ?? 0;
  if (ref && (ref.width !== output.width || ref.height !== output.height)) {
    throw new LabError(
      'E_SIZE_MISMATCH',
      `The reference image ${opts.refName ? `${opts.refName} ` : ''}is ${ref.width}×${ref.height} but the restored image is ${output.width}×${output.height}; the reference must have the same size.`,
      opts.refName,
    );
  }
  const { dataRange, source } = qualityDataRange(meta, ref);
  // A float input without reference has no stated range; sharpness then uses the input's own span.
  let sRange = dataRange;
  if (!(sRange > 0)) sRange = qualityDataRange({ sampleType: 'float32', bitsPerSample: 32 }, input).dataRange || 1;
  const q = { dataRange, border };
  const sameSize = input.width === output.width && input.height === output.height;
  return {
    dataRange,
    dataRangeSource: source,
    border,
    reference: ref
      ? {
          psnrDb: { input: sameSize ? psnr(input, ref, q) : null, output: psnr(output, ref, q) },
          ssim: { input: sameSize ? ssim(input, ref, q) : null, output: ssim(output, ref, q) },
        }
      : null,
    sharpness: {
      input: sharpness(input, { dataRange: sRange, border }),
      output: sharpness(output, { dataRange: sRange, border }),
    },
  };
}

/** One input file as result.json records it: path, size, sha256 (of the bytes on disk), type, pixel size. */
export async function describeInput(role: string, path: string, img: LoadedImage) {
  return {
    role,
    path,
    name: basename(path),
    width: img.width,
    height: img.height,
    sha256: await sha256File(path),
    sampleType: img.meta.sampleType,
    bitsPerSample: img.meta.bitsPerSample,
    format: img.meta.format,
    pixelSize: img.meta.pixelSize ?? null,
  };
}

/** Versions recorded in every restoration result. */
export function restoreVersions() {
  return { app: appVersion(), node: process.versions.node, onnxruntime: ortVersion() };
}

export interface RestoreFolderContent {
  /** "deblur", "super-resolution": result.json's `kind` */
  kind: string;
  /** file name of the restored image, e.g. "deblurred.tif" */
  imageName: string;
  /** the restored image, float32 in the input's scale (fitted to the input's type here) */
  output: GreyImage;
  /** the input, as read (its meta decides the output type); shown on the preview's left */
  input: LoadedImage;
  /** pixel size of the output when it differs from the input's (super-resolution); null = none */
  pixelSize?: PixelSize | { x: number; y: number } | null;
  /** preview panel labels, left and right; omitted = no label strip */
  labels?: [string, string];
  /** TIFF ImageDescription text */
  description?: string;
  /** pixels the caller already clipped with `fitToType` (added to the count recorded in result.json) */
  clippedPixels?: number;
  /** everything else result.json records: method, parameters, inputs, model, provider, metrics, timings ... */
  record: Record<string, unknown>;
}

/**
 * Writes the result folder atomically (results/result-folder.ts): the restored TIFF in the input's bit
 * depth with its pixel size, `preview.png` (input | output, one grey mapping), and result.json with
 * `record` plus the output's type, clipping count, versions and the files' sha256. Refuses a non-empty
 * `outDir`.
 */
export async function writeRestoreFolder(
  outDir: string,
  c: RestoreFolderContent,
): Promise<{ outDir: string; files: ResultFile[]; clipped: number; output: GreyImage }> {
  const fitted = fitToType(c.output.data, c.input.meta);
  const output: GreyImage = { width: c.output.width, height: c.output.height, data: fitted.data };
  let written: Awaited<ReturnType<typeof writeRestoredTiff>> | null = null;
  const res = await writeResultFolder(
    outDir,
    async (dir) => {
      written = await writeRestoredTiff(join(dir, c.imageName), output, c.input.meta, { pixelSize: c.pixelSize, description: c.description });
      await writeFileAtomic(join(dir, 'preview.png'), encodeSideBySide(c.input, output, { labels: c.labels }));
    },
    (files: ResultFile[]) => ({
      kind: c.kind,
      appVersion: appVersion(),
      versions: restoreVersions(),
      createdAt: new Date().toISOString(),
      ...c.record,
      output: {
        file: c.imageName,
        width: output.width,
        height: output.height,
        sampleType: written!.kind,
        bitsPerSample: written!.bitsPerSample,
        pixelSize: written!.pixelSize,
        clippedPixels: fitted.clipped + (c.clippedPixels ?? 0),
        note: 'integer inputs: clipped to the type range and rounded; float inputs: float32, unclipped',
      },
      preview: 'preview.png: input (left) | restored (right), one linear grey mapping: the input\'s min–max',
      files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })),
    }),
  );
  return { ...res, clipped: fitted.clipped + (c.clippedPixels ?? 0), output };
}
