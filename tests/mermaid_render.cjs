// Renders mermaid diagrams the way a browser does, in one headless Chromium, and says which fail.
//
//   node mermaid_render.cjs MERMAID_CLI_DIR CHROMIUM DIAGRAMS.json JOBS TIMEOUT_SECONDS
//
// MERMAID_CLI_DIR is an installed @mermaid-js/mermaid-cli: its own puppeteer and mermaid are used.
// DIAGRAMS.json is a list of diagram texts. Chromium starts once and mermaid is loaded once per
// worker page (JOBS pages, each in a browser context of its own, so in a renderer process of its
// own); each diagram then goes through mermaid's own checks and drawing:
//   - mermaid.parse: a syntax error;
//   - the text and edge limits of mermaid's configuration (maxTextSize, maxEdges), with the edges
//     counted by mermaid's own parse: mermaid draws "Maximum text size in diagram exceeded"
//     instead of failing, and applies maxEdges to flowcharts only;
//   - mermaid.render, the full layout and drawing (what GitHub shows): any error it throws, and
//     mermaid's error texts in the SVG it returns.
// A diagram not drawn within TIMEOUT_SECONDS is an error too (its worker stops; the others go on).
// Prints one JSON line per diagram, {"index", "error" (null when it renders), "ms"}, in the
// order they finish, then {"done", "ms", "setup_ms"}.
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const ERROR_TEXTS = ["Maximum text size in diagram exceeded", "Syntax error in text"];
const LATE = Symbol("late");

async function startWorker(browser, mermaidJs) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setContent('<!doctype html><html><body><div id="container"></div></body></html>');
  await page.addScriptTag({ path: mermaidJs });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false }));
  return page;
}

async function check(page, text, index, errorTexts) {
  return page.evaluate(
    async (text, index, errorTexts) => {
      const mermaid = window.mermaid;
      const config = mermaid.mermaidAPI.getConfig();
      const container = document.getElementById("container");
      let phase = "mermaid.parse";
      try {
        if (text.length > config.maxTextSize) {
          return `Maximum text size in diagram exceeded: ${text.length} characters, mermaid's maxTextSize is ${config.maxTextSize}`;
        }
        await mermaid.parse(text); // throws on a syntax error
        const parsed = await mermaid.mermaidAPI.getDiagramFromText(text);
        const edges = (parsed.db.getRelationships?.() ?? parsed.db.getEdges?.() ?? []).length;
        if (edges > config.maxEdges) {
          return `Edge limit exceeded: ${edges} edges, mermaid's maxEdges is ${config.maxEdges}`;
        }
        phase = "mermaid.render";
        const { svg } = await mermaid.render(`diagram-${index}`, text, container);
        const shown = errorTexts.find((error) => svg.includes(error));
        return shown ? `${phase} drew "${shown}"` : null;
      } catch (error) {
        return `${phase}: ${String((error && error.message) || error)}`;
      } finally {
        container.innerHTML = "";
      }
    },
    text,
    index,
    errorTexts,
  );
}

async function main() {
  const [cliDir, chromium, input, jobs, timeout] = process.argv.slice(2);
  const timeoutMs = Number(timeout) * 1000;
  const require_ = createRequire(path.join(path.resolve(cliDir), "package.json"));
  const puppeteer = require_("puppeteer");
  const mermaidJs = path.join(path.dirname(require_.resolve("mermaid/package.json")), "dist", "mermaid.min.js");
  const diagrams = JSON.parse(fs.readFileSync(input, "utf8"));
  const started = Date.now();
  const browser = await puppeteer.launch({
    executablePath: chromium,
    args: ["--no-sandbox"],
    headless: "shell",
    protocolTimeout: 0, // a diagram of 60 tables with every column takes tens of seconds to lay out
  });
  try {
    const pages = await Promise.all(
      Array.from({ length: Math.max(1, Math.min(Number(jobs) || 1, diagrams.length)) }, () =>
        startWorker(browser, mermaidJs),
      ),
    );
    const setup = Date.now() - started;
    let next = 0;
    const reported = new Set();
    await Promise.all(
      pages.map(async (page) => {
        while (next < diagrams.length) {
          const index = next++;
          const begun = Date.now();
          let timer;
          const late = new Promise((resolve) => {
            timer = setTimeout(resolve, timeoutMs, LATE);
          });
          const error = await Promise.race([check(page, diagrams[index], index, ERROR_TEXTS), late]);
          clearTimeout(timer);
          reported.add(index);
          if (error === LATE) {
            // the page is still busy with it: this worker stops, the others go on
            console.log(JSON.stringify({ index, error: `not drawn within ${timeout} s`, ms: timeoutMs }));
            return;
          }
          console.log(JSON.stringify({ index, error, ms: Date.now() - begun }));
        }
      }),
    );
    for (const [index] of diagrams.entries()) {
      if (!reported.has(index)) {
        console.log(JSON.stringify({ index, error: "not drawn: every worker timed out before it", ms: 0 }));
      }
    }
    console.log(JSON.stringify({ done: diagrams.length, ms: Date.now() - started, setup_ms: setup }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
