/**
 * @file Which URLs are the app's own renderer: the rule behind the window's navigation guard and the IPC
 * sender check (security.ts), kept free of Electron so it can be tested under plain Node.
 *
 * Note: Renderer URL. A prefix such as "file://" trusts every local file: a file dropped on the window, or
 * an .html file among them, would replace the app and get the preload's `window.lab`. Only the exact entry
 * page counts: the packaged index.html file (any `#/workspace` route on it: the app keeps the workspace in
 * the hash), or, in development, the dev server's origin (compared as an origin, so
 * "http://localhost:5173.evil.example" is not it).
 */
import { pathToFileURL } from 'node:url';

/** The URL the app window loads: the dev server when one is given, else the packaged index.html. */
export function rendererEntryUrl(devServerUrl: string | undefined, indexHtmlPath: string): string {
  return devServerUrl && devServerUrl.trim() !== '' ? devServerUrl : pathToFileURL(indexHtmlPath).href;
}

/** Whether `url` shows the app's renderer whose entry is `entry` (see Note: Renderer URL). */
export function isRendererUrl(url: string, entry: string): boolean {
  let u: URL;
  let e: URL;
  try {
    u = new URL(url);
    e = new URL(entry);
  } catch {
    return false;
  }
  if (e.protocol !== 'file:') return u.origin !== 'null' && u.origin === e.origin;
  return u.protocol === 'file:' && u.host === e.host && u.search === e.search && sameFilePath(u.pathname, e.pathname);
}

/** Electron and Node may escape different characters of one path (spaces, non-ASCII), so compare decoded. */
function sameFilePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    let s: string;
    try {
      s = decodeURIComponent(p);
    } catch {
      return null;
    }
    // Windows drive letters: file:///c:/ and file:///C:/ are one file.
    return s.replace(/^\/([a-z]):/, (_m, d: string) => `/${d.toUpperCase()}:`);
  };
  const na = norm(a);
  return na !== null && na === norm(b);
}
