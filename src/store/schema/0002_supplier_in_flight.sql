-- fairorder schema, version 2: each supplier's count of in-flight orders (queued or
-- executing), kept by triggers, so fo_store_supplier_in_flight reads one row.
--
-- Why: every placement, cancel, failure and completion asks whether the supplier has
-- capacity. Counting orders_open entries costs one index entry per in-flight order, up to
-- a supplier's capacity (10000): measured, it made placements several times slower once a
-- few thousand orders were queued. The counter costs one small UPDATE when an order enters
-- or leaves {queued, executing} (twice in an order's life), in the same statement as the
-- order's own write, so a rolled-back command or savepoint undoes both together.
--
-- Invariant: suppliers.in_flight_count = the number of the supplier's orders in state 1 or
-- 2, always (an order's supplier_id never changes and orders are never deleted: see 0001's
-- triggers). tests/store/orders_test.c compares it with the listed queued + executing
-- orders after every step of random lifecycles, undone commands included.

ALTER TABLE suppliers ADD COLUMN in_flight_count INTEGER NOT NULL DEFAULT 0
    CONSTRAINT suppliers_in_flight_nonnegative CHECK (in_flight_count >= 0);

UPDATE suppliers SET in_flight_count = (
    SELECT COUNT(*) FROM orders
    WHERE orders.supplier_id = suppliers.id AND orders.state IN (1, 2)
      AND orders.state IN (0, 1, 2));

CREATE TRIGGER orders_in_flight_insert AFTER INSERT ON orders
WHEN NEW.state IN (1, 2)
BEGIN
    UPDATE suppliers SET in_flight_count = in_flight_count + 1 WHERE id = NEW.supplier_id;
END;

CREATE TRIGGER orders_in_flight_update AFTER UPDATE OF state ON orders
WHEN (OLD.state IN (1, 2)) <> (NEW.state IN (1, 2))
BEGIN
    UPDATE suppliers
    SET in_flight_count = in_flight_count + (CASE WHEN NEW.state IN (1, 2) THEN 1 ELSE -1 END)
    WHERE id = NEW.supplier_id;
END;
