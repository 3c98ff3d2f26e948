/* The fixture of the store contract suites (tests/store/NAME_test.c).
 *
 * The suites test store.h, not a backend: they get their store from this fixture and use
 * only the interface, so the same suites can run against every backend. What differs per
 * backend (how to make a fresh empty database, what location cannot be opened, the schema
 * version the backend ends at) lives in store_fixture_<backend>.c, chosen by
 * tests/store/store.mk (STORE_BACKEND=sqlite by default); store_fixture.c holds the rest:
 * cmocka setup/teardown, transaction helpers and builders of valid rows.
 *
 * Every test gets a fresh database with one policy (pol_1), one supplier (sup_1), one
 * service (svc_1) and two buyers (byr_1, byr_2) already committed. */
#ifndef FO_TESTS_STORE_FIXTURE_H
#define FO_TESTS_STORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/fo_test.h"
#include "store/store.h"

/* A fixed "now" for every test: 2025-11-24T16:00:00.000Z. */
#define FO_FIXTURE_T0_UNIX_MS INT64_C(1764000000000)

struct fo_fixture {
    char location[512];     /* The database: a file path, a connection URL, ... */
    struct fo_store *store; /* The writer's connection (opened with migrate). */
};

/* --- Backend specifics (store_fixture_<backend>.c) ------------------------------------- */

/* A location for a fresh, empty database named after `name`. */
void fo_fixture_location_new(const char *name, char *out, size_t out_bytes);
/* Remove whatever fo_fixture_location_new created. */
void fo_fixture_location_drop(const char *location);
/* A location that fo_store_open cannot open (readers do not create databases). */
void fo_fixture_location_unopenable(const char *name, char *out, size_t out_bytes);
/* The schema version of a freshly migrated database of this backend. */
int64_t fo_fixture_schema_version(void);

/* --- cmocka setup and teardown --------------------------------------------------------- */

/* *state becomes a struct fo_fixture with a seeded database. */
int fo_fixture_setup(void **state);
int fo_fixture_teardown(void **state);
/* Close the writer's connection and open it again (with migrate). */
void fo_fixture_reopen(struct fo_fixture *fixture);
/* Another connection to the same database, as a reader (no migrate). */
struct fo_store *fo_fixture_open_reader(const struct fo_fixture *fixture);

/* --- Transactions ---------------------------------------------------------------------- */

/* batch_begin + command_begin, asserting both succeed. */
void fo_fixture_begin(struct fo_store *store);
/* command_end(keep) + batch_commit, asserting both succeed. */
void fo_fixture_commit(struct fo_store *store);

/* --- Builders of valid rows ------------------------------------------------------------ */

/* pol_<n>: cooling 600 s, pending full refund, queued fee, executing prorated, fee 50 + 200
 * bps, 5 free cancels a day, created at T0 - n. */
void fo_fixture_policy(int n, struct fo_policy *out);
/* byr_<n>: "buyer n", CNY, available 100000, held 0. */
void fo_fixture_buyer(int n, struct fo_buyer *out);
/* sup_<n>: capacity 10, lease 300 s, not simulated. */
void fo_fixture_supplier(int n, struct fo_supplier *out);
/* svc_<n> of pol_1 and sup_1: 5 minor a unit, 10..1000000 units, active. */
void fo_fixture_service(int n, struct fo_service *out);
/* A valid order `id` of byr_1 on svc_1/sup_1/pol_1 in `state`: quantity 1000, unit price 5,
 * amount 5000, placed at T0. Executing: delivered 250, lease T0 + 300 s. Completed:
 * delivered 1000, all charged. Cancelled: queued_with_fee, fee 150, refund 4850. Failed:
 * delivered 250, supplier_timeout, charged 1250, refund 3750. Settled at T0 + 1000. */
void fo_fixture_order(const char *id, enum fo_state state, struct fo_order *out);
/* fo_fixture_order, inserted in its own batch; asserts success. */
void fo_fixture_insert_order(struct fo_store *store, struct fo_order *order);

/* Insert rows in their own batch, asserting success. */
void fo_fixture_insert_buyer(struct fo_store *store, const struct fo_buyer *buyer);
void fo_fixture_insert_policy(struct fo_store *store, const struct fo_policy *policy);
void fo_fixture_insert_supplier(struct fo_store *store, const struct fo_supplier *supplier);
void fo_fixture_insert_service(struct fo_store *store, const struct fo_service *service);

/* A 32-byte hash whose bytes are all `byte`. */
void fo_fixture_hash(uint8_t byte, uint8_t out[32]);

/* Compare every field of two policies / orders with cmocka assertions. */
void fo_fixture_assert_policy_equal(const struct fo_policy *actual,
                                    const struct fo_policy *expected);
void fo_fixture_assert_order_equal(const struct fo_order *actual, const struct fo_order *expected);

#endif
