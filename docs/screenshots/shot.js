const chromium = require('@sparticuz/chromium');
const puppeteer = require('puppeteer-core');
(async () => {
  const [,, url, out, width, height] = process.argv;
  const browser = await puppeteer.launch({
    args: chromium.args, executablePath: await chromium.executablePath(), headless: true,
    defaultViewport: {width: parseInt(width || '1280'), height: parseInt(height || '900')}});
  const page = await browser.newPage();
  await page.goto(url, {waitUntil: 'networkidle0'});
  await page.screenshot({path: out, fullPage: false});
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
