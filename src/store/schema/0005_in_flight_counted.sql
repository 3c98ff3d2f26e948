-- fairorder schema, version 5: a supplier's in-flight count is counted, not stored.
--
-- Why: the triggers of schema/0002 rewrote the supplier's row whenever an order entered or
-- left queued/executing, which placement and cancel do on every call. Measured with
-- callgrind in the cancel benchmark: ~13 k instructions per such change (an UPDATE run by
-- a trigger costs more than the same UPDATE as its own statement), about 8 % of the
-- writer's work. The count is what allocation needs; it is derived data, so the writer
-- now keeps it in memory (store_sqlite_catalog.c): it counts a supplier's queued and
-- executing orders once through their partial indexes (schema/0003) and then follows its
-- own writes, counting again after any undo. Readers count when they read a supplier.

DROP TRIGGER orders_in_flight_insert;
DROP TRIGGER orders_in_flight_update;
ALTER TABLE suppliers DROP COLUMN in_flight_count;
