/**
 * @file Builds the same renderer as electron-vite does, as a plain web app for the browser harness
 * (`npm run serve`, src/harness). Output: dist-web/. The renderer finds no `window.lab` there and talks to
 * the harness over its WebSocket instead (src/renderer/src/api).
 */
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  base: './',
  plugins: [vue()],
  resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
  build: { outDir: resolve(import.meta.dirname, 'dist-web'), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
