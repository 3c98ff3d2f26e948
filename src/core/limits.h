/* Every limit of fairorder, in one place (STYLE.md §7).
 *
 * The numbers come from API.md, which is the contract; the comment beside each says why
 * that number and what breaks above it. Relations between limits that the arithmetic
 * relies on are _Static_asserts right here, so changing one number cannot silently
 * overflow a product elsewhere. Pure constants: safe to include from anywhere. */
#ifndef FO_CORE_LIMITS_H
#define FO_CORE_LIMITS_H

#include <stdint.h>

/* --- Requests ------------------------------------------------------------------------ */

/* Largest request body (API.md). The biggest real body, a service definition, is under
 * 2 KiB; 64 KiB is generous and still cheap to buffer per request. */
#define FO_BODY_BYTES_MAX (64 * 1024)
/* Header names plus values (API.md: 431 past 16 KiB). */
#define FO_HEADER_BYTES_MAX (16 * 1024)
/* libmicrohttpd's per-connection memory must hold the headers so that we, not it, answer
 * 431 with our JSON error shape (API.md promises that up to 64 KiB). It keeps about 56
 * bytes of bookkeeping per header line besides the bytes, so 128 KiB holds 64 KiB of
 * headers in up to ~1000 lines (a 16 KiB excess in ~1500); thousands of tiny lines get
 * its own plain 431 instead. Not more: libmicrohttpd 0.9.75 zeroes the whole pool for
 * every request on a connection, and 512 KiB halved the baseline's requests/s. */
#define FO_CONNECTION_MEMORY_BYTES (128 * 1024)
/* Nesting depth of JSON bodies (API.md). */
#define FO_JSON_DEPTH_MAX 64
/* Idempotency-Key: 1..255 printable ASCII (API.md). */
#define FO_IDEMPOTENCY_KEY_BYTES_MAX 255
/* Keys are kept at least 24 hours by the server's clock (API.md). */
#define FO_IDEMPOTENCY_KEEP_MS (INT64_C(24) * 3600 * 1000)
/* A stored answer is one rendered response; an order view is under 4 KiB. */
#define FO_RESPONSE_BYTES_MAX (64 * 1024)
/* Any rendered answer: a page of 200 order views with their plain-words texts in Chinese
 * is about 700 KiB; 2 MiB is the ceiling, and reaching it is a bug, not input. */
#define FO_ANSWER_BYTES_MAX (2 * 1024 * 1024)
/* Bearer tokens we issue are 43 bytes of base64url; accept a little more, refuse more. */
#define FO_TOKEN_BYTES_MAX 128

/* --- Lists --------------------------------------------------------------------------- */

/* ?limit=1..200, default 50 (API.md). */
#define FO_LIST_LIMIT_MAX     200
#define FO_LIST_LIMIT_DEFAULT 50
/* An opaque cursor: a position (id or seq) in at most this many bytes. */
#define FO_CURSOR_BYTES_MAX 64

/* --- Orders and money ---------------------------------------------------------------- */

/* quantity 1..1,000,000,000 (API.md). */
#define FO_QUANTITY_MAX INT64_C(1000000000)
/* unit price 1..1,000,000,000 minor (API.md). */
#define FO_UNIT_PRICE_MINOR_MAX INT64_C(1000000000)
/* An order's amount is at most 10^15 minor (API.md): ten trillion yuan, beyond any real
 * order, and small enough that amount * quantity fits in 128 bits with room to spare. */
#define FO_AMOUNT_MINOR_MAX INT64_C(1000000000000000)
/* One top-up is 1..10^12 minor; an available balance never exceeds 10^15 (API.md). */
#define FO_TOPUP_MINOR_MAX   INT64_C(1000000000000)
#define FO_BALANCE_MINOR_MAX INT64_C(1000000000000000)
/* Policy fields (API.md). */
#define FO_FEE_FIXED_MINOR_MAX      INT64_C(1000000000000)
#define FO_FEE_BPS_MAX              INT64_C(10000)
#define FO_BPS_WHOLE                INT64_C(10000)
#define FO_COOLING_OFF_S_MAX        INT64_C(86400)
#define FO_FREE_CANCELS_PER_DAY_MAX INT64_C(1000)
/* The window over which cancellations are counted for free_cancels_per_day. */
#define FO_CANCEL_WINDOW_MS (INT64_C(24) * 3600 * 1000)

/* amount_minor = quantity * unit price must fit int64 with room to spare. */
_Static_assert(FO_QUANTITY_MAX *FO_UNIT_PRICE_MINOR_MAX <= INT64_MAX / 8,
               "order amounts must stay far from int64 overflow");
_Static_assert(FO_AMOUNT_MINOR_MAX <= FO_QUANTITY_MAX * FO_UNIT_PRICE_MINOR_MAX,
               "the amount cap must be reachable only within quantity and price limits");
/* A held balance is the sum of open orders, each <= FO_AMOUNT_MINOR_MAX, bounded by the
 * available balance at placement; summing a few thousand of them stays in int64. */
_Static_assert(FO_BALANCE_MINOR_MAX <= INT64_MAX / 1024, "balances must stay far from overflow");
_Static_assert(FO_TOPUP_MINOR_MAX <= FO_BALANCE_MINOR_MAX, "one top-up fits in a balance");
/* fee_fixed + rest * bps / 10000 <= 10^12 + 10^15: fits comfortably. */
_Static_assert(FO_FEE_FIXED_MINOR_MAX + FO_AMOUNT_MINOR_MAX <= INT64_MAX / 8,
               "fee arithmetic must stay far from overflow");

/* --- Text fields (counted in Unicode code points, API.md) ----------------------------- */

#define FO_TARGET_CHARS_MAX    128
#define FO_REFERENCE_CHARS_MAX 128
#define FO_UNIT_CHARS_MAX      32
#define FO_NAME_CHARS_MAX      64
#define FO_REASON_CHARS_MAX    500
/* UTF-8 needs at most 4 bytes a code point; +1 for the terminating NUL. */
#define FO_UTF8_BYTES(chars) ((chars)*4 + 1)
#define FO_TARGET_BYTES      FO_UTF8_BYTES(FO_TARGET_CHARS_MAX)
#define FO_REFERENCE_BYTES   FO_UTF8_BYTES(FO_REFERENCE_CHARS_MAX)
#define FO_UNIT_BYTES        FO_UTF8_BYTES(FO_UNIT_CHARS_MAX)
#define FO_NAME_BYTES        FO_UTF8_BYTES(FO_NAME_CHARS_MAX)
#define FO_REASON_BYTES      FO_UTF8_BYTES(FO_REASON_CHARS_MAX)
/* IDs: a 4-byte prefix ("ord_") and 22 base62-ish characters; room to spare. */
#define FO_ID_BYTES 40
/* ISO 4217 code plus NUL. */
#define FO_CURRENCY_BYTES 4
/* A field name in an error message ("policy.fee_bps"). */
#define FO_FIELD_BYTES 64
/* Plain-words texts (policy summary, quote message), UTF-8. */
#define FO_TEXT_BYTES 1024

/* --- Suppliers ----------------------------------------------------------------------- */

/* capacity 1..10000, lease_s 10..86400 (default 300), claim max 1..100 (API.md). */
#define FO_CAPACITY_MAX    INT64_C(10000)
#define FO_LEASE_S_MIN     INT64_C(10)
#define FO_LEASE_S_MAX     INT64_C(86400)
#define FO_LEASE_S_DEFAULT INT64_C(300)
#define FO_CLAIM_MAX       100
/* simulate_units_per_s 1..1,000,000 (API.md). */
#define FO_SIMULATE_UNITS_PER_S_MAX INT64_C(1000000)
/* How many orders one allocation pass moves from pending to queued: a supplier's
 * capacity at most, so one command never writes more than this many orders. */
#define FO_ALLOCATE_BATCH_MAX FO_CAPACITY_MAX

/* --- Simulated supplier (src/supplier/simulator.c) ------------------------------------ */

/* Real time between two ticks of the simulator thread. Short enough that a person sees
 * progress move smoothly on the page; long enough that idle ticks cost nothing. */
#define FO_SIMULATOR_PERIOD_MS 250
/* Jobs one simulated supplier works on at once (executing). Its other in-flight orders wait
 * in the queue, like at a supplier with this many workers. One claim takes at most this
 * many, so it is FO_CLAIM_MAX. */
#define FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX FO_CLAIM_MAX
/* Work of one tick, over all simulated suppliers, counted in jobs touched: one per
 * supplier served (its claim command) and one per job claimed, advanced or completed. One
 * tick is one writer job and holds the write path while it runs, so it does about as much
 * as one full group-commit batch. A supplier is served only when its worst case (all of
 * its jobs complete, then as many are claimed) fits in what is left; the others are served
 * first at the next tick (round robin). */
#define FO_SIMULATOR_COMMANDS_PER_TICK_MAX 256
/* Simulated suppliers loaded per store call. */
#define FO_SIMULATOR_SUPPLIERS_PAGE 16
/* Events read to find a job's claim: placed, allocated, claimed come first. */
#define FO_SIMULATOR_CLAIM_EVENTS_MAX 4
/* Elapsed time is capped at what the largest order takes at the slowest rate, so that
 * elapsed_ms * units_per_s stays in int64. */
#define FO_SIMULATOR_ELAPSED_MS_MAX (FO_QUANTITY_MAX * 1000)
/* The most one supplier's turn can cost. */
#define FO_SIMULATOR_SUPPLIER_COST_MAX (1 + 2 * FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX)
_Static_assert(FO_SIMULATOR_SUPPLIER_COST_MAX <= FO_SIMULATOR_COMMANDS_PER_TICK_MAX,
               "one supplier's turn must fit in one tick");
_Static_assert(FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX <= FO_CLAIM_MAX,
               "one claim takes a supplier's jobs");
_Static_assert(FO_SIMULATOR_ELAPSED_MS_MAX <= INT64_MAX / FO_SIMULATE_UNITS_PER_S_MAX,
               "progress arithmetic must stay in int64");

/* --- Clock --------------------------------------------------------------------------- */

/* POST /v1/admin/test-clock/advance {seconds}: 1..31,536,000 (one year, API.md). */
#define FO_CLOCK_ADVANCE_S_MAX INT64_C(31536000)
/* Progress events are coalesced to one per order per second (API.md). */
#define FO_PROGRESS_EVENT_INTERVAL_MS INT64_C(1000)

/* --- Server resources ---------------------------------------------------------------- */

/* Concurrent HTTP connections; past it libmicrohttpd refuses new ones. */
#define FO_CONNECTIONS_MAX 1024
/* Commands waiting for the writer thread; a full queue answers 503 unavailable. */
#define FO_WRITER_QUEUE_MAX 4096
/* Commands in one group-commit transaction: one fsync for this many answers. */
#define FO_WRITER_BATCH_MAX 256
/* Principals remembered by token hash (http/auth_cache.c): ~120 bytes each; enough for
 * every busy reseller and supplier of a large shop, and a miss only costs one read. */
#define FO_AUTH_CACHE_SLOTS 8192
/* The write-ahead log is copied into the database file by a checkpointer thread of the
 * writer every FO_CHECKPOINT_PERIOD_MS (a passive checkpoint never blocks the writer), not
 * inside the writer's commits where SQLite would otherwise do it all (10 % of the writer's
 * time, on the serial path). Each such checkpoint makes the log's next sync slow (2-6 ms:
 * BENCH.md), and every write in flight waits it out; every 400 ms keeps those writes under
 * 1 % at full load (write p99 about 7 ms, against 11 ms at 200 ms).
 * The log starts over from its beginning only once every frame is in the database file,
 * and only the writer can see that moment (frames keep coming while the checkpointer
 * copies): SQLite's automatic checkpoint inside a commit does it, at
 * FO_WAL_AUTOCHECKPOINT_PAGES (256 MiB of 4 KiB pages), about every 2 s at full load,
 * copying only what the checkpointer has not (at most one period's frames). That copy is
 * the write p99.9 (about 18 ms, against 14 ms with 200 ms and 64 MiB), and the log file
 * keeps its 256 MiB on disk once it has grown to it. */
#define FO_CHECKPOINT_PERIOD_MS     400
#define FO_WAL_AUTOCHECKPOINT_PAGES 65536
/* The write-ahead log's appends gathered per commit (store/store_sqlite_vfs.c): one
 * write(2) per this many bytes instead of two per page; allocated by the writer only.
 * SQLite's unix VFS writes at most 128 KiB - 1 bytes per call (it masks the length with
 * 0x1ffff), so more would be a short write, which it reports as a full disk. */
#define FO_WAL_WRITE_BUFFER_BYTES (64U * 1024U)
/* Log lines buffered by the server before one write(2) (src/log.c), and how long a line
 * may wait in the buffer. */
#define FO_LOG_BUFFER_BYTES (64U * 1024U)
#define FO_LOG_FLUSH_MS     100
/* Read connections to the embedded database. */
#define FO_READERS_MAX 8
/* Live event streams per server; past it 503 unavailable (issue: live orders). */
#define FO_SSE_SUBSCRIBERS_MAX 256
/* Graceful stop: how long answered-but-unsent and half-received requests get to finish,
 * and the bound on waiting for writes queued at the writer (a full queue drains in well
 * under a second; past the bound the process is stuck and a supervisor must kill it). */
#define FO_STOP_GRACE_MS 2000
#define FO_STOP_WAIT_MS  30000
/* Wait for a busy database before answering 503. */
#define FO_DB_BUSY_TIMEOUT_MS 5000
/* Lease reaper period. */
#define FO_REAPER_PERIOD_MS 1000
/* Problems reported by one ledger verification; the rest are counted, not listed. */
#define FO_VERIFY_PROBLEMS_MAX 100

#endif
