/**
 * @file The pixel-size rules ("Note: Pixel size rules" in metadata.ts) and the vendor parsers, on text
 * shaped like what the instruments write.
 */
import { describe, expect, it } from 'vitest';
import {
  densityPixelSize, findFeiText, parseFeiMetadata, parseImageJDescription, parseZeissMetadata,
  tiffResolutionPixelSize, unitToMicrometres,
} from './metadata';

describe('units', () => {
  it('knows the spellings instruments and ImageJ use', () => {
    for (const [u, v] of [['micron', 1], ['µm', 1], ['μm', 1], ['um', 1], ['\\u00B5m', 1], ['Âµm', 1], ['nm', 1e-3], ['mm', 1e3], ['pm', 1e-6], ['cm', 1e4], ['m', 1e6], ['inch', 25400]] as const) {
      expect(unitToMicrometres(u), u).toBe(v);
    }
    expect(unitToMicrometres('pixel')).toBeNull();
    expect(unitToMicrometres('')).toBeNull();
  });
});

describe('TIFF resolution tags', () => {
  it('inch and cm convert; a missing unit means inch', () => {
    expect(tiffResolutionPixelSize(25400 / 7, 25400 / 7, 2, undefined)?.x).toBeCloseTo(7, 10);
    expect(tiffResolutionPixelSize(4000, 2000, 3, undefined)).toMatchObject({ x: 2.5, y: 5, source: 'TIFF resolution tags (cm)' });
    expect(tiffResolutionPixelSize(2540, 2540, undefined, undefined)?.x).toBeCloseTo(10, 10);
  });
  it('ignores software defaults: 72/96/300 dpi, the same in cm, and 1 pixel per unit', () => {
    for (const dpi of [72, 96, 150, 300, 600, 1200]) expect(tiffResolutionPixelSize(dpi, dpi, 2, undefined), `${dpi}`).toBeUndefined();
    expect(tiffResolutionPixelSize(72 / 2.54, 72 / 2.54, 3, undefined)).toBeUndefined();
    expect(tiffResolutionPixelSize(1, 1, 2, undefined)).toBeUndefined();
    expect(tiffResolutionPixelSize(1, 1, 3, undefined)).toBeUndefined();
    expect(tiffResolutionPixelSize(0, 0, 2, undefined)).toBeUndefined();
  });
  it('unit "none" counts only with an ImageJ unit', () => {
    expect(tiffResolutionPixelSize(2, 2, 1, undefined)).toBeUndefined();
    expect(tiffResolutionPixelSize(2, 4, 1, 'ImageJ=1.53t\nunit=micron\n')).toMatchObject({ x: 0.5, y: 0.25 });
    expect(tiffResolutionPixelSize(0.5, 0.5, 1, 'ImageJ=1.53t\nunit=nm\n')?.x).toBeCloseTo(0.002, 12);
    expect(tiffResolutionPixelSize(2, 2, 1, 'ImageJ=1.53t\nunit=\\u00B5m\n')?.x).toBe(0.5);
    expect(tiffResolutionPixelSize(2, 2, 1, 'ImageJ=1.53t\nunit=pixel\n')).toBeUndefined();
  });
  it('ImageJ cm + unit=um (how our writer and ImageJ store µm) is read in cm', () => {
    expect(tiffResolutionPixelSize(1e4 / 6.5, 1e4 / 6.5, 3, 'ImageJ=1.11a\nunit=um\n')?.x).toBeCloseTo(6.5, 10);
  });
  it('ImageJ spacing is a last resort when there are no resolution tags', () => {
    expect(tiffResolutionPixelSize(undefined, undefined, undefined, 'ImageJ=1.53t\nunit=mm\nspacing=0.002\n')).toMatchObject({ x: 2, y: 2 });
    expect(tiffResolutionPixelSize(undefined, undefined, undefined, 'ImageJ=1.53t\nspacing=0.002\n')).toBeUndefined();
    expect(parseImageJDescription('not imagej')).toBeNull();
    expect(parseImageJDescription('ImageJ=1.53q\nmin=29.7\nmax=52.1\n')).toMatchObject({ ImageJ: '1.53q', min: '29.7' });
  });
});

describe('densities in other formats', () => {
  it('PNG pHYs 2835 px/m (72 dpi) is a default; 200000 px/m is 5 µm', () => {
    expect(densityPixelSize(2835, 2835, 1e6, 'p')).toBeUndefined();
    expect(densityPixelSize(3780, 3780, 1e6, 'p')).toBeUndefined();
    expect(densityPixelSize(200000, 200000, 1e6, 'p')).toMatchObject({ x: 5, y: 5 });
  });
});

const FEI = `[User]\r\nDate=10/27/2016\r\nTime=01:16:51 PM\r\n\r\n[System]\r\nType=SEM\r\nSystemType=Teneo\r\n\r\n[Beam]\r\nHV=2000\r\n\r\n[EBeam]\r\nHV=2000\r\nHFW=1.184e-005\r\nWD=0.00965589\r\n\r\n[Scan]\r\nDwelltime=1e-005\r\nPixelWidth=7.70833e-009\r\nPixelHeight=7.70833e-009\r\n\r\n[Image]\r\nResolutionX=1536\r\nResolutionY=1024\r\n\r\n[Detectors]\r\nName=ETD\r\n`;

describe('FEI / Thermo Fisher', () => {
  it('reads PixelWidth in metres and a few display fields', () => {
    const info = parseFeiMetadata(FEI, 1094)!;
    expect(info.pixelSize?.x).toBeCloseTo(0.00770833, 12);
    expect(info.pixelSize?.source).toMatch(/FEI/);
    expect(info.vendor).toEqual({
      vendor: 'FEI', instrument: 'Teneo', HV: '2000 V', WD: '9.656 mm', HFW: '11.84 µm', dwell: '10 µs', detector: 'ETD',
      date: '10/27/2016 01:16:51 PM', databarRows: '70',
    });
  });
  it('falls back to [EScan]; null without any pixel width', () => {
    expect(parseFeiMetadata('[EScan]\nPixelWidth=2e-9\n')?.pixelSize?.x).toBeCloseTo(0.002, 12);
    expect(parseFeiMetadata('[Scan]\nDwelltime=1e-5\n')).toBeNull();
    expect(parseFeiMetadata('')).toBeNull();
  });
  it('finds a block appended to the file bytes', () => {
    const bytes = new Uint8Array([...new Uint8Array(5000).fill(7), ...new TextEncoder().encode(FEI), 0, 1, 2]);
    expect(parseFeiMetadata(findFeiText(bytes)!)?.pixelSize?.x).toBeCloseTo(0.00770833, 12);
    expect(findFeiText(new TextEncoder().encode('PixelWidth=3 but no scan section'))).toBeNull();
  });
});

describe('Zeiss', () => {
  const latin1 = (s: string) => new TextDecoder('latin1').decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  it('reads AP_PIXEL_SIZE with its unit, and display fields', () => {
    const text = '\r\n0\r\nDP_DETECTOR_CHANNEL\r\nSignal A = SE2\r\nAP_PIXEL_SIZE\r\nImage Pixel Size = 2.481 nm\r\nAP_MAG\r\nMag = 45.00 K X\r\nAP_ACTUALKV\r\nEHT = 5.00 kV\r\nAP_WD\r\nWD = 4.2 mm\r\n';
    const info = parseZeissMetadata(text)!;
    expect(info.pixelSize?.x).toBeCloseTo(0.002481, 12);
    expect(info.vendor).toMatchObject({ vendor: 'Zeiss', magnification: '45.00 K X', HV: '5.00 kV', WD: '4.2 mm', detector: 'SE2' });
  });
  it('understands µm written as Latin-1 and a bare "Pixel Size =" line', () => {
    expect(parseZeissMetadata(latin1('AP_PIXEL_SIZE\r\nPixel Size = 1.5 \xb5m\r\n'))?.pixelSize?.x).toBe(1.5);
    expect(parseZeissMetadata('junk\nImage Pixel Size = 12 pm\n')?.pixelSize?.x).toBeCloseTo(1.2e-5, 15);
    expect(parseZeissMetadata('nothing useful here')).toBeNull();
  });
});
