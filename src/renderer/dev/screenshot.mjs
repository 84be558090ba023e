/**
 * @file Dev aid, not a test: drives the built renderer in Debian Chromium against a running browser harness
 * and writes screenshots, so the UI can be looked at on a machine without a display.
 *
 *   npx tsx src/harness/serve.ts --port 5180 &      (after `npx vite build --config vite.web.config.ts`)
 *   node src/renderer/dev/screenshot.mjs [url] [outDir] [imagePath]
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const url = process.argv[2] ?? 'http://127.0.0.1:5180/';
const out = process.argv[3] ?? '/tmp/lab-shots';
const image = process.argv[4] ?? '/work/shared/data/xpci/tiepy/sample.tif';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
const logs = [];
page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
page.on('request', (r) => {
  if (!r.url().startsWith(url.replace(/\/$/, '')) && !r.url().startsWith('ws://127.0.0.1') && !r.url().startsWith('data:'))
    logs.push(`[external request] ${r.url()}`);
});

await page.goto(url);
await page.waitForTimeout(1500);
await page.screenshot({ path: `${out}/01-empty.png` });

await page.getByTestId('open-path-input').fill('/nonexistent/missing.tif');
await page.getByTestId('open-path-button').click();
await page.getByTestId('error-banner').waitFor({ timeout: 10_000 }).catch(() => {});
await page.screenshot({ path: `${out}/02-error.png` });

await page.getByTestId('open-path-input').fill(image);
await page.getByTestId('open-path-button').click();
await page.getByTestId('image-size').waitFor({ timeout: 30_000 }).catch(() => logs.push('image did not open'));
await page.waitForTimeout(800);
const canvas = page.getByTestId('viewer-canvas');
const box = await canvas.boundingBox();
const attrs = await canvas.evaluate((c) => ({ s: c.dataset.viewScale, x: c.dataset.viewOffsetX, y: c.dataset.viewOffsetY }));
logs.push(`canvas box ${JSON.stringify(box)} view ${JSON.stringify(attrs)}`);
if (box) {
  const sx = box.x + box.width * 0.4;
  const sy = box.y + box.height * 0.5;
  await page.mouse.move(sx, sy);
  await page.waitForTimeout(300);
  const s = Number(attrs.s);
  const expect = { x: Math.floor((sx - box.x - Number(attrs.x)) / s), y: Math.floor((sy - box.y - Number(attrs.y)) / s) };
  const read = {
    x: await page.getByTestId('readout-x').textContent(),
    y: await page.getByTestId('readout-y').textContent(),
    value: await page.getByTestId('readout-value').textContent(),
    exact: await page.getByTestId('readout-value').getAttribute('data-value'),
    phys: await page.getByTestId('readout-phys').textContent(),
  };
  logs.push(`hover expect ${JSON.stringify(expect)} read ${JSON.stringify(read)}`);
}
await page.screenshot({ path: `${out}/03-open.png` });

// zoom in about the cursor to single pixels
if (box) {
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(40);
  }
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${out}/04-zoomed.png` });
  await page.keyboard.press('f');
  await page.keyboard.press('1');
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/05-1to1.png` });
  await page.keyboard.press('f');
}
if (await page.getByTestId('contrast-auto-minmax').isEnabled()) {
  await page.getByTestId('contrast-auto-minmax').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/06-minmax.png` });
}

for (const id of ['dic', 'jobs']) {
  await page.getByTestId(`nav-${id}`).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${out}/07-${id}.png` });
}
const status = {};
for (const id of ['status-transport', 'status-ort', 'status-provider', 'status-jobs']) status[id] = await page.getByTestId(id).textContent();
logs.push(`status ${JSON.stringify(status)}`);
await browser.close();
console.log(logs.join('\n'));
