#!/usr/bin/env node
// The README's screenshot of the browser page after training: serves the page with the given
// Farzi Data and evaluation sample, trains in headless Chromium (wasm), builds a history from
// titles and saves a PNG.
//   node tools/bench/scripts/webScreenshot.js <farzi-data.safetensors> <eval.json> <out.png> [item ids…]
'use strict';
const puppeteer = require('puppeteer-core');
const { serveSite } = require('@farzi/web');

async function main() {
  const [data, evalFile, out, ...items] = process.argv.slice(2);
  const site = await serveSite({ data, eval: evalFile }, { port: 0 });
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-swiftshader'],
    defaultViewport: { width: 900, height: 1000, deviceScaleFactor: 1 },
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${site.url}?backend=wasm`);
    await page.waitForFunction(() => globalThis.farzi?.status === 'ready', { timeout: 60000 });
    await page.click('#train');
    await page.waitForFunction(() => globalThis.farzi.status === 'trained', { timeout: 600000 });
    const titles = JSON.parse(require('fs').readFileSync(evalFile, 'utf8')).titles ?? {};
    for (const id of items) {
      await page.type('#item', titles[id] ? `${titles[id]} (${id})` : id);
      await page.click('#add button');
    }
    await page.waitForFunction(() => (globalThis.farzi.recommendations ?? []).length > 0 || true);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await site.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
