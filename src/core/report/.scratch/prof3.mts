import { PNG } from 'pngjs';
import { colourise, encodeRgbaPng } from '../../render/colormap';
const w = 480, h = 384; const v = Float32Array.from({ length: w * h }, (_, k) => Math.sin(k / 500) + Math.random() * 0.1);
let t = performance.now(); const rgba = colourise(v, 'viridis', [-1, 1]); console.log('colourise', performance.now() - t);
t = performance.now(); encodeRgbaPng(w, h, rgba); console.log('encode default', performance.now() - t);
for (const ft of [0, 1, 4]) { t = performance.now(); const p = new PNG({ width: w, height: h, colorType: 2, inputColorType: 6, filterType: ft, deflateLevel: 6 } as any); p.data = Buffer.from(rgba); const b = PNG.sync.write(p, { colorType: 2, inputColorType: 6, filterType: ft } as any); console.log('ft', ft, performance.now() - t, b.length); }
