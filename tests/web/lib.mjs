// Helpers of the browser tests: a small HTTP client of the API (API.md), waits that always
// end, exact-text assertions, screenshots at phone and desktop width, and a tiny sequential
// runner that prints one line per scenario and the totals.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// One API call; resolves {status, body} and never throws on an HTTP error status.
export async function call(base, method, urlPath, { token, body, lang, headers } = {}) {
  const h = { Accept: 'application/json', ...(headers || {}) };
  if (token) h.Authorization = `Bearer ${token}`;
  if (lang) h['Accept-Language'] = lang;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + urlPath, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

// Like call(), but asserts the status and returns the body.
export async function must(base, status, method, urlPath, opts) {
  const res = await call(base, method, urlPath, opts);
  if (res.status !== status) {
    throw new Error(`${method} ${urlPath}: expected ${status}, got ${res.status} ` +
      JSON.stringify(res.body));
  }
  return res.body;
}

// ¥12.50 from 1250, with integer arithmetic only (the page's format, independently).
export function yuan(minor) {
  const v = BigInt(minor);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const cents = a % 100n;
  return `${neg ? '-' : ''}¥${a / 100n}.${cents < 10n ? '0' : ''}${cents}`;
}

// The quote arithmetic of API.md, "Cancellation rules", computed here from the policy
// numbers so the page's amounts are checked against an independent derivation.
export function prorated(amount, delivered, quantity, policy) {
  const a = BigInt(amount);
  const charged = (a * BigInt(delivered)) / BigInt(quantity);
  const rest = a - charged;
  let fee = BigInt(policy.fee_fixed_minor) + (rest * BigInt(policy.fee_bps)) / 10000n;
  if (fee > rest) fee = rest;
  return { charged, fee, refund: rest - fee };
}

export function withFee(amount, policy) {
  const rest = BigInt(amount);
  let fee = BigInt(policy.fee_fixed_minor) + (rest * BigInt(policy.fee_bps)) / 10000n;
  if (fee > rest) fee = rest;
  return { charged: 0n, fee, refund: rest - fee };
}

function norm(s) {
  return String(s ?? '').replace(/\s+/g, ' ').trim();
}

// Retry `probe` until it returns true (or undefined), at most `timeoutMs`.
export async function eventually(what, probe, timeoutMs = 8000) {
  const end = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    try {
      const r = await probe();
      if (r === undefined || r === true) return;
      last = r;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${detail}`);
    }
    await sleep(100);
  }
}

async function textOf(locator) {
  const n = await locator.count();
  if (n === 0) return { missing: true };
  if (n > 1) return { many: n };
  return norm(await locator.innerText({ timeout: 1000 }));
}

// The element's visible text equals `expected` exactly (whitespace collapsed).
export async function expectText(locator, expected, timeoutMs) {
  let got;
  await eventually(`text ${JSON.stringify(expected)} in ${locator}`, async () => {
    got = await textOf(locator);
    return got === norm(expected) ? true : got;
  }, timeoutMs);
}

// The element's visible text contains `part`.
export async function expectContains(locator, part, timeoutMs) {
  await eventually(`text containing ${JSON.stringify(part)} in ${locator}`, async () => {
    const got = await textOf(locator);
    return typeof got === 'string' && got.includes(norm(part)) ? true : got;
  }, timeoutMs);
}

export async function expectVisible(locator, timeoutMs) {
  await eventually(`${locator} visible`, async () => ((await locator.count()) > 0 &&
    (await locator.first().isVisible())) || 'not visible', timeoutMs);
}

export async function expectHidden(locator, timeoutMs) {
  await eventually(`${locator} hidden`, async () => ((await locator.count()) === 0 ||
    !(await locator.first().isVisible())) || 'still visible', timeoutMs);
}

// Screenshots of the current screen at phone and desktop width (full page).
// A modal dialog is shot as the viewport shows it (fullPage: false).
export async function shoot(page, dir, name, { fullPage = true } = {}) {
  const before = page.viewportSize();
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(size);
    await sleep(150);
    await page.screenshot({ path: path.join(dir, `${name}-${label}.png`), fullPage });
  }
  if (before) await page.setViewportSize(before);
}

// Accessibility checks a program can make on the screen as it is: the document has a
// language and one h1; every form control has a label; every button and link has a name;
// every visible text meets WCAG AA contrast against the background it is drawn on
// (4.5:1, or 3:1 for large text). Returns a list of problems (empty when all is well).
export async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    if (!document.documentElement.lang) problems.push('html has no lang');
    const h1s = [...document.querySelectorAll('main h1')].filter((e) => e.offsetParent);
    if (h1s.length !== 1) problems.push(`main has ${h1s.length} visible h1`);
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
      getComputedStyle(el).visibility !== 'hidden';
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (!visible(el) || el.type === 'hidden') continue;
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby');
      if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()}#${el.id}`);
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (!visible(el)) continue;
      const name = (el.getAttribute('aria-label') || el.textContent || '').trim();
      if (!name) problems.push(`${el.tagName.toLowerCase()} without a name: ${el.outerHTML.slice(0, 80)}`);
    }
    const rgba = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = (c) => {
      const f = (v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || seen.has(el) || !visible(el)) continue;
      if (el.closest('[hidden], noscript, .visually-hidden, .skip')) continue;
      if (el.closest('button:disabled')) continue;
      seen.add(el);
      const st = getComputedStyle(el);
      const fg = rgba(st.color);
      if (!fg) continue;
      const bg = background(el);
      const l1 = lum(fg);
      const l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        problems.push(`contrast ${ratio.toFixed(2)} for "${n.textContent.trim().slice(0, 30)}"`);
      }
    }
    return problems;
  });
}

// A tiny runner: scenarios run one after another, each with its own time limit.
export class Runner {
  constructor() {
    this.tests = [];
    this.passed = 0;
    this.failed = 0;
  }

  test(name, fn, opts = {}) {
    this.tests.push({ name, fn, timeoutMs: opts.timeoutMs || 60000, opts });
  }

  async run(before, after) {
    for (const t of this.tests) {
      const started = Date.now();
      let env = null;
      try {
        env = await before(t);
        let timer;
        const limit = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`scenario took over ${t.timeoutMs} ms`)),
            t.timeoutMs);
        });
        try {
          await Promise.race([t.fn(env), limit]);
        } finally {
          clearTimeout(timer);
        }
        if (env && env.pageErrors && env.pageErrors.length) {
          throw new Error(`uncaught errors in the page: ${env.pageErrors.join(' | ')}`);
        }
        this.passed++;
        console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
      } catch (e) {
        this.failed++;
        console.log(`not ok - ${t.name} (${Date.now() - started} ms)`);
        console.log(String(e && e.stack ? e.stack : e).split('\n').map((l) => `  ${l}`).join('\n'));
        if (env && env.onFailure) {
          try {
            await env.onFailure(t.name);
          } catch (e2) {
            console.log(`  (could not save the failure screenshot: ${e2.message})`);
          }
        }
      } finally {
        if (after) {
          try {
            await after(env);
          } catch (e) {
            console.log(`  (cleanup after "${t.name}" failed: ${e.message})`);
          }
        }
      }
    }
  }
}

export function writeResults(file, passed, failed) {
  fs.writeFileSync(file, `${passed} ${failed}\n`);
}

export { assert };
