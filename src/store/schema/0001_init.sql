-- fairorder schema, version 1: every table of the embedded SQLite store (store_sqlite*.c).
--
-- Why: the constraints here back the invariants of DESIGN.md ("Invariants") so that a bug in
-- a command fails loudly (SQLITE_CONSTRAINT -> FO_ERR_INTERNAL, logged) instead of moving
-- money wrongly: no negative balance (buyers), delivered within 0..quantity and never
-- decreasing, only legal state transitions, terminal orders immutable, a settlement exactly
-- when terminal with charged + fee + refund = amount, every journal summing to zero,
-- policies immutable, events and journals append-only.
--
-- Encoding. Instants are integer milliseconds since the Unix epoch (*_unix_ms); money is
-- integer minor units (*_minor). Enums are stored as the integers of the C enums:
--   orders.state / events.state: 0 pending, 1 queued, 2 executing, 3 completed,
--                                4 cancelled, 5 failed (core/order.h)
--   events.type: 1 placed .. 7 failed; events.actor: 1 buyer .. 4 admin (store/store.h)
--   journals.kind: 1 topup, 2 hold, 3 settle (core/ledger.h)
--   policies.pending_rule 1 full_refund, 2 deny; queued_rule 1 full_refund, 2 fee, 3 deny;
--   executing_rule 1 prorated, 2 deny (core/policy.h); principals.role 1 admin, 2 buyer,
--   3 supplier. The settlement reason is the API's text ("executing_prorated").
--
-- Workload. The writer is one thread doing group commit; the hot path is placement (one
-- order, one hold journal, one or two events, the buyer's balances, maybe an idempotency
-- row), then claim/progress/complete. Row tables are keyed by an INTEGER seq (the rowid):
-- inserts append to the right edge of the table b-tree instead of landing at random pages
-- as random text ids would, every secondary index entry carries an 8-byte rowid rather than
-- a 26-byte id, and list cursors are rowid ranges. The text id has its own UNIQUE index for
-- lookups and as the parent key of foreign keys. No AUTOINCREMENT: nothing is ever deleted
-- from the sequenced history tables (triggers below), so max(rowid) + 1 already increases,
-- and AUTOINCREMENT would write sqlite_sequence on every insert. Partial indexes cover
-- only the rows a query can want (open orders, executing leases, cancellations), so they
-- stay small and terminal orders drop out of them. Queries using a partial index repeat its
-- WHERE term verbatim (SQLite's planner needs that); orders_open says "open" as
-- state IN (0, 1, 2), not state < 3, so that the planner still seeks on state = ?.
--
-- Tables are STRICT (SQLite >= 3.37): a value of the wrong type is an error, not a
-- conversion. Migrations run inside a transaction: no PRAGMA here (store_sqlite.c sets
-- them per connection).

CREATE TABLE policies (
    id TEXT PRIMARY KEY CHECK (substr(id, 1, 4) = 'pol_'),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    cooling_off_s INTEGER NOT NULL CHECK (cooling_off_s BETWEEN 0 AND 86400),
    pending_rule INTEGER NOT NULL CHECK (pending_rule IN (1, 2)),
    queued_rule INTEGER NOT NULL CHECK (queued_rule IN (1, 2, 3)),
    executing_rule INTEGER NOT NULL CHECK (executing_rule IN (1, 2)),
    fee_fixed_minor INTEGER NOT NULL CHECK (fee_fixed_minor BETWEEN 0 AND 1000000000000),
    fee_bps INTEGER NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
    free_cancels_per_day INTEGER NOT NULL CHECK (free_cancels_per_day BETWEEN 0 AND 1000),
    created_at_unix_ms INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

-- Policies are immutable (API.md): orders reference the row as their snapshot.
CREATE TRIGGER policies_immutable BEFORE UPDATE ON policies
BEGIN
    SELECT RAISE(ABORT, 'policies_immutable: policies never change; create a new one');
END;
CREATE TRIGGER policies_kept BEFORE DELETE ON policies
BEGIN
    SELECT RAISE(ABORT, 'policies_kept: orders keep their policy snapshot forever');
END;

CREATE TABLE buyers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (substr(id, 1, 4) = 'byr_'),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    available_minor INTEGER NOT NULL
        CONSTRAINT buyers_available_range CHECK (available_minor BETWEEN 0 AND 1000000000000000),
    held_minor INTEGER NOT NULL CONSTRAINT buyers_held_nonnegative CHECK (held_minor >= 0),
    created_at_unix_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE suppliers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (substr(id, 1, 4) = 'sup_'),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    lease_s INTEGER NOT NULL CHECK (lease_s BETWEEN 10 AND 86400),
    simulate_units_per_s INTEGER NOT NULL CHECK (simulate_units_per_s BETWEEN 0 AND 1000000),
    created_at_unix_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE services (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (substr(id, 1, 4) = 'svc_'),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    unit TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 32),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor BETWEEN 1 AND 1000000000),
    min_quantity INTEGER NOT NULL CHECK (min_quantity >= 1),
    max_quantity INTEGER NOT NULL
        CONSTRAINT services_quantity_range
        CHECK (max_quantity BETWEEN min_quantity AND 1000000000),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    policy_id TEXT NOT NULL REFERENCES policies (id),
    supplier_id TEXT NOT NULL REFERENCES suppliers (id),
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at_unix_ms INTEGER NOT NULL
) STRICT;

-- One row per order. The policy snapshot is policy_id: policies are immutable, so the row
-- it names is exactly the policy the order was placed under (joined on reads). The
-- settlement columns are NULL while the order is open and all set once it is terminal.
CREATE TABLE orders (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (substr(id, 1, 4) = 'ord_'),
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    supplier_id TEXT NOT NULL REFERENCES suppliers (id),
    policy_id TEXT NOT NULL REFERENCES policies (id),
    quantity INTEGER NOT NULL
        CONSTRAINT orders_quantity_range CHECK (quantity BETWEEN 1 AND 1000000000),
    delivered INTEGER NOT NULL
        CONSTRAINT orders_delivered_range CHECK (delivered BETWEEN 0 AND quantity),
    unit_price_minor INTEGER NOT NULL
        CONSTRAINT orders_unit_price_range CHECK (unit_price_minor BETWEEN 1 AND 1000000000),
    amount_minor INTEGER NOT NULL
        CONSTRAINT orders_amount
        CHECK (amount_minor = quantity * unit_price_minor AND amount_minor <= 1000000000000000),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    target TEXT NOT NULL CHECK (length(target) BETWEEN 1 AND 128),
    state INTEGER NOT NULL CONSTRAINT orders_state CHECK (state BETWEEN 0 AND 5),
    placed_at_unix_ms INTEGER NOT NULL,
    updated_at_unix_ms INTEGER NOT NULL,
    lease_expires_at_unix_ms INTEGER,
    settlement_reason TEXT,
    charged_minor INTEGER,
    fee_minor INTEGER,
    refund_minor INTEGER,
    settled_at_unix_ms INTEGER,
    CONSTRAINT orders_lease_while_executing
        CHECK ((state = 2) = (lease_expires_at_unix_ms IS NOT NULL)),
    CONSTRAINT orders_undelivered_until_claimed CHECK (state NOT IN (0, 1) OR delivered = 0),
    CONSTRAINT orders_settled_when_terminal CHECK (
        CASE WHEN state >= 3
            THEN settlement_reason IS NOT NULL AND charged_minor IS NOT NULL
                 AND fee_minor IS NOT NULL AND refund_minor IS NOT NULL
                 AND settled_at_unix_ms IS NOT NULL
            ELSE settlement_reason IS NULL AND charged_minor IS NULL AND fee_minor IS NULL
                 AND refund_minor IS NULL AND settled_at_unix_ms IS NULL
        END),
    CONSTRAINT orders_settlement_sums
        CHECK (charged_minor + fee_minor + refund_minor = amount_minor),
    CONSTRAINT orders_settlement_nonnegative
        CHECK (charged_minor >= 0 AND fee_minor >= 0 AND refund_minor >= 0),
    CONSTRAINT orders_settlement_reason CHECK (
        state < 3
        OR (state = 3 AND settlement_reason = 'completed' AND delivered = quantity
            AND charged_minor = amount_minor)
        OR (state = 4 AND settlement_reason IN ('cooling_off', 'pending_full_refund',
                                                'queued_full_refund')
            AND charged_minor = 0 AND fee_minor = 0)
        OR (state = 4 AND settlement_reason = 'queued_with_fee' AND charged_minor = 0)
        OR (state = 4 AND settlement_reason = 'executing_prorated')
        OR (state = 5 AND settlement_reason IN ('supplier_failed', 'supplier_timeout')
            AND fee_minor = 0))
) STRICT;

-- A buyer's orders newest first (GET /v1/orders): entries are (buyer_id, rowid), so the
-- index is already ordered by seq within a buyer.
CREATE INDEX orders_buyer ON orders (buyer_id);
-- A supplier's open orders by state, oldest first (allocation, claim, in-flight count, the
-- simulated supplier's work list). Only open orders: a terminal order leaves the index.
CREATE INDEX orders_open ON orders (supplier_id, state) WHERE state IN (0, 1, 2);
-- Executing orders by lease expiry (the reaper), then seq.
CREATE INDEX orders_leases ON orders (lease_expires_at_unix_ms) WHERE state = 2;
-- A buyer's cancellations by time (free_cancels_per_day): a range scan of this index and
-- nothing else. The trailing state lets SQLite answer from the index alone (it re-checks
-- the partial index's own term, state = 4, against each entry).
CREATE INDEX orders_cancelled ON orders (buyer_id, settled_at_unix_ms, state) WHERE state = 4;

-- Legal transitions only (API.md "Order states"); a terminal order never changes again.
CREATE TRIGGER orders_transition BEFORE UPDATE ON orders
WHEN NOT ((OLD.state < 3 AND NEW.state = OLD.state)
          OR (OLD.state = 0 AND NEW.state IN (1, 4))
          OR (OLD.state = 1 AND NEW.state IN (2, 4))
          OR (OLD.state = 2 AND NEW.state IN (3, 4, 5)))
BEGIN
    SELECT RAISE(ABORT, 'orders_transition: illegal state transition or terminal order');
END;
CREATE TRIGGER orders_delivered_monotonic BEFORE UPDATE OF delivered ON orders
WHEN NEW.delivered < OLD.delivered
BEGIN
    SELECT RAISE(ABORT, 'orders_delivered_monotonic: delivered must never decrease');
END;
CREATE TRIGGER orders_fixed_columns BEFORE UPDATE OF id, buyer_id, service_id, supplier_id,
    policy_id, quantity, unit_price_minor, amount_minor, currency, target, placed_at_unix_ms
    ON orders
BEGIN
    SELECT RAISE(ABORT, 'orders_fixed_columns: an order''s terms never change');
END;
CREATE TRIGGER orders_kept BEFORE DELETE ON orders
BEGIN
    SELECT RAISE(ABORT, 'orders_kept: orders are never deleted');
END;

-- An order's history, append-only. order_seq (not the text id) keeps the most numerous
-- rows of the database and their index narrow; every caller knows the order's id.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    order_seq INTEGER NOT NULL REFERENCES orders (seq),
    at_unix_ms INTEGER NOT NULL,
    type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 7),
    state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 5),
    delivered INTEGER NOT NULL CHECK (delivered >= 0),
    actor INTEGER NOT NULL CHECK (actor BETWEEN 1 AND 4),
    detail TEXT NOT NULL CHECK (length(detail) <= 500)
) STRICT;
-- (order_seq, rowid): an order's events oldest first.
CREATE INDEX events_order ON events (order_seq);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events_append_only: events never change');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events_append_only: events are never deleted');
END;

-- The double-entry ledger, append-only: one row per journal with one column per account
-- (core/ledger.h has five accounts and a journal moves each at most once). That is one
-- narrow row per money event instead of a journal row plus two to four posting rows, and
-- "every journal sums to zero" becomes a CHECK on the row. A buyer's postings on available
-- and held are its own; outside, revenue and fees are platform accounts, and the journal
-- still records which buyer the money came from.
CREATE TABLE journals (
    seq INTEGER PRIMARY KEY,
    at_unix_ms INTEGER NOT NULL,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    order_id TEXT REFERENCES orders (id),
    reference TEXT CHECK (length(reference) BETWEEN 1 AND 128),
    outside_minor INTEGER NOT NULL,
    available_minor INTEGER NOT NULL,
    held_minor INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    fees_minor INTEGER NOT NULL,
    available_after_minor INTEGER NOT NULL
        CONSTRAINT journals_available_after_range
        CHECK (available_after_minor BETWEEN 0 AND 1000000000000000),
    CONSTRAINT journals_balanced
        CHECK (outside_minor + available_minor + held_minor + revenue_minor + fees_minor = 0),
    CONSTRAINT journals_order_unless_topup CHECK ((kind = 1) = (order_id IS NULL)),
    CONSTRAINT journals_reference_only_topup CHECK (kind = 1 OR reference IS NULL),
    CONSTRAINT journals_shape CHECK (
        (kind = 1 AND available_minor > 0 AND held_minor = 0 AND revenue_minor = 0
         AND fees_minor = 0)
        OR (kind = 2 AND available_minor < 0 AND outside_minor = 0 AND revenue_minor = 0
            AND fees_minor = 0)
        OR (kind = 3 AND held_minor < 0 AND available_minor >= 0 AND revenue_minor >= 0
            AND fees_minor >= 0 AND outside_minor = 0))
) STRICT;
-- (buyer_id, rowid): wallet entries newest first, per-buyer sums.
CREATE INDEX journals_buyer ON journals (buyer_id);
-- An order's journals (verification); top-ups have none.
CREATE INDEX journals_order ON journals (order_id) WHERE order_id IS NOT NULL;
CREATE TRIGGER journals_append_only_update BEFORE UPDATE ON journals
BEGIN
    SELECT RAISE(ABORT, 'journals_append_only: journals never change');
END;
CREATE TRIGGER journals_append_only_delete BEFORE DELETE ON journals
BEGIN
    SELECT RAISE(ABORT, 'journals_append_only: journals are never deleted');
END;

-- Bearer tokens, stored only as their 32-byte hash. One token per principal.
CREATE TABLE principals (
    id TEXT PRIMARY KEY,
    role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    CONSTRAINT principals_id_matches_role CHECK (
        (role = 1 AND substr(id, 1, 4) = 'adm_')
        OR (role = 2 AND substr(id, 1, 4) = 'byr_')
        OR (role = 3 AND substr(id, 1, 4) = 'sup_'))
) WITHOUT ROWID, STRICT;

-- Stored answers of idempotent requests. The body is the last column so that the small
-- ones stay in the row's local payload when a large body spills to overflow pages.
CREATE TABLE idempotency (
    seq INTEGER PRIMARY KEY,
    principal_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
    status INTEGER NOT NULL CHECK (status BETWEEN 100 AND 599),
    created_at_unix_ms INTEGER NOT NULL,
    body BLOB NOT NULL CHECK (length(body) <= 65536),
    UNIQUE (principal_id, idempotency_key)
) STRICT;
-- The purge deletes by age without reading every stored answer.
CREATE INDEX idempotency_created ON idempotency (created_at_unix_ms);

-- Server state that must survive restarts (the test clock's offset, for one).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
