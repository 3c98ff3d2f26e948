// Browser tests of the buyer's page: Debian's Chromium, headless, driven by playwright-core,
// against a real fairorder server with the test clock (tests/web/run.sh starts it and sets
// up the fixtures). Every scenario uses a fresh buyer and a fresh browser context, plays the
// supplier and the operator through the API, and asserts the exact texts and amounts a
// buyer reads. Amounts expected on screen are derived here from the policy numbers.
//
// Usage: FO_ADMIN_TOKEN=... node web_test.mjs --url URL --fixtures F --results R
//        --screenshots DIR [--only SUBSTRING]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import {
  Runner, assert, accessibilityProblems, call, must, eventually, expectText, expectContains, expectVisible,
  expectHidden, shoot, yuan, prorated, withFee, writeResults, DESKTOP, sleep,
} from './lib.mjs';

const { values: args } = parseArgs({ options: {
  url: { type: 'string' }, fixtures: { type: 'string' }, results: { type: 'string' },
  screenshots: { type: 'string' }, only: { type: 'string' },
} });
const BASE = args.url;
const ADMIN = process.env.FO_ADMIN_TOKEN;
const FX = JSON.parse(fs.readFileSync(args.fixtures, 'utf8'));
const SHOTS = args.screenshots;
fs.mkdirSync(SHOTS, { recursive: true });

const POLICY = FX.policy;
const POINTS = FX.points;
const MINUTES = FX.minutes;
const EN = 'en';
const ZH = 'zh-CN';

/* ---------- API helpers: the operator, the buyer (outside the page), the supplier ---------- */

let buyerCount = 0;
async function newBuyer(topups = [10000]) {
  buyerCount++;
  const b = await must(BASE, 201, 'POST', '/v1/admin/buyers', {
    token: ADMIN, body: { name: `Web buyer ${buyerCount}` } });
  let i = 0;
  for (const amount of topups) {
    i++;
    await must(BASE, 201, 'POST', `/v1/admin/buyers/${b.id}/topups`, {
      token: ADMIN, body: { amount_minor: amount, reference: `web-${b.id}-${i}` } });
  }
  return b;
}

async function place(buyer, service, quantity, target = 'player-12345') {
  return must(BASE, 201, 'POST', '/v1/orders', { token: buyer.token, body: {
    service_id: service.id, quantity, target } });
}

async function getOrder(buyer, id, lang = EN) {
  return must(BASE, 200, 'GET', `/v1/orders/${id}`, { token: buyer.token, lang });
}

async function wallet(buyer) {
  return must(BASE, 200, 'GET', '/v1/wallet', { token: buyer.token });
}

async function claim(supplier, orderId) {
  const answer = await must(BASE, 200, 'POST', '/v1/supplier/claim', {
    token: supplier.token, body: { max: 1 } });
  assert.equal(answer.jobs.length, 1, 'the supplier claims exactly one job');
  assert.equal(answer.jobs[0].order_id, orderId, 'the supplier claims the order under test');
}

async function progress(supplier, orderId, delivered) {
  // One second of the server's clock between reports, so that none is coalesced away.
  await advance(1);
  return must(BASE, 200, 'POST', `/v1/supplier/jobs/${orderId}/progress`, {
    token: supplier.token, body: { delivered } });
}

async function advance(seconds) {
  return must(BASE, 200, 'POST', '/v1/admin/test-clock/advance', {
    token: ADMIN, body: { seconds } });
}

async function serviceView(buyer, id, lang) {
  const list = await must(BASE, 200, 'GET', '/v1/services?limit=200', { token: buyer.token, lang });
  const svc = list.data.find((s) => s.id === id);
  assert.ok(svc, `service ${id} is listed`);
  return svc;
}

// Every open order of the buyer ends, so the next scenario's supplier claims only its own.
async function closeOpenOrders(buyer) {
  if (!buyer) return;
  const list = await must(BASE, 200, 'GET', '/v1/orders?limit=200', { token: buyer.token });
  for (const o of list.data) {
    if (['pending', 'queued', 'executing'].includes(o.state)) {
      await must(BASE, 200, 'POST', `/v1/orders/${o.id}/cancel`, { token: buyer.token, body: {} });
    }
  }
}

// Does the server answer the event stream (text/event-stream)? Reads only the headers.
async function streamAvailable(buyer, orderId) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 5000);
  try {
    const res = await fetch(`${BASE}/v1/orders/${orderId}/events`, { signal: ac.signal,
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${buyer.token}` } });
    return res.status === 200 &&
      String(res.headers.get('content-type')).startsWith('text/event-stream');
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

/* ---------- page helpers ---------- */

// Every screen that is shot is also checked for what a program can check of accessibility.
async function screen(page, name, opts) {
  const problems = await accessibilityProblems(page);
  assert.deepEqual(problems, [], `accessibility of the screen "${name}"`);
  await shoot(page, SHOTS, name, opts);
}

async function signIn(page, buyer, { lang = 'en' } = {}) {
  await page.goto(`${BASE}/`);
  const label = lang === 'zh' ? '买家令牌' : 'Buyer token';
  const button = lang === 'zh' ? '登录' : 'Sign in';
  await page.getByLabel(label).fill(buyer.token);
  await page.getByRole('button', { name: button, exact: true }).click();
  await expectText(page.locator('main h1'), lang === 'zh' ? '服务' : 'Services');
}

async function openOrder(page, id) {
  await page.goto(`${BASE}/#/orders/${id}`);
  await expectVisible(page.locator(`section.order-page[data-order="${id}"]`));
}

function quoteLine(page, name) {
  return page.locator(`[data-panel="quote"] [data-line="${name}"] dd`);
}

function receiptLine(page, name) {
  return page.locator(`[data-panel="settlement"] [data-line="${name}"] dd`);
}

function dialogLine(page, name) {
  return page.locator(`dialog.confirm [data-line="${name}"] dd`);
}

async function expectQuote(page, q) {
  await expectText(quoteLine(page, 'charged'), yuan(q.charged));
  await expectText(quoteLine(page, 'fee'), yuan(q.fee));
  await expectText(quoteLine(page, 'refund'), yuan(q.refund));
}

async function expectReceipt(page, s, paid) {
  await expectText(receiptLine(page, 'charged'), yuan(s.charged));
  await expectText(receiptLine(page, 'fee'), yuan(s.fee));
  await expectText(receiptLine(page, 'refund'), yuan(s.refund));
  await expectText(receiptLine(page, 'paid'), yuan(paid));
  await expectText(page.locator('[data-equation]'),
    `${yuan(s.charged)} + ${yuan(s.fee)} + ${yuan(s.refund)} = ${yuan(paid)}`);
  assert.equal(s.charged + s.fee + s.refund, BigInt(paid), 'charged + fee + refund = paid');
}

const badge = (page) => page.locator('.page-head .badge');
const currentStep = (page) => page.locator('.steps [aria-current="step"] .step-label');
const progressText = (page) => page.locator('#progress-text');

/* ---------- scenarios ---------- */

const runner = new Runner();
const test = (name, fn, opts) => {
  if (!args.only || name.includes(args.only)) runner.test(name, fn, opts);
};

test('sign in with a buyer token, see services with their rules, sign out', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  await page.goto(`${BASE}/`);
  await expectText(page.locator('main h1'), 'Sign in');
  await screen(page, '01-signin');

  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectContains(page.locator('main .form-problem'), 'Paste your buyer token first.');

  const bad = await call(BASE, 'GET', '/v1/wallet', { token: 'not-a-token', lang: EN });
  assert.equal(bad.status, 401);
  await page.getByLabel('Buyer token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const problem = page.locator('main .form-problem [role="alert"]');
  await expectContains(problem, 'This token was not accepted. Check that you copied all of it.');
  await expectContains(problem, bad.body.error.message);

  await page.getByLabel('Buyer token').fill(buyer.token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(page.locator('main h1'), 'Services');
  assert.equal(await page.evaluate(() => localStorage.getItem('fairorder.token')), buyer.token);

  const svc = await serviceView(buyer, POINTS.id, EN);
  const card = page.locator(`[data-service="${POINTS.id}"]`);
  await expectText(card.locator('h2'), POINTS.name);
  await expectContains(card, '¥0.05 / point');
  await expectContains(card, '100 – 100000 point');
  await expectText(card.locator('.summary'), svc.policy.summary);
  await expectText(page.locator('main .chip'), 'Available ¥100.00');
  await screen(page, '02-services');

  await page.reload();
  await expectText(page.locator('main h1'), 'Services');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectText(page.locator('main h1'), 'Sign in');
  await expectContains(page.locator('#flash'), 'You are signed out');
  assert.equal(await page.evaluate(() => localStorage.getItem('fairorder.token')), null);
});

test('buy with consent: the order appears and the wallet holds its amount', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  await signIn(page, buyer);
  await page.getByRole('link', { name: `Buy ${POINTS.name}` }).click();
  await expectText(page.locator('main h1'), 'Confirm your purchase');

  const svc = await serviceView(buyer, POINTS.id, EN);
  await expectText(page.locator('.rules-box .summary'), svc.policy.summary);
  await expectContains(page.locator('.rules-box .facts'), 'Free cancellation period 10 min');
  await expectContains(page.locator('.rules-box .facts'),
    'Cancellation fee ¥0.50 + 2% of the undelivered rest');

  await page.getByLabel('Quantity (point)').fill('50');
  await page.getByLabel('Delivery target').fill('player-12345');
  await page.getByLabel('I have read and accept the cancellation rules above.').check();
  await page.getByRole('button', { name: /^Pay/ }).click();
  await expectContains(page.locator('[data-problem="pay"]'), 'Enter a whole number from 100 to 100000.');

  await page.getByLabel('Quantity (point)').fill('1000');
  await expectText(page.locator('[data-total]'), '¥50.00');
  await page.getByLabel('I have read and accept the cancellation rules above.').uncheck();
  await page.getByRole('button', { name: 'Pay ¥50.00' }).click();
  await expectContains(page.locator('[data-problem="pay"]'),
    'Please tick the box to confirm you have read the cancellation rules.');
  const none = await must(BASE, 200, 'GET', '/v1/orders', { token: buyer.token });
  assert.equal(none.data.length, 0, 'nothing is bought without consent');
  await screen(page, '03-buy');

  await page.getByLabel('I have read and accept the cancellation rules above.').check();
  await page.getByRole('button', { name: 'Pay ¥50.00' }).click();
  await eventually('the order page', async () => /#\/orders\/ord_/.test(page.url()) || page.url());
  const id = decodeURIComponent(page.url().split('#/orders/')[1]);
  await expectContains(page.locator('#flash'), 'Order placed. ¥50.00 is held');
  const order = await getOrder(buyer, id);
  assert.equal(order.amount_minor, 5000);
  assert.equal(order.quantity, 1000);
  assert.equal(order.target, 'player-12345');
  assert.equal(order.policy.id, POLICY.id);
  await expectText(badge(page), order.state === 'queued' ? "In the supplier's queue"
    : 'Waiting for capacity');

  const w = await wallet(buyer);
  assert.equal(w.available_minor, 5000);
  assert.equal(w.held_minor, 5000);
  await page.getByRole('link', { name: 'Wallet' }).click();
  await expectText(page.locator('[data-balance="available"] .balance-amount'), yuan(w.available_minor));
  await expectText(page.locator('[data-balance="held"] .balance-amount'), yuan(w.held_minor));
  const first = page.locator('.entries li').first();
  await expectContains(first, 'Held for an order');
  await expectContains(first.locator('.entry-amount'), '-¥50.00');
  await first.getByRole('link', { name: `Order ${id}` }).click();
  await expectVisible(page.locator(`section.order-page[data-order="${id}"]`));

  await page.getByRole('link', { name: 'My orders', exact: true }).click();
  const row = page.locator(`a[data-order="${id}"]`);
  await expectContains(row, '¥50.00');
  await expectContains(row, POINTS.name);
  await expectContains(row, order.state === 'queued' ? "In the supplier's queue"
    : 'Waiting for capacity');
  await screen(page, '03b-orders');
});

test('the order page follows the supplier live: state, progress bar, timeline', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  const streams = await streamAvailable(buyer, order.id);
  assert.ok(streams, 'GET /v1/orders/{id}/events answers text/event-stream (API.md)');

  await signIn(page, buyer);
  await openOrder(page, order.id);
  await page.evaluate(() => { window.__sameDocument = 'yes'; });
  await expectText(page.locator('.live'), 'Live');
  await expectText(currentStep(page), "In the supplier's queue");
  await expectText(progressText(page), 'Delivered 0 of 1000 point · 0%');

  await claim(FX.supplierA, order.id);
  await expectText(badge(page), 'In progress');
  await expectText(currentStep(page), 'In progress');

  await progress(FX.supplierA, order.id, 250);
  await expectText(progressText(page), 'Delivered 250 of 1000 point · 25%');
  assert.equal(await page.locator('.bar').getAttribute('aria-valuenow'), '250');
  await expectQuote(page, prorated(5000, 250, 1000, POLICY));
  await screen(page, '04-order-in-progress');

  await progress(FX.supplierA, order.id, 600);
  await expectText(progressText(page), 'Delivered 600 of 1000 point · 60%');
  await expectContains(page.locator('.timeline'), 'Delivered 600 of 1000');
  await expectContains(page.locator('.timeline'), 'The supplier started');
  assert.equal(await page.locator('.bar-fill').evaluate((el) => el.style.width), '60%');

  await advance(1);
  await must(BASE, 200, 'POST', `/v1/supplier/jobs/${order.id}/complete`, {
    token: FX.supplierA.token, body: { delivered: 1000 } });
  await expectText(badge(page), 'Completed');
  await expectHidden(page.locator('[data-panel="quote"]'));
  await expectReceipt(page, { charged: 5000n, fee: 0n, refund: 0n }, 5000);
  await expectContains(page.locator('.timeline'), 'Completed: everything delivered');
  assert.equal(await page.evaluate(() => window.__sameDocument), 'yes', 'no reload happened');
  await screen(page, '05-order-completed');
});

test('without the event stream the page falls back to polling and still updates', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  await page.route('**/v1/orders/*/events*', async (route) => {
    const accept = route.request().headers().accept || '';
    if (accept.includes('text/event-stream')) {
      await route.fulfill({ status: 503, contentType: 'application/json',
        body: '{"error":{"code":"unavailable","message":"busy"}}' });
    } else {
      await route.continue();
    }
  });
  await signIn(page, buyer);
  await openOrder(page, order.id);
  await expectText(page.locator('.live'), 'Refreshing every 2 seconds');
  await claim(FX.supplierA, order.id);
  await expectText(badge(page), 'In progress', 6000);
  await progress(FX.supplierA, order.id, 300);
  await expectText(progressText(page), 'Delivered 300 of 1000 point · 30%', 6000);
  await expectContains(page.locator('.timeline'), 'Delivered 300 of 1000', 6000);
});

test('a dropped event stream reconnects with Last-Event-ID', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  const events = await must(BASE, 200, 'GET', `/v1/orders/${order.id}/events`, { token: buyer.token });
  const first = events.data[0];
  const seen = [];
  await page.route('**/v1/orders/*/events*', async (route) => {
    const headers = route.request().headers();
    if (!(headers.accept || '').includes('text/event-stream')) {
      await route.continue();
      return;
    }
    seen.push(headers['last-event-id'] || null);
    if (seen.length === 1) {
      // The first connection delivers one event, then drops.
      await route.fulfill({ status: 200, contentType: 'text/event-stream',
        body: `id: ${first.seq}\nevent: ${first.type}\ndata: ${JSON.stringify(first)}\n\n` });
    } else {
      await route.continue();
    }
  });
  await signIn(page, buyer);
  await openOrder(page, order.id);
  await eventually('a second connection', async () => seen.length >= 2 || seen, 8000);
  assert.equal(seen[0], null, 'the first connection has no Last-Event-ID');
  assert.equal(seen[1], String(first.seq), 'the reconnection resumes after the last event');
  await expectText(page.locator('.live'), 'Live');
  await claim(FX.supplierA, order.id);
  await expectText(badge(page), 'In progress');
});

test('the quote and a live countdown to the end of free cancellation', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  const placed = Date.parse(order.placed_at);
  assert.equal(Date.parse(order.cancel.rule_changes_at), placed + 600000);
  await page.clock.setFixedTime(new Date(placed + 28000));
  await signIn(page, buyer);
  await openOrder(page, order.id);

  const api = await getOrder(buyer, order.id, EN);
  const panel = page.locator('[data-panel="quote"]');
  await expectText(panel.locator('h2'), 'Cancellation quote');
  await expectText(panel.locator('.verdict'), 'You can cancel now');
  await expectText(panel.locator('.why'), 'Free cancellation period: full refund');
  await expectText(panel.locator('.message'), api.cancel.message);
  await expectQuote(page, { charged: 0n, fee: 0n, refund: 5000n });
  await expectContains(panel.locator('.countdown'), 'Free cancellation ends in 9:32');
  await screen(page, '06-order-countdown');

  await page.clock.setFixedTime(new Date(placed + 88000));
  await expectContains(panel.locator('.countdown'), 'Free cancellation ends in 8:32', 4000);

  // The period ends on the server and on the device: the page asks for the new quote.
  await advance(600);
  await page.clock.setFixedTime(new Date(placed + 601000));
  const after = withFee(5000, POLICY);
  await expectText(panel.locator('.why'), "In the supplier's queue: a cancellation fee applies");
  await expectQuote(page, after);
  await expectHidden(panel.locator('.countdown'));
  const api2 = await getOrder(buyer, order.id, EN);
  assert.equal(api2.cancel.reason, 'queued_with_fee');
  assert.equal(BigInt(api2.cancel.refund_minor), after.refund);
});

test('cancel in the free cancellation period: full refund on the receipt (keyboard only)', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  await signIn(page, buyer);
  await openOrder(page, order.id);
  await expectText(quoteLine(page, 'refund'), '¥50.00');

  const cancelButton = page.getByRole('button', { name: 'Cancel this order…' });
  await cancelButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog.confirm');
  await expectVisible(dialog);
  await expectText(dialog.locator('.confirm-refund'), 'You will get back exactly ¥50.00.');
  await expectText(dialogLine(page, 'refund'), '¥50.00');
  await screen(page, '07-cancel-confirm', { fullPage: false });
  await page.keyboard.press('Escape');
  await expectHidden(dialog);
  assert.equal((await getOrder(buyer, order.id)).state, order.state, 'Escape cancels nothing');

  await cancelButton.focus();
  await page.keyboard.press('Enter');
  await expectVisible(dialog);
  const yes = page.getByRole('button', { name: 'Cancel and refund ¥50.00' });
  assert.equal(await yes.evaluate((el) => el === document.activeElement), true,
    'the confirm button has the focus');
  await page.keyboard.press('Enter');

  await expectText(badge(page), 'Cancelled');
  await expectText(page.locator('[data-panel="settlement"] .why'),
    'Cancelled in the free cancellation period: full refund');
  await expectReceipt(page, { charged: 0n, fee: 0n, refund: 5000n }, 5000);
  await expectContains(page.locator('#flash'),
    'Order cancelled. The refund of ¥50.00 is back in your available balance.');
  await expectText(page.locator('.steps [data-step="cancelled"] .step-label'), 'Cancelled');
  await expectHidden(page.locator('[data-panel="quote"]'));
  const w = await wallet(buyer);
  assert.deepEqual([w.available_minor, w.held_minor], [10000, 0]);
  await screen(page, '08-receipt-free-cancellation');
});

test('cancel in progress: prorated charge, fee and refund exact on the receipt', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  await claim(FX.supplierA, order.id);
  await progress(FX.supplierA, order.id, 250);
  const q = prorated(5000, 250, 1000, POLICY);
  assert.deepEqual([q.charged, q.fee, q.refund], [1250n, 125n, 3625n]);

  await signIn(page, buyer);
  await openOrder(page, order.id);
  await expectText(page.locator('[data-panel="quote"] .why'),
    'In progress: delivered units are charged, the rest is refunded minus the fee');
  await expectQuote(page, q);
  const api = await getOrder(buyer, order.id);
  assert.deepEqual([api.cancel.charged_minor, api.cancel.fee_minor, api.cancel.refund_minor],
    [1250, 125, 3625]);

  await page.getByRole('button', { name: 'Cancel this order…' }).click();
  await expectText(page.locator('dialog.confirm .confirm-refund'), 'You will get back exactly ¥36.25.');
  await page.getByLabel('Reason (optional)').fill('Changed my mind');
  await page.getByRole('button', { name: 'Cancel and refund ¥36.25' }).click();

  await expectText(badge(page), 'Cancelled');
  await expectText(page.locator('[data-panel="settlement"] .why'),
    'Cancelled in progress: delivered units charged');
  await expectReceipt(page, q, 5000);
  await expectContains(page.locator('.timeline li').first(), 'Order cancelled');
  const done = await getOrder(buyer, order.id);
  assert.deepEqual([done.settlement.charged_minor, done.settlement.fee_minor,
    done.settlement.refund_minor], [1250, 125, 3625]);
  const w = await wallet(buyer);
  assert.deepEqual([w.available_minor, w.held_minor], [10000 - 5000 + 3625, 0]);
  await screen(page, '09-receipt-prorated');
});

test('quote_changed: the new quote is shown and confirmed again', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  await claim(FX.supplierA, order.id);
  await progress(FX.supplierA, order.id, 250);
  await signIn(page, buyer);
  await openOrder(page, order.id);
  await expectText(quoteLine(page, 'refund'), '¥36.25');
  await page.getByRole('button', { name: 'Cancel this order…' }).click();
  await expectText(page.locator('dialog.confirm .confirm-refund'), 'You will get back exactly ¥36.25.');

  // The supplier delivers more while the buyer reads the confirm step.
  await progress(FX.supplierA, order.id, 500);
  const q2 = prorated(5000, 500, 1000, POLICY);
  assert.deepEqual([q2.charged, q2.fee, q2.refund], [2500n, 100n, 2400n]);
  await expectText(quoteLine(page, 'refund'), yuan(q2.refund));
  await expectText(page.locator('dialog.confirm .confirm-refund'), 'You will get back exactly ¥36.25.');

  await page.getByRole('button', { name: 'Cancel and refund ¥36.25' }).click();
  const alertBox = page.locator('dialog.confirm [role="alert"]');
  await expectContains(alertBox, 'The quote changed just now. Nothing was cancelled.');
  await expectContains(alertBox, 'The refund is now ¥24.00 (it was ¥36.25).');
  await expectText(page.locator('dialog.confirm .confirm-refund'), 'You will get back exactly ¥24.00.');
  await expectText(dialogLine(page, 'charged'), '¥25.00');
  await expectText(dialogLine(page, 'fee'), '¥1.00');
  assert.equal((await getOrder(buyer, order.id)).state, 'executing', 'nothing was cancelled');
  await screen(page, '10-quote-changed', { fullPage: false });

  await page.getByRole('button', { name: 'Cancel and refund ¥24.00' }).click();
  await expectText(badge(page), 'Cancelled');
  await expectReceipt(page, q2, 5000);
  const w = await wallet(buyer);
  assert.deepEqual([w.available_minor, w.held_minor], [10000 - 5000 + 2400, 0]);
});

test('policy_changed at purchase: the new rules are shown and nothing is charged', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  await signIn(page, buyer);
  await page.goto(`${BASE}/#/buy/${MINUTES.id}`);
  await expectText(page.locator('main h1'), 'Confirm your purchase');
  const before = await serviceView(buyer, MINUTES.id, EN);
  await expectText(page.locator('.rules-box .summary'), before.policy.summary);
  await page.getByLabel('Quantity (min)').fill('100');
  await page.getByLabel('Delivery target').fill('render-job-7');
  await page.getByLabel('I have read and accept the cancellation rules above.').check();

  // The operator changes the service's rules while the buyer has the form open.
  const strict = await must(BASE, 201, 'POST', '/v1/admin/policies', { token: ADMIN, body: {
    name: 'Strict', cooling_off_s: 300, pending: 'full_refund', queued: 'deny',
    executing: 'deny', fee_fixed_minor: 0, fee_bps: 0, free_cancels_per_day: 1 } });
  await must(BASE, 200, 'PATCH', `/v1/admin/services/${MINUTES.id}`, {
    token: ADMIN, body: { policy_id: strict.id } });
  const after = await serviceView(buyer, MINUTES.id, EN);
  assert.equal(after.policy.id, strict.id);

  const answer = page.waitForResponse((r) => r.url().endsWith('/v1/orders') &&
    r.request().method() === 'POST', { timeout: 8000 });
  await page.getByRole('button', { name: 'Pay ¥20.00' }).click();
  const refused = await answer;
  assert.equal(refused.status(), 409);
  const refusedBody = await refused.json();
  assert.equal(refusedBody.error.code, 'policy_changed');
  assert.equal(refusedBody.error.policy && refusedBody.error.policy.id, strict.id,
    'error.policy is the new policy (API.md)');
  assert.equal(JSON.parse(refused.request().postData()).expected_policy_id, POLICY.id,
    'the page sent the policy it showed');
  const notice = page.locator('[data-problem="rules"] [role="alert"]');
  await expectContains(notice, 'The cancellation rules changed just now. Nothing was charged.');
  await expectText(page.locator('.rules-box h2'), 'New cancellation rules');
  await expectText(page.locator('.rules-box .summary'), after.policy.summary);
  await expectContains(page.locator('.rules-box .facts'), "Cancel while in the supplier's queue not possible");
  assert.equal(await page.getByLabel('I have read and accept the cancellation rules above.').isChecked(), false);
  const none = await must(BASE, 200, 'GET', '/v1/orders', { token: buyer.token });
  assert.equal(none.data.length, 0, 'nothing was bought');
  const w = await wallet(buyer);
  assert.deepEqual([w.available_minor, w.held_minor], [10000, 0], 'nothing was charged');
  await screen(page, '11-policy-changed');

  await page.getByLabel('I have read and accept the cancellation rules above.').check();
  await page.getByRole('button', { name: 'Pay ¥20.00' }).click();
  await eventually('the order page', async () => /#\/orders\/ord_/.test(page.url()) || page.url());
  const id = decodeURIComponent(page.url().split('#/orders/')[1]);
  assert.equal((await getOrder(buyer, id)).policy.id, strict.id, 'bought under the rules shown');
});

test('Chinese follows the browser; the switch changes language both ways', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000]));
  const order = await place(buyer, POINTS, 1000);
  await claim(FX.supplierA, order.id);
  const queued = await place(buyer, POINTS, 200);
  const placed = Date.parse(queued.placed_at);
  await progress(FX.supplierA, order.id, 250);
  await page.clock.setFixedTime(new Date(placed + 28000));

  await page.goto(`${BASE}/`);
  await expectText(page.locator('main h1'), '登录');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await screen(page, '12-signin-zh');
  await signIn(page, buyer, { lang: 'zh' });
  const svc = await serviceView(buyer, POINTS.id, ZH);
  await expectText(page.locator(`[data-service="${POINTS.id}"] .summary`), svc.policy.summary);
  await screen(page, '13-services-zh');

  await openOrder(page, order.id);
  await expectText(badge(page), '执行中');
  // Times are shown in the reader's time zone (this context: Asia/Shanghai, UTC+8).
  const local = new Date(Date.parse(order.placed_at) + 8 * 3600 * 1000);
  const two = (n) => String(n).padStart(2, '0');
  await expectContains(page.locator('.meta'), `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月` +
    `${local.getUTCDate()}日 ${local.getUTCHours()}:${two(local.getUTCMinutes())}:` +
    `${two(local.getUTCSeconds())}`);
  await expectText(currentStep(page), '执行中');
  await expectText(progressText(page), '已交付 250 / 1000 point · 25%');
  await expectText(page.locator('[data-panel="quote"] h2'), '取消预估');
  await expectText(page.locator('[data-panel="quote"] [data-line="charged"] dt'), '已交付部分费用');
  await expectText(page.locator('[data-panel="quote"] [data-line="fee"] dt'), '取消手续费');
  await expectText(page.locator('[data-panel="quote"] [data-line="refund"] dt'), '退款');
  const zh = await getOrder(buyer, order.id, ZH);
  await expectText(page.locator('[data-panel="quote"] .message'), zh.cancel.message);
  await screen(page, '14-order-zh');

  await page.getByRole('button', { name: 'English' }).click();
  await expectText(badge(page), 'In progress');
  const en = await getOrder(buyer, order.id, EN);
  await expectText(page.locator('[data-panel="quote"] .message'), en.cancel.message);
  assert.equal(await page.evaluate(() => localStorage.getItem('fairorder.lang')), 'en');
  assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: '中文' }).click();
  await expectText(badge(page), '执行中');

  await openOrder(page, queued.id);
  await expectText(badge(page), '已进入资源池');
  await expectContains(page.locator('[data-panel="quote"] .countdown'), '免费取消剩余 9:32');
  await expectText(page.locator('[data-panel="quote"] .why'), '冷静期（无理由取消）：全额退款');
  await screen(page, '15-order-countdown-zh');

  await page.getByRole('link', { name: '钱包' }).click();
  await expectText(page.locator('[data-balance="available"] .balance-label'), '可用余额');
  await expectText(page.locator('[data-balance="held"] .balance-label'), '冻结金额');
  await expectText(page.locator('[data-balance="held"] .balance-amount'), '¥60.00');
  await screen(page, '16-wallet-zh');
}, { locale: 'zh-CN' });

test('the wallet page matches GET /v1/wallet and its entries', async ({ page, use }) => {
  const buyer = use(await newBuyer([10000, 2000]));
  const a = await place(buyer, POINTS, 1000);
  const b = await place(buyer, POINTS, 100);
  await must(BASE, 200, 'POST', `/v1/orders/${b.id}/cancel`, { token: buyer.token, body: {} });
  const w = await wallet(buyer);
  assert.deepEqual([w.available_minor, w.held_minor], [12000 - 5000, 5000]);
  const entries = await must(BASE, 200, 'GET', '/v1/wallet/entries?limit=200', { token: buyer.token });

  await signIn(page, buyer);
  await page.getByRole('link', { name: 'Wallet' }).click();
  await expectText(page.locator('[data-balance="available"] .balance-amount'), '¥70.00');
  await expectText(page.locator('[data-balance="held"] .balance-amount'), '¥50.00');
  const rows = page.locator('.entries li');
  await eventually('all entries', async () => (await rows.count()) === entries.data.length ||
    await rows.count());
  for (let i = 0; i < entries.data.length; i++) {
    const e = entries.data[i];
    const row = page.locator(`[data-entry="${e.id}"]`);
    const amount = e.amount_minor > 0 ? `+${yuan(e.amount_minor)}` : yuan(e.amount_minor);
    await expectText(row.locator('.entry-amount'), amount);
    await expectContains(row, `Balance ${yuan(e.balance_after_minor)}`);
    if (e.order_id) {
      assert.equal(await row.getByRole('link').getAttribute('href'), `#/orders/${e.order_id}`);
    }
  }
  assert.ok(entries.data.some((e) => e.order_id === a.id));
  await screen(page, '17-wallet');
});

test('errors are plain words: insufficient funds, bad links, no connection', async ({ page, use }) => {
  const buyer = use(await newBuyer([100]));
  const refused = await call(BASE, 'POST', '/v1/orders', { token: buyer.token, lang: EN, body: {
    service_id: POINTS.id, quantity: 1000, target: 'player-1' } });
  assert.equal(refused.status, 402);
  assert.equal(refused.body.error.code, 'insufficient_funds');

  await signIn(page, buyer);
  await page.goto(`${BASE}/#/buy/${POINTS.id}`);
  await page.getByLabel('Quantity (point)').fill('1000');
  await page.getByLabel('Delivery target').fill('player-1');
  await page.getByLabel('I have read and accept the cancellation rules above.').check();
  await page.getByRole('button', { name: 'Pay ¥50.00' }).click();
  const alertBox = page.locator('[data-problem="pay"] [role="alert"]');
  await expectContains(alertBox,
    'Not enough available balance: this order costs ¥50.00 and you have ¥1.00 available.');
  await expectContains(alertBox, refused.body.error.message);
  await screen(page, '18-error-insufficient-funds');

  await page.goto(`${BASE}/#/orders/ord_doesnotexist`);
  await expectContains(page.locator('main [role="alert"]'), 'This order was not found. Check the link.');
  await page.goto(`${BASE}/#/no/such/page`);
  await expectText(page.locator('main h1'), 'There is no such page.');

  await page.route('**/v1/wallet/entries*', (route) => route.abort('connectionrefused'));
  await page.goto(`${BASE}/#/wallet`);
  await expectContains(page.locator('main [role="alert"]'),
    'Cannot reach the server. Check your connection and try again.');
  await page.unroute('**/v1/wallet/entries*');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expectText(page.locator('[data-balance="available"] .balance-amount'), '¥1.00');
});

test('the event stream parser handles split chunks, CRLF and comments', async ({ page, use }) => {
  use(null);
  await page.goto(`${BASE}/`);
  const got = await page.evaluate(() => {
    const out = [];
    const feed = window.FO_APP.sseParser((m) => out.push(m));
    feed(': hello\r\nid: 1\r\nevent: placed\r\nda', false);
    feed('ta: {"seq":1}\r\n\r\nid: 2\nevent: progress\ndata: {"seq":2,', false);
    feed('"delivered":5}\n\n', false);
    feed('data: a\rdata: b\r\r', true);
    return out;
  });
  assert.deepEqual(got, [
    { id: '1', type: 'placed', data: '{"seq":1}' },
    { id: '2', type: 'progress', data: '{"seq":2,"delivered":5}' },
    { id: '2', type: 'message', data: 'a\nb' },
  ]);
});

/* ---------- run ---------- */

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  timeout: 30000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

await runner.run(async (t) => {
  const context = await browser.newContext({
    viewport: DESKTOP, locale: t.opts.locale || 'en-US', timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(8000);
  context.setDefaultNavigationTimeout(15000);
  const page = await context.newPage();
  const env = { context, page, pageErrors: [], buyer: null };
  page.on('pageerror', (e) => env.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
      env.pageErrors.push(`console: ${m.text()}`);
    }
  });
  env.use = (buyer) => {
    env.buyer = buyer;
    return buyer;
  };
  env.onFailure = async (name) => {
    const file = path.join(SHOTS, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`  screenshot of the failure: ${file}`);
  };
  return env;
}, async (env) => {
  if (!env) return;
  await env.context.close();
  await closeOpenOrders(env.buyer);
});
await browser.close();

console.log(`scenarios: ${runner.passed} ok, ${runner.failed} not ok`);
writeResults(args.results, runner.passed, runner.failed);
process.exit(runner.failed === 0 ? 0 : 1);
