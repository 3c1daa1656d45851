// Lighthouse (npm `lighthouse`, pinned in package.json) on each address given, one after the other in
// one Chromium, with its default settings: the mobile preset, with simulated throttling of a mid-range
// phone on a slow 4G network. Prints, as JSON, each address's category scores and the audits that lost
// points, for tests/test_lighthouse.py. Chromium is $CHROME_PATH (Debian's: /usr/bin/chromium).
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const reports = {};
  for (const url of process.argv.slice(2)) {
    const { lhr } = await lighthouse(url, { port: chrome.port, onlyCategories: CATEGORIES, logLevel: "error" }, {
      extends: "lighthouse:default",
      // Audits that weigh nothing in any score and cost seconds each: leaving the page and coming back (bf-cache)
      // and the screenshots.
      settings: { skipAudits: ["bf-cache", "screenshot-thumbnails", "final-screenshot"], disableFullPageScreenshot: true },
    });
    if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const scores = Object.fromEntries(CATEGORIES.map((name) => [name, lhr.categories[name].score]));
    const lost = Object.values(lhr.audits)
      .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== "informative")
      .map((audit) => `${audit.id}: ${audit.displayValue ?? audit.title} (${audit.score})`);
    reports[url] = { scores, lost };
  }
  process.stdout.write(JSON.stringify(reports, null, 1) + "\n");
} finally {
  await chrome.kill();
}
