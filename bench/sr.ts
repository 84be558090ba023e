/**
 * @file Super-resolution benchmark on the standard test sets in ../shared/data/sr: Set5 (colour → Y) and
 * Set12 (grey), the 12 USRNet kernels at ×2/×3/×4, noise-free and σ = 2.55 (of 255), USRNet, the fast net
 * shipped for each scale and bicubic side by side in one run (protocol: Note: SR evaluation protocol,
 * src/core/restore/sr/evaluate.ts). Prints the mean PSNR per dataset × scale × noise (and per kernel with
 * --per-kernel) and each method's time per megapixel of output on this machine's execution provider.
 * The full grid (17 images × 12 kernels × 3 scales × 2 noise levels) takes hours on a laptop CPU, so the
 * default is a reduced grid that takes about five minutes (the 2 smallest images of each set; kernels 1,
 * 5, 9: one isotropic, one anisotropic Gaussian, one motion, and b: the bicubic kernel, the degradation
 * the fast nets were trained for), and the grid used is printed first.
 *
 *   npm run bench -- sr [--datasets set5,set12] [--images N|all] [--scales 2,3,4] [--kernels 1,5,9,b|all]
 *                       [--noise 0,2.55] [--methods bicubic,fast,usrnet] [--per-kernel] [--tile N]
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/core/metrics';
import { quietContext } from '../src/core/progress';
import { imresizeBicubic } from '../src/core/restore/sr/bicubic';
import { degradeForTest, type HrImage, loadHr, modcrop, srPsnr } from '../src/core/restore/sr/evaluate';
import { findFastModelId, openFastSr, runFastSr } from '../src/core/restore/sr/fast';
import { openUsrnet, usrnetSuperResolve, type UsrnetModels } from '../src/core/restore/sr/usrnet';
import { bicubicKernel, loadKernels12 } from '../src/core/synth/kernels';
import { SHARED, SHARED_NOTE, sharedPath } from '../test/shared-data';

const U8 = { sampleType: 'uint8', bitsPerSample: 8 } as const;
const list = (s: string) => s.split(',').map((t) => t.trim()).filter(Boolean);

export async function benchSr(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      datasets: { type: 'string', default: 'set5,set12' },
      images: { type: 'string', default: '2' },
      scales: { type: 'string', default: '2,3,4' },
      kernels: { type: 'string', default: '1,5,9,b' },
      noise: { type: 'string', default: '0,2.55' },
      methods: { type: 'string', default: 'bicubic,fast,usrnet' },
      'per-kernel': { type: 'boolean', default: false },
      tile: { type: 'string' },
    },
  });
  if (!SHARED) {
    console.log(`SR benchmark skipped ${SHARED_NOTE}: it needs sr/set5, sr/set12 and sr/kernels_12.mat.`);
    return;
  }
  const datasets = list(values.datasets!);
  const maxImages = values.images === 'all' ? Infinity : Number(values.images);
  const scales = list(values.scales!).map(Number);
  const kernelsAll = await loadKernels12(sharedPath('sr', 'kernels_12.mat'));
  // Kernel numbers of kernels_12.mat, or "b": the bicubic kernel of the scale (blur + decimation = MATLAB
  // imresize), the degradation the fast nets were trained for.
  const kernelIds: (number | 'b')[] = values.kernels === 'all' ? kernelsAll.map((_, i) => i + 1) : list(values.kernels!).map((t) => (t === 'b' ? 'b' : Number(t)));
  for (const id of kernelIds) if (id !== 'b' && !(id >= 1 && id <= kernelsAll.length)) throw new Error(`--kernels: ${id} is not 1..${kernelsAll.length} or b`);
  const noises = list(values.noise!).map(Number);
  const methods = list(values.methods!);
  const tile = values.tile ? Number(values.tile) : undefined;

  // The N smallest images of each set (then by name): the reduced default grid stays quick.
  const images: Record<string, HrImage[]> = {};
  for (const d of datasets) {
    const files = readdirSync(sharedPath('sr', d)).filter((f) => /\.(png|bmp|tif)$/i.test(f)).sort();
    const all = await Promise.all(files.map((f) => loadHr(sharedPath('sr', d, f), f)));
    images[d] = all.sort((a, b) => a.width * a.height - b.width * b.height || a.name.localeCompare(b.name)).slice(0, maxImages);
  }
  const fastIds: Record<number, string | null> = {};
  for (const s of scales) fastIds[s] = methods.includes('fast') ? await findFastModelId('fsrcnn', s).catch(() => null) : null;
  const usrnet: UsrnetModels | null = methods.includes('usrnet') ? await openUsrnet() : null;

  console.log('Super-resolution benchmark (Y channel for colour; degradation (x ⊗ k, wrap)[0::s, 0::s] + σ·N; PSNR on 0–255, border s px)');
  console.log(`grid: datasets ${datasets.map((d) => `${d} (${images[d].map((i) => `${i.name} ${i.width}×${i.height}`).join(', ')})`).join('; ')}`);
  console.log(`      scales ${scales.join(',')}; kernels ${kernelIds.map((k) => (k === 'b' ? 'bicubic' : `#${k}`)).join(',')}; noise σ ${noises.join(',')} (of 255); methods ${methods.join(',')}`);
  console.log(`      fast nets: ${scales.map((s) => `×${s} ${fastIds[s] ?? '—'}`).join(', ')}; USRNet: ${usrnet ? `${usrnet.prior.entry.id} + ${usrnet.hypa.entry.id} on ${usrnet.prior.created.provider}` : '—'}`);

  type Acc = { sum: number; n: number };
  const acc = new Map<string, Record<string, Acc>>();
  const time: Record<string, { s: number; mp: number }> = {};
  const add = (key: string, method: string, v: number) => {
    const row = acc.get(key) ?? {};
    const a = (row[method] ??= { sum: 0, n: 0 });
    a.sum += v;
    a.n++;
    acc.set(key, row);
  };
  const timed = async <T>(method: string, mp: number, f: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    const t = (time[method] ??= { s: 0, mp: 0 });
    t.s += (performance.now() - t0) / 1000;
    t.mp += mp;
    return r;
  };
  const fastModels = new Map<number, Awaited<ReturnType<typeof openFastSr>>>();
  // One untimed run of each net first: ONNX Runtime's first inference allocates and plans, which is a
  // per-session cost, not a per-image one.
  const warm = { width: 32, height: 32, data: new Float32Array(1024).fill(128) };
  for (const s of scales) {
    if (!fastIds[s]) continue;
    fastModels.set(s, await openFastSr('fsrcnn', s));
    await runFastSr(fastModels.get(s)!, warm, U8, s, quietContext());
  }
  if (usrnet) await usrnetSuperResolve(usrnet, warm, U8, kernelsAll[0], scales[0], 0, quietContext());
  const t00 = performance.now();

  for (const d of datasets) {
    for (const full of images[d]) {
      const im = full;
      for (const s of scales) {
        const hr = modcrop(full, s);
        const mp = (hr.width * hr.height) / 1e6;
        for (const kid of kernelIds) {
          const k = kid === 'b' ? bicubicKernel(s) : kernelsAll[kid - 1];
          for (const sigma of noises) {
            const y = degradeForTest(hr, k, s, sigma, kid === 'b' ? 0 : kid);
            const keys = [`${d}|×${s}|${sigma}`, ...(values['per-kernel'] ? [`${d}|×${s}|${sigma}|k${kid}`] : [])];
            const line: string[] = [];
            if (methods.includes('bicubic')) {
              const out = await timed('bicubic', mp, () => imresizeBicubic(y.data, y.width, y.height, s).data);
              const p = srPsnr(out, hr, s);
              keys.forEach((key) => add(key, 'bicubic', p));
              line.push(`bicubic ${p.toFixed(2)}`);
            }
            const fastId = fastIds[s];
            if (fastId) {
              if (!fastModels.has(s)) fastModels.set(s, await openFastSr('fsrcnn', s));
              const m = fastModels.get(s)!;
              const out = await timed(`fast (${fastId})`, mp, async () => (await runFastSr(m, y, U8, s, quietContext(), { tile })).data);
              const p = srPsnr(out, hr, s);
              keys.forEach((key) => add(key, 'fast', p));
              line.push(`${fastId} ${p.toFixed(2)}`);
            }
            if (usrnet) {
              const out = await timed('usrnet', mp, async () => (await usrnetSuperResolve(usrnet, y, U8, k, s, sigma, quietContext(), { tile })).data);
              const p = srPsnr(out, hr, s);
              keys.forEach((key) => add(key, 'usrnet', p));
              line.push(`usrnet ${p.toFixed(2)}`);
            }
            console.log(`  ${d}/${im.name} ×${s} k${kid} σ ${sigma}: ${line.join(', ')}  [${((performance.now() - t00) / 1000).toFixed(0)} s]`);
          }
        }
      }
    }
  }

  // Rounded to 0.01 dB here so the table shows two decimals (formatTable counts significant digits).
  const r2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  const mean = (a?: Acc) => (a && a.n ? a.sum / a.n : null);
  const rows = [...acc.entries()].map(([key, r]) => {
    const [dataset, scale, sigma, kernel] = key.split('|');
    const b = mean(r.bicubic), f = mean(r.fast), u = mean(r.usrnet);
    return {
      dataset, scale, 'σ': sigma, kernel: kernel ?? 'mean', n: r.bicubic?.n ?? r.usrnet?.n ?? r.fast?.n ?? 0,
      bicubic: r2(b), fast: r2(f), usrnet: r2(u),
      'usrnet − bicubic': u !== null && b !== null ? r2(u - b) : null,
      'fast − bicubic': f !== null && b !== null ? r2(f - b) : null,
    };
  });
  console.log('\nMean PSNR (dB)');
  console.log(formatTable(rows, { digits: 6 }));
  console.log(`\nTime per megapixel of output (this machine; USRNet on ${usrnet?.prior.created.provider ?? '—'}, fast nets on their session's provider)`);
  const base = time.bicubic ? time.bicubic.s / time.bicubic.mp : null;
  console.log(
    formatTable(
      Object.entries(time).map(([method, t]) => ({ method, 'output MP': t.mp, 'time s': t.s, 's / MP': t.s / t.mp, 'ratio to bicubic': base ? t.s / t.mp / base : null })),
      { digits: 3 },
    ),
  );
  console.log(`total ${((performance.now() - t00) / 1000).toFixed(0)} s`);
}
