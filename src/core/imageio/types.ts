/**
 * @file Image types shared by every core module.
 *
 * Note: Image convention. An image in the core is grey, row-major, `data[y * width + x]`, float32 in the
 * file's native scale (a 12-bit detector stays 0–4095, a float TIFF keeps its floats). Nothing is rescaled
 * or clipped on reading. x is the column (to the right), y the row (down), origin at the centre of the
 * top-left pixel. Colour files become grey by the rule recorded in `meta.greyRule`.
 */

export interface GreyImage {
  width: number;
  height: number;
  /** length width*height, row-major */
  data: Float32Array;
}

export type SampleType = 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface PixelSize {
  /** pixel pitch along x and y in micrometres */
  x: number;
  y: number;
  /** where the value came from, e.g. "TIFF resolution tags", "ImageJ description", "FEI metadata" */
  source: string;
}

export interface ImageMeta {
  format: 'tiff' | 'png' | 'jpeg' | 'bmp';
  /** sample type of the stored data (before grey conversion) */
  sampleType: SampleType;
  bitsPerSample: number;
  /** channels stored in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) */
  samplesPerPixel: number;
  colour: 'grey' | 'grey-alpha' | 'rgb' | 'rgba' | 'palette';
  /** how colour became grey, when it did (e.g. "all channels equal: took R", "ITU-R BT.601 luma") */
  greyRule?: string;
  /** number of pages (TIFF); the first page is read */
  pageCount: number;
  byteOrder?: 'little' | 'big';
  compression?: string;
  pixelSize?: PixelSize;
  /** a few vendor fields worth showing (instrument, HV, magnification ...), as strings */
  vendor?: Record<string, string>;
  /** free text the file carries (TIFF ImageDescription, PNG tEXt "Description"), trailing NULs removed */
  description?: string;
  /**
   * True when a TIFF says 0 is white (PhotometricInterpretation 0). The values are returned as stored, not
   * inverted, as tifffile and ImageJ do, so numbers agree with other tools; a viewer should invert its display.
   */
  minIsWhite?: boolean;
}

export interface LoadedImage extends GreyImage {
  meta: ImageMeta;
}
