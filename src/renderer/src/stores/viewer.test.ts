import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../../shared/result';

// The stores reach the back end only through ../api; replace it with a scripted fake.
const fake = vi.hoisted(() => ({
  open: vi.fn(),
  close: vi.fn(async () => ({ closed: true })),
  pathForFile: vi.fn(async (f: { name: string }) => `/srv/uploads/${f.name}`),
  fetchFloat32: vi.fn(),
}));
vi.mock('../api', () => ({
  lab: {
    'image.open': fake.open,
    'image.close': fake.close,
    pathForFile: fake.pathForFile,
    on: () => () => {},
  },
  connection: { transport: 'browser-harness', state: () => 'open', onState: () => () => {} },
  fetchFloat32: fake.fetchFloat32,
}));

const { useViewerStore } = await import('./viewer');
const { useAppStore } = await import('./app');

function opened(name: string, id = name) {
  const hist = new Array(256).fill(0);
  hist[0] = 2;
  hist[255] = 2;
  return {
    id,
    path: `/data/${name}`,
    name,
    width: 2,
    height: 2,
    sizeBytes: 16,
    sha256: 'ab'.repeat(32),
    meta: {
      format: 'tiff' as const,
      sampleType: 'float32' as const,
      bitsPerSample: 32,
      samplesPerPixel: 1,
      colour: 'grey' as const,
      pageCount: 1,
      pixelSize: { x: 7, y: 7, source: 'ImageJ description' },
    },
    stats: { min: 0, max: 3, mean: 1.5, std: 1, nonFinite: 0, histogram: hist },
    dataUrl: `/data/image/${id}`,
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
  vi.clearAllMocks();
  fake.fetchFloat32.mockImplementation(async () => new Float32Array([0, 1, 2, 3]));
});

describe('viewer store', () => {
  it('opens a path, fetches native pixels and reads values under the cursor', async () => {
    fake.open.mockResolvedValueOnce(opened('a.tif'));
    const v = useViewerStore();
    expect(await v.openPath('  /data/a.tif ')).toBe(true);
    expect(fake.open).toHaveBeenCalledWith({ path: '/data/a.tif' });
    expect(fake.fetchFloat32).toHaveBeenCalledWith('/data/image/a.tif', 4);
    expect(v.image?.name).toBe('a.tif');
    expect(v.opening).toBeNull();
    v.setHover({ x: 1, y: 1 });
    expect(v.hoverValue).toBe(3);
    expect(v.hoverValueText).toBe('3');
    expect(v.hoverPhysicalText).toBe('7, 7 µm');
    expect(v.contrastMode).toBe('percentile');
  });

  it('reports a failed open in the banner, naming the file, and keeps the current image', async () => {
    fake.open.mockResolvedValueOnce(opened('a.tif'));
    const v = useViewerStore();
    const app = useAppStore();
    await v.openPath('/data/a.tif');
    fake.open.mockRejectedValueOnce(new ContractError('E_NOT_FOUND', 'No such file or folder (/data/b.tif).', '/data/b.tif'));
    expect(await v.openPath('/data/b.tif')).toBe(false);
    expect(app.error).toEqual({ title: 'Could not open b.tif', message: 'No such file or folder (/data/b.tif).', code: 'E_NOT_FOUND' });
    expect(v.image?.name).toBe('a.tif');
    fake.open.mockResolvedValueOnce(opened('c.tif'));
    await v.openPath('/data/c.tif');
    expect(app.error).toBeNull();
    expect(fake.close).toHaveBeenCalledWith({ id: 'a.tif' }); // the replaced image is freed
  });

  it('drops an open that a newer one overtook, and frees it', async () => {
    let finishSlow!: (v: unknown) => void;
    fake.open.mockImplementationOnce(() => new Promise((r) => (finishSlow = r)));
    fake.open.mockResolvedValueOnce(opened('fast.tif'));
    const v = useViewerStore();
    const slow = v.openPath('/data/slow.tif');
    await v.openPath('/data/fast.tif');
    finishSlow(opened('slow.tif'));
    expect(await slow).toBe(false);
    expect(v.image?.name).toBe('fast.tif');
    expect(fake.close).toHaveBeenCalledWith({ id: 'slow.tif' });
  });

  it('opens a File through pathForFile and names it in errors', async () => {
    fake.open.mockRejectedValueOnce(new ContractError('E_UNSUPPORTED', 'Not an image.'));
    const v = useViewerStore();
    const app = useAppStore();
    expect(await v.openFile({ name: 'x.bin' } as File)).toBe(false);
    expect(fake.open).toHaveBeenCalledWith({ path: '/srv/uploads/x.bin' });
    expect(app.error?.title).toBe('Could not open x.bin');
  });

  it('manual contrast ignores non-finite input; auto modes come from the stats', async () => {
    fake.open.mockResolvedValueOnce(opened('a.tif'));
    const v = useViewerStore();
    await v.openPath('/data/a.tif');
    v.autoContrast('minmax');
    expect(v.contrast).toEqual({ lo: 0, hi: 3 });
    v.setContrast(Number.NaN, 2);
    expect(v.contrast).toEqual({ lo: 0, hi: 2 });
    expect(v.contrastMode).toBe('manual');
  });
});
