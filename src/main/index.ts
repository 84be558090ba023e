/**
 * @file Electron main: the adapter between the window and the Electron-free back end (src/core/backend).
 * It owns the window, the native dialog, the `lab-data:` protocol for large arrays, the compute host
 * (utilityProcess) and the job store, and wires every contract call to `dispatchCall` after checking the
 * sender. No science happens here.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol } from 'electron';
import { CALL_NAMES, ipcChannel, ipcEventChannel } from '../shared/contract';
import { BinaryStore } from '../core/backend/binary-store';
import { dispatchCall } from '../core/backend/dispatch';
import { createBackend } from '../core/backend/handlers';
import { applySavedProviderPreference } from '../core/backend/settings-handlers';
import { openJobStore } from '../core/jobs/store';
import { startUtilityComputeHost } from './compute-utility';
import { installAppWideGuards, isTrustedSender, rendererEntry, secureWebPreferences } from './security';
import { electronReportPrinter, readReportCss } from './report-printer';

// Large arrays (images, fields) travel over this scheme, scoped to the binary store and nothing else.
protocol.registerSchemesAsPrivileged([
  { scheme: 'lab-data', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const IMAGE_FILTERS = [
  { name: 'Images', extensions: ['tif', 'tiff', 'png', 'jpg', 'jpeg', 'bmp'] },
  { name: 'All files', extensions: ['*'] },
];

const windows = new Set<BrowserWindow>();

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    backgroundColor: '#1e1f22',
    title: 'Speckle Lab',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '..', 'preload', 'index.cjs')),
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  // The same URL the navigation guard and the IPC sender check compare against.
  void win.loadURL(rendererEntry());
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  installAppWideGuards();
  const jobs = openJobStore(join(app.getPath('userData'), 'jobs.sqlite'));
  // Watch jobs back to the queue, interactive ones that can never run again failed (store.ts, Note: interrupted jobs).
  jobs.recoverInterrupted();
  // The Settings workspace's execution-provider preference applies when the compute host starts.
  await applySavedProviderPreference(app.getPath('userData'));
  const compute = startUtilityComputeHost();
  const binaries = new BinaryStore();

  const backend = createBackend({
    compute,
    jobs,
    binaries,
    transport: 'electron',
    resultsDir: join(app.getPath('userData'), 'results'),
    electronVersion: process.versions.electron,
    binaryUrl: (kind, id) => `lab-data://${kind}/${id}`,
    openImageDialog: async () => {
      const parent = BrowserWindow.getFocusedWindow() ?? undefined;
      const opts = { title: 'Open image', properties: ['openFile' as const], filters: IMAGE_FILTERS };
      const r = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    openFolderDialog: async () => {
      const parent = BrowserWindow.getFocusedWindow() ?? undefined;
      const opts = { title: 'Choose a folder', properties: ['openDirectory' as const, 'createDirectory' as const] };
      const r = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    // Packaged: electron-builder's extraResources must copy resources/rules to <resources>/rules.
    rulesExamplesDir: app.isPackaged ? join(process.resourcesPath, 'rules') : join(app.getAppPath(), 'resources', 'rules'),
    // Reports: PDF through a hidden sandboxed window's printToPDF; the stylesheet from resources/report.
    reportPrinter: electronReportPrinter,
    reportCss: readReportCss,
    emit: (name, payload) => {
      for (const w of windows) if (!w.isDestroyed()) w.webContents.send(ipcEventChannel(name), payload);
    },
  });

  protocol.handle('lab-data', (req) => {
    const url = new URL(req.url);
    const kind = url.hostname === 'field' ? 'field' : url.hostname === 'image' ? 'image' : null;
    const bytes = kind ? binaries.get(kind, url.pathname.replace(/^\//, '')) : null;
    if (!bytes) return new Response('That image is no longer open; open it again.', { status: 404 });
    return new Response(bytes as unknown as ConstructorParameters<typeof Response>[0], { headers: { 'Content-Type': 'application/octet-stream' } });
  });

  const ours = (wc: Electron.WebContents) => [...windows].some((w) => w.webContents === wc);
  for (const name of CALL_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event, input: unknown) => {
      if (!isTrustedSender(event, ours)) {
        return { ok: false, error: { code: 'E_FORBIDDEN', message: `Call ${name} refused: unknown sender.` } };
      }
      return dispatchCall(backend.handlers, name, input);
    });
  }

  createWindow();
  void backend.probe();

  app.on('activate', () => {
    if (windows.size === 0) createWindow();
  });
  // The watch session stops first (its running jobs go back to the queue), then the host and the store.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void backend
      .shutdown()
      .catch(() => {})
      .finally(async () => {
        await compute.close().catch(() => {});
        jobs.close();
        app.quit();
      });
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void start();
