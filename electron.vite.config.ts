/**
 * @file electron-vite build: main (Electron adapter + the compute host entry that runs in a utilityProcess),
 * preload (contextBridge only) and the Vue renderer. The core is bundled into main and the compute host;
 * native and large runtime packages stay external so electron-builder unpacks them from asar.
 */
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

const shared = resolve(import.meta.dirname, 'src/shared');

export default defineConfig({
  main: {
    resolve: { alias: { '@shared': shared } },
    build: {
      rollupOptions: {
        // The CLI's and harness's PDF printer (core/report/pdf.ts chromiumPrinter) loads playwright-core on
        // demand; the app prints with Electron, so it stays out of the bundle (and out of the package).
        external: ['playwright-core'],
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          'compute-host': resolve(import.meta.dirname, 'src/core/compute/host-entry.ts'),
          'track-worker': resolve(import.meta.dirname, 'src/core/track/worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: { '@shared': shared } },
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot `require` anything but 'electron': bundle the rest in, emit CommonJS.
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [vue()],
    resolve: { alias: { '@shared': shared } },
    build: { rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } } },
  },
});
