-- fairorder schema, version 6: journals are no longer indexed by order.
--
-- Why: the partial index journals_order served one reader only, verification's sums of
-- each order's postings (one lookup per order). Every placement and every settlement
-- wrote an entry into it: measured with callgrind in the cancel benchmark, ~5 k
-- instructions of the writer's ~130 k per answer (about 4 %), and a page per group commit.
-- Verification now sums all orders' postings in one pass over the journals, sorted by
-- order (store_sqlite_history.c, fo_store_ledger_orders_next): the same checks, without
-- an index kept up to date on every write. The foreign key to orders needs no index on
-- this side: orders are never deleted and their ids never change (schema/0001 triggers).

DROP INDEX journals_order;
