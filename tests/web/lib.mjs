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
