import { writeResultFolder, sha256File } from '../../results/result-folder';
import { readImage, writeTiffFloat32 } from '../../imageio';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
const blur = '/work/shared/data/sem/midnet/blur/' + process.argv[2];
const sharp = blur.replace('/blur/', '/sharp/');
const a = await readImage(blur), b = await readImage(sharp);
await rm('/tmp/rep/restore', { recursive: true, force: true });
await writeResultFolder('/tmp/rep/restore', async (dir) => {
  await writeTiffFloat32(join(dir, 'input.tif'), a);
  await writeTiffFloat32(join(dir, 'restored.tif'), b);
}, (files) => ({ kind: 'restore', appVersion: '0.1.0', createdAt: new Date().toISOString(), method: 'midnet', task: 'deblur',
  inputs: [{ role: 'input', path: blur, name: 'blur.png', width: a.width, height: a.height, sha256: 'x', pixelSize: null }],
  model: { id: 'midnet-sem-deblur-v1', sha256: 'ab'.repeat(32) }, executionProvider: 'cpu', parameters: { tile: 256, overlap: 32 },
  files: files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })) }));
