/**
 * @file Electron hardening in one place: what a window may load, navigate to, open, and ask for, and which
 * IPC senders main trusts. Each rule is here so a reviewer can check them together.
 */
import { join } from 'node:path';
import { app, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { isRendererUrl, rendererEntryUrl } from './renderer-url';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: lab-data:; " +
  "connect-src 'self' lab-data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export const secureWebPreferences = (preload: string) => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  spellcheck: false,
});

/**
 * The one URL the app window loads, and the only page trusted with navigation and IPC (Note: Renderer
 * URL, renderer-url.ts). This module is bundled into out/main/index.js; the renderer is built to out/renderer.
 */
export function rendererEntry(): string {
  return rendererEntryUrl(process.env.ELECTRON_RENDERER_URL, join(import.meta.dirname, '..', 'renderer', 'index.html'));
}

/** Only top-level frames of our own windows, showing our own renderer, may call the contract. */
export function isTrustedSender(event: IpcMainInvokeEvent, ours: (wc: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !ours(event.sender)) return false;
  return isRendererUrl(frame.url, rendererEntry());
}

export function installAppWideGuards(): void {
  const entry = rendererEntry();
  app.on('web-contents-created', (_e, contents) => {
    // No navigation away from the app (a file dropped on the window is one), no new windows; links with
    // http(s) go to the system browser.
    contents.on('will-navigate', (ev, url) => {
      if (!isRendererUrl(url, entry)) ev.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}
