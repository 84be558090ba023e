/**
 * @file The renderer-URL rule behind the navigation guard and the IPC sender check (Note: Renderer URL,
 * renderer-url.ts): only the app's own entry page is the app, never another local file.
 */
import { describe, expect, it } from 'vitest';
import { isRendererUrl, rendererEntryUrl } from './renderer-url';

const ENTRY = 'file:///opt/Speckle%20Lab/resources/app.asar/out/renderer/index.html';

describe('rendererEntryUrl', () => {
  it('is the packaged index.html as a file URL, or the dev server when there is one', () => {
    expect(rendererEntryUrl(undefined, '/opt/Speckle Lab/resources/app.asar/out/renderer/index.html')).toBe(ENTRY);
    expect(rendererEntryUrl('', '/opt/app/out/renderer/index.html')).toBe('file:///opt/app/out/renderer/index.html');
    expect(rendererEntryUrl('http://localhost:5173', '/opt/app/out/renderer/index.html')).toBe('http://localhost:5173');
  });
});

describe('isRendererUrl, packaged', () => {
  it('accepts the entry page and its #/workspace routes', () => {
    expect(isRendererUrl(ENTRY, ENTRY)).toBe(true);
    expect(isRendererUrl(`${ENTRY}#/dic`, ENTRY)).toBe(true);
    expect(isRendererUrl(`${ENTRY}#/x`, ENTRY)).toBe(true);
    // the same file escaped differently (Electron's loadFile leaves the space as is)
    expect(isRendererUrl('file:///opt/Speckle Lab/resources/app.asar/out/renderer/index.html', ENTRY)).toBe(true);
  });

  it('refuses any other local file: a dropped image, a dropped .html, a sibling of the entry', () => {
    expect(isRendererUrl('file:///home/u/evil.html', ENTRY)).toBe(false);
    expect(isRendererUrl('file:///home/u/scan.tif', ENTRY)).toBe(false);
    expect(isRendererUrl('file:///opt/Speckle%20Lab/resources/app.asar/out/renderer/other.html', ENTRY)).toBe(false);
    expect(isRendererUrl('file:///opt/Speckle%20Lab/resources/app.asar/out/renderer/', ENTRY)).toBe(false);
    expect(isRendererUrl('file:///opt/Speckle%20Lab/resources/app.asar/out/renderer/index.html/../../../../../../home/u/evil.html', ENTRY)).toBe(false);
    expect(isRendererUrl('file:///', ENTRY)).toBe(false);
  });

  it('refuses the entry path with a query, on another host, or under another scheme', () => {
    expect(isRendererUrl(`${ENTRY}?x=1`, ENTRY)).toBe(false);
    expect(isRendererUrl('file://evil-host/opt/Speckle%20Lab/resources/app.asar/out/renderer/index.html', ENTRY)).toBe(false);
    expect(isRendererUrl('http://localhost/opt/Speckle%20Lab/resources/app.asar/out/renderer/index.html', ENTRY)).toBe(false);
    expect(isRendererUrl('https://example.com/', ENTRY)).toBe(false);
    expect(isRendererUrl('data:text/html,<script>1</script>', ENTRY)).toBe(false);
    expect(isRendererUrl('about:blank', ENTRY)).toBe(false);
    expect(isRendererUrl('not a url', ENTRY)).toBe(false);
    expect(isRendererUrl('', ENTRY)).toBe(false);
  });

  it('treats Windows drive letters case-insensitively and nothing else', () => {
    const win = 'file:///C:/Program%20Files/Speckle%20Lab/resources/app.asar/out/renderer/index.html';
    expect(isRendererUrl('file:///c:/Program%20Files/Speckle%20Lab/resources/app.asar/out/renderer/index.html#/xray', win)).toBe(true);
    expect(isRendererUrl('file:///C:/Users/u/Downloads/evil.html', win)).toBe(false);
  });
});

describe('isRendererUrl, development', () => {
  const DEV = 'http://localhost:5173';
  it('accepts pages of the dev server origin and nothing that only starts like it', () => {
    expect(isRendererUrl('http://localhost:5173/', DEV)).toBe(true);
    expect(isRendererUrl('http://localhost:5173/#/restore', DEV)).toBe(true);
    expect(isRendererUrl('http://localhost:5173.evil.example/', DEV)).toBe(false);
    expect(isRendererUrl('http://localhost:51730/', DEV)).toBe(false);
    expect(isRendererUrl('https://localhost:5173/', DEV)).toBe(false);
    expect(isRendererUrl('http://localhost:5173@evil.example/', DEV)).toBe(false);
    expect(isRendererUrl('file:///home/u/evil.html', DEV)).toBe(false);
  });
});
