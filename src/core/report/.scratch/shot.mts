import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage({ viewport: { width: 1000, height: 1400 } });
await p.goto('file:///tmp/rep/out/report.html');
await p.screenshot({ path: '/tmp/rep/out/screen1.png' });
await p.evaluate(() => document.getElementById('sec-1-4')!.scrollIntoView());
await p.screenshot({ path: '/tmp/rep/out/screen2.png' });
await b.close();
