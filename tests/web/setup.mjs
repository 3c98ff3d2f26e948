// Sets up the browser tests' data through the admin API (API.md): a policy with a
// cooling-off period and fees, two suppliers played by the tests, two services.
// Usage: FO_ADMIN_TOKEN=... node setup.mjs BASE_URL FIXTURES_JSON
import fs from 'node:fs';
import { call, must, sleep } from './lib.mjs';

const [base, out] = process.argv.slice(2);
const admin = process.env.FO_ADMIN_TOKEN;
if (!base || !out || !admin) {
  console.error('usage: FO_ADMIN_TOKEN=... node setup.mjs BASE_URL FIXTURES_JSON');
  process.exit(2);
}

// Ready when GET /healthz answers 200 {"ok":true}; wait at most 30 s.
const end = Date.now() + 30000;
for (;;) {
  try {
    const res = await call(base, 'GET', '/healthz');
    if (res.status === 200 && res.body && res.body.ok === true) break;
  } catch {
    // Not listening yet.
  }
  if (Date.now() > end) {
    console.error(`setup: ${base}/healthz did not answer 200 within 30 s`);
    process.exit(1);
  }
  await sleep(100);
}

const opts = { token: admin };
const policy = await must(base, 201, 'POST', '/v1/admin/policies', { ...opts, body: {
  name: 'Standard', cooling_off_s: 600, pending: 'full_refund', queued: 'fee',
  executing: 'prorated', fee_fixed_minor: 50, fee_bps: 200, free_cancels_per_day: 5,
} });
const supplierA = await must(base, 201, 'POST', '/v1/admin/suppliers', { ...opts, body: {
  name: 'Test supplier A', capacity: 50, lease_s: 86400,
} });
const supplierB = await must(base, 201, 'POST', '/v1/admin/suppliers', { ...opts, body: {
  name: 'Test supplier B', capacity: 50, lease_s: 86400,
} });
const points = await must(base, 201, 'POST', '/v1/admin/services', { ...opts, body: {
  name: 'Game points 游戏点数', unit: 'point', unit_price_minor: 5, min_quantity: 100,
  max_quantity: 100000, policy_id: policy.id, supplier_id: supplierA.id,
} });
const minutes = await must(base, 201, 'POST', '/v1/admin/services', { ...opts, body: {
  name: 'Render minutes 渲染时长', unit: 'min', unit_price_minor: 20, min_quantity: 10,
  max_quantity: 6000, policy_id: policy.id, supplier_id: supplierB.id,
} });

fs.writeFileSync(out, JSON.stringify({ policy, supplierA, supplierB, points, minutes }, null, 2));
console.log(`setup: policy ${policy.id}, services ${points.id} and ${minutes.id}`);
