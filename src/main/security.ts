/**
 * @file Electron hardening in one place: what a window may load, navigate to, open, and ask for, and which
 * IPC senders main trusts. Each rule is here so a reviewer can check them together.
 */
import { app, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';

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

/** The renderer's own URL prefix: the dev server in development, the packaged file otherwise. */
export function rendererOrigin(): string {
  return process.env.ELECTRON_RENDERER_URL ?? 'file://';
}

/** Only top-level frames of our own windows, showing our own renderer, may call the contract. */
export function isTrustedSender(event: IpcMainInvokeEvent, ours: (wc: WebContents) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !ours(event.sender)) return false;
  return frame.url.startsWith(rendererOrigin());
}

export function installAppWideGuards(): void {
  app.on('web-contents-created', (_e, contents) => {
    // No navigation away from the app, no new windows; links with http(s) go to the system browser.
    contents.on('will-navigate', (ev, url) => {
      if (!url.startsWith(rendererOrigin())) ev.preventDefault();
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
