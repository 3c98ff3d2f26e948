/* Store contract: connections, transactions, principals, idempotency and settings.
 *
 * Property: store.h's promises hold whatever the backend: migrations run once and a
 * reopened database keeps everything; a batch is all-or-nothing and visible to other
 * connections only once committed; a command scope undone inside a batch removes exactly
 * that command's writes and keeps the others; a read scope sees one snapshot; tokens,
 * idempotency answers and settings round-trip exactly. Method: each test runs on a fresh
 * seeded database from the fixture (store_fixture.h) and asserts exact values through the
 * interface only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_fixture.h"

static struct fo_buyer get_buyer(struct fo_store *store, const char *id)
{
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(store, id, &buyer), FO_OK);
    return buyer;
}

static void insert_buyer_n(struct fo_store *store, int n)
{
    struct fo_buyer buyer;
    fo_fixture_buyer(n, &buyer);
    assert_int_equal(fo_store_buyer_insert(store, &buyer), FO_OK);
}

/* --- Connection ------------------------------------------------------------------------ */

/* The buyer's balances by its id: read the buyer (its row), then write them. */
static enum fo_err put_balances(struct fo_store *store, const char *buyer_id,
                                int64_t available_minor, int64_t held_minor)
{
    struct fo_buyer buyer;
    enum fo_err err = fo_store_buyer_get(store, buyer_id, &buyer);
    return err != FO_OK ? err
                        : fo_store_buyer_put_balances(store, &buyer, available_minor, held_minor);
}

static void test_open_migrates_to_the_backends_schema_version(void **state)
{
    struct fo_fixture *fixture = *state;
    assert_int64_equal(fo_store_schema_version(fixture->store), fo_fixture_schema_version());
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    assert_int64_equal(fo_store_schema_version(reader), fo_fixture_schema_version());
    fo_store_close(reader);
}

static void test_open_unopenable_location_is_unavailable(void **state)
{
    (void)state;
    char location[512];
    fo_fixture_location_unopenable("unopenable", location, sizeof location);
    struct fo_store *store = (struct fo_store *)&location; /* Must be reset to NULL. */
    assert_int_equal(fo_store_open(location, false, &store), FO_ERR_UNAVAILABLE);
    assert_null(store);
    assert_int_equal(fo_store_open(location, true, &store), FO_ERR_UNAVAILABLE);
    assert_null(store);
}

static void test_close_null_is_a_no_op(void **state)
{
    (void)state;
    fo_store_close(NULL);
}

static void test_reopen_keeps_everything_and_does_not_rerun_migrations(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_CANCELLED, &order);
    fo_fixture_insert_order(fixture->store, &order);
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_setting_put(fixture->store, "clock_offset_ms", 42), FO_OK);
    fo_fixture_commit(fixture->store);

    /* Running 0001 again would fail (its tables exist): reopening must skip it. */
    fo_fixture_reopen(fixture);
    fo_fixture_reopen(fixture);
    assert_int64_equal(fo_store_schema_version(fixture->store), fo_fixture_schema_version());
    struct fo_order read;
    assert_int_equal(fo_store_order_get(fixture->store, "ord_1", &read), FO_OK);
    fo_fixture_assert_order_equal(&read, &order);
    int64_t value = 0;
    assert_int_equal(fo_store_setting_get(fixture->store, "clock_offset_ms", &value), FO_OK);
    assert_int64_equal(value, 42);
    assert_int64_equal(get_buyer(fixture->store, "byr_2").available_minor, 100000);
}

/* --- Transactions ---------------------------------------------------------------------- */

static void test_batch_is_visible_to_other_connections_only_after_commit(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    struct fo_buyer buyer;

    fo_fixture_begin(fixture->store);
    insert_buyer_n(fixture->store, 3);
    assert_int_equal(fo_store_command_end(fixture->store, true), FO_OK);
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_3", &buyer), FO_OK);
    assert_int_equal(fo_store_buyer_get(reader, "byr_3", &buyer), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_batch_commit(fixture->store), FO_OK);
    assert_int_equal(fo_store_buyer_get(reader, "byr_3", &buyer), FO_OK);
    assert_string_equal(buyer.name, "buyer 3");
    fo_store_close(reader);
}

static void test_batch_rollback_discards_every_command(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    fo_fixture_begin(store);
    insert_buyer_n(store, 3);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(put_balances(store, "byr_1", 7, 8), FO_OK);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    fo_store_batch_rollback(store);

    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(store, "byr_3", &buyer), FO_ERR_NOT_FOUND);
    assert_int64_equal(get_buyer(store, "byr_1").available_minor, 100000);
    assert_int64_equal(get_buyer(store, "byr_1").held_minor, 0);
    /* The connection is usable again. */
    fo_fixture_begin(store);
    insert_buyer_n(store, 3);
    fo_fixture_commit(store);
    assert_int_equal(fo_store_buyer_get(store, "byr_3", &buyer), FO_OK);
}

static void test_command_undo_removes_exactly_that_command(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    /* Command 1, kept. */
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 3);
    assert_int_equal(put_balances(store, "byr_1", 90000, 10000), FO_OK);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    /* Command 2, undone: its insert and its update of a row command 1 wrote vanish. */
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 4);
    assert_int_equal(put_balances(store, "byr_1", 1, 2), FO_OK);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    /* Command 3, kept. */
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 5);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);

    struct fo_store *reader = fo_fixture_open_reader(fixture);
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(reader, "byr_3", &buyer), FO_OK);
    assert_int_equal(fo_store_buyer_get(reader, "byr_4", &buyer), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_buyer_get(reader, "byr_5", &buyer), FO_OK);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 90000);
    assert_int64_equal(get_buyer(reader, "byr_1").held_minor, 10000);
    fo_store_close(reader);
}

static void test_refused_write_spoils_only_its_command(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 3);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);

    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(put_balances(store, "byr_2", 50, 0), FO_OK);
    assert_int_equal(put_balances(store, "byr_1", -1, 0), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);

    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 4);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);

    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(store, "byr_3", &buyer), FO_OK);
    assert_int_equal(fo_store_buyer_get(store, "byr_4", &buyer), FO_OK);
    assert_int64_equal(get_buyer(store, "byr_2").available_minor, 100000);
    assert_int64_equal(get_buyer(store, "byr_1").available_minor, 100000);
}

/* Whether a command run bare (no savepoint) needs its batch undone. */
static bool bare_undo_needed(struct fo_store *store, int64_t mark, bool keep)
{
    bool undo_needed = true;
    assert_int_equal(fo_store_bare_end(store, mark, keep, &undo_needed), FO_OK);
    return undo_needed;
}

/* A bare scope needs no undo when its command keeps what it wrote or wrote nothing: also
 * when a write was refused by the schema (the statement left nothing behind). It needs
 * one when the command is refused after changing a row, even a row that a nested command
 * scope has already put back: only the batch's rollback then undoes it. */
static void test_bare_scope_tells_when_an_undo_is_needed(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    int64_t mark = 0;

    assert_int_equal(fo_store_bare_begin(store, &mark), FO_OK);
    insert_buyer_n(store, 3);
    assert_false(bare_undo_needed(store, mark, true));

    assert_int_equal(fo_store_bare_begin(store, &mark), FO_OK);
    assert_int64_equal(get_buyer(store, "byr_2").available_minor, 100000);
    assert_false(bare_undo_needed(store, mark, false));

    assert_int_equal(fo_store_bare_begin(store, &mark), FO_OK);
    assert_int_equal(put_balances(store, "byr_1", -1, 0), FO_ERR_INTERNAL);
    assert_false(bare_undo_needed(store, mark, false));

    assert_int_equal(fo_store_bare_begin(store, &mark), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(put_balances(store, "byr_2", 5, 0), FO_OK);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    assert_true(bare_undo_needed(store, mark, false));

    assert_int_equal(fo_store_bare_begin(store, &mark), FO_OK);
    assert_int_equal(put_balances(store, "byr_1", 7, 0), FO_OK);
    assert_true(bare_undo_needed(store, mark, false));
    fo_store_batch_rollback(store);

    /* The rollback took every bare command with it, kept ones included. */
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(store, "byr_3", &buyer), FO_ERR_NOT_FOUND);
    assert_int64_equal(get_buyer(store, "byr_1").available_minor, 100000);
    assert_int64_equal(get_buyer(store, "byr_2").available_minor, 100000);
}

static void test_command_outside_a_batch_is_its_own_transaction(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    struct fo_buyer buyer;
    assert_int_equal(fo_store_command_begin(fixture->store), FO_OK);
    insert_buyer_n(fixture->store, 3);
    assert_int_equal(fo_store_command_end(fixture->store, true), FO_OK);
    assert_int_equal(fo_store_buyer_get(reader, "byr_3", &buyer), FO_OK);

    assert_int_equal(fo_store_command_begin(fixture->store), FO_OK);
    insert_buyer_n(fixture->store, 4);
    assert_int_equal(fo_store_command_end(fixture->store, false), FO_OK);
    assert_int_equal(fo_store_buyer_get(reader, "byr_4", &buyer), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_4", &buyer), FO_ERR_NOT_FOUND);
    fo_store_close(reader);
}

static void test_command_scopes_nest_inner_undo_keeps_the_outer(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK); /* Outer: the request. */
    insert_buyer_n(store, 3);
    assert_int_equal(fo_store_command_begin(store), FO_OK); /* Inner: the command. */
    insert_buyer_n(store, 4);
    assert_int_equal(put_balances(store, "byr_1", 1, 2), FO_OK);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    assert_int_equal(fo_store_setting_put(store, "answer", 409), FO_OK); /* Its answer. */
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);

    struct fo_store *reader = fo_fixture_open_reader(fixture);
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(reader, "byr_3", &buyer), FO_OK);
    assert_int_equal(fo_store_buyer_get(reader, "byr_4", &buyer), FO_ERR_NOT_FOUND);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);
    int64_t answer = 0;
    assert_int_equal(fo_store_setting_get(reader, "answer", &answer), FO_OK);
    assert_int64_equal(answer, 409);
    fo_store_close(reader);
}

static void test_command_scopes_nest_outer_undo_drops_the_kept_inner(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 4);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 5);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    insert_buyer_n(store, 6);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);

    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(store, "byr_4", &buyer), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_buyer_get(store, "byr_5", &buyer), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_buyer_get(store, "byr_6", &buyer), FO_OK);
}

static void test_read_scopes_nest_in_one_snapshot(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    assert_int_equal(fo_store_read_begin(reader), FO_OK);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);
    assert_int_equal(fo_store_read_begin(reader), FO_OK);
    fo_fixture_begin(fixture->store);
    assert_int_equal(put_balances(fixture->store, "byr_1", 200, 0), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);
    fo_store_read_end(reader);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);
    fo_store_read_end(reader);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 200);
    fo_store_close(reader);
}

static void test_read_scope_sees_one_snapshot(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    assert_int_equal(fo_store_read_begin(reader), FO_OK);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);

    fo_fixture_begin(fixture->store);
    assert_int_equal(put_balances(fixture->store, "byr_1", 200, 0), FO_OK);
    assert_int_equal(put_balances(fixture->store, "byr_2", 300, 0), FO_OK);
    fo_fixture_commit(fixture->store);

    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);
    assert_int64_equal(get_buyer(reader, "byr_2").available_minor, 100000);
    fo_store_read_end(reader);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 200);
    assert_int64_equal(get_buyer(reader, "byr_2").available_minor, 300);
    fo_store_close(reader);
}

static void test_reads_without_a_scope_see_the_latest_commit(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 100000);
    fo_fixture_begin(fixture->store);
    assert_int_equal(put_balances(fixture->store, "byr_1", 1, 2), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int64_equal(get_buyer(reader, "byr_1").available_minor, 1);
    assert_int64_equal(get_buyer(reader, "byr_1").held_minor, 2);
    fo_store_close(reader);
}

/* --- Principals ------------------------------------------------------------------------ */

static void put_principal(struct fo_store *store, enum fo_role role, const char *id,
                          uint8_t hash_byte)
{
    struct fo_principal principal = {.role = role};
    snprintf(principal.id, sizeof principal.id, "%s", id);
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    fo_fixture_hash(hash_byte, hash);
    fo_fixture_begin(store);
    assert_int_equal(fo_store_principal_put(store, &principal, hash), FO_OK);
    fo_fixture_commit(store);
}

static enum fo_err lookup(struct fo_store *store, uint8_t hash_byte, struct fo_principal *out)
{
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    fo_fixture_hash(hash_byte, hash);
    return fo_store_principal_by_token(store, hash, out);
}

static void test_principal_round_trips_by_token_hash(void **state)
{
    struct fo_fixture *fixture = *state;
    put_principal(fixture->store, FO_ROLE_BUYER, "byr_1", 0x11);
    put_principal(fixture->store, FO_ROLE_SUPPLIER, "sup_1", 0x22);
    struct fo_principal principal;
    assert_int_equal(lookup(fixture->store, 0x11, &principal), FO_OK);
    assert_int_equal(principal.role, FO_ROLE_BUYER);
    assert_string_equal(principal.id, "byr_1");
    assert_int_equal(lookup(fixture->store, 0x22, &principal), FO_OK);
    assert_int_equal(principal.role, FO_ROLE_SUPPLIER);
    assert_string_equal(principal.id, "sup_1");
}

static void test_principal_unknown_token_is_not_found(void **state)
{
    struct fo_fixture *fixture = *state;
    put_principal(fixture->store, FO_ROLE_BUYER, "byr_1", 0x11);
    struct fo_principal principal;
    assert_int_equal(lookup(fixture->store, 0x12, &principal), FO_ERR_NOT_FOUND);
    uint8_t almost[FO_TOKEN_HASH_BYTES];
    fo_fixture_hash(0x11, almost);
    almost[FO_TOKEN_HASH_BYTES - 1] = 0x10;
    assert_int_equal(fo_store_principal_by_token(fixture->store, almost, &principal),
                     FO_ERR_NOT_FOUND);
}

static void test_admin_put_replaces_the_old_admin_token(void **state)
{
    struct fo_fixture *fixture = *state;
    bool exists = true;
    assert_int_equal(fo_store_admin_exists(fixture->store, &exists), FO_OK);
    assert_false(exists);
    put_principal(fixture->store, FO_ROLE_ADMIN, "adm_1", 0xA1);
    assert_int_equal(fo_store_admin_exists(fixture->store, &exists), FO_OK);
    assert_true(exists);

    put_principal(fixture->store, FO_ROLE_ADMIN, "adm_2", 0xA2);
    struct fo_principal principal;
    assert_int_equal(lookup(fixture->store, 0xA1, &principal), FO_ERR_NOT_FOUND);
    assert_int_equal(lookup(fixture->store, 0xA2, &principal), FO_OK);
    assert_int_equal(principal.role, FO_ROLE_ADMIN);
    assert_string_equal(principal.id, "adm_2");
    /* The same admin with a new token. */
    put_principal(fixture->store, FO_ROLE_ADMIN, "adm_2", 0xA3);
    assert_int_equal(lookup(fixture->store, 0xA2, &principal), FO_ERR_NOT_FOUND);
    assert_int_equal(lookup(fixture->store, 0xA3, &principal), FO_OK);
    assert_int_equal(fo_store_admin_exists(fixture->store, &exists), FO_OK);
    assert_true(exists);
}

static void test_admin_put_keeps_other_principals(void **state)
{
    struct fo_fixture *fixture = *state;
    put_principal(fixture->store, FO_ROLE_BUYER, "byr_1", 0x11);
    put_principal(fixture->store, FO_ROLE_ADMIN, "adm_1", 0xA1);
    put_principal(fixture->store, FO_ROLE_ADMIN, "adm_1", 0xA2);
    struct fo_principal principal;
    assert_int_equal(lookup(fixture->store, 0x11, &principal), FO_OK);
    assert_string_equal(principal.id, "byr_1");
}

static void test_principal_token_hash_is_unique(void **state)
{
    struct fo_fixture *fixture = *state;
    put_principal(fixture->store, FO_ROLE_BUYER, "byr_1", 0x11);
    struct fo_principal other = {.role = FO_ROLE_BUYER, .id = "byr_2"};
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    fo_fixture_hash(0x11, hash);
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_principal_put(fixture->store, &other, hash), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(fixture->store, false), FO_OK);
    assert_int_equal(fo_store_batch_commit(fixture->store), FO_OK);
    struct fo_principal principal;
    assert_int_equal(lookup(fixture->store, 0x11, &principal), FO_OK);
    assert_string_equal(principal.id, "byr_1");
}

/* --- Idempotency ----------------------------------------------------------------------- */

static struct fo_idempotency *answer_new(uint8_t hash_byte, int status, const char *body,
                                         int64_t created_at_unix_ms)
{
    struct fo_idempotency *record = calloc(1, sizeof *record);
    assert_non_null(record);
    fo_fixture_hash(hash_byte, record->request_hash);
    record->status = status;
    record->body_bytes = strlen(body);
    memcpy(record->body, body, record->body_bytes);
    record->created_at_unix_ms = created_at_unix_ms;
    return record;
}

static void answer_put(struct fo_store *store, const char *principal_id, const char *key,
                       const struct fo_idempotency *record)
{
    fo_fixture_begin(store);
    assert_int_equal(fo_store_idempotency_put(store, principal_id, key, record), FO_OK);
    fo_fixture_commit(store);
}

static void assert_answer_equal(const struct fo_idempotency *actual,
                                const struct fo_idempotency *expected)
{
    assert_memory_equal(actual->request_hash, expected->request_hash, FO_REQUEST_HASH_BYTES);
    assert_int_equal(actual->status, expected->status);
    assert_int64_equal(actual->body_bytes, expected->body_bytes);
    assert_memory_equal(actual->body, expected->body, expected->body_bytes);
    assert_int64_equal(actual->created_at_unix_ms, expected->created_at_unix_ms);
}

static void test_idempotency_round_trips_per_principal_and_key(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_idempotency *first = answer_new(0x01, 201, "{\"id\":\"ord_1\"}", 1000);
    struct fo_idempotency *second = answer_new(0x02, 409, "{\"error\":{}}", 2000);
    struct fo_idempotency *read = calloc(1, sizeof *read);
    assert_non_null(read);
    answer_put(fixture->store, "byr_1", "key-1", first);
    answer_put(fixture->store, "byr_2", "key-1", second);

    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "key-1", read), FO_OK);
    assert_answer_equal(read, first);
    assert_string_equal(read->body, "{\"id\":\"ord_1\"}");
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_2", "key-1", read), FO_OK);
    assert_answer_equal(read, second);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "key-2", read),
                     FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "sup_1", "key-1", read),
                     FO_ERR_NOT_FOUND);
    free(first);
    free(second);
    free(read);
}

static void test_idempotency_put_again_replaces_the_answer(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_idempotency *first = answer_new(0x01, 201, "first", 1000);
    struct fo_idempotency *second = answer_new(0x02, 402, "second answer", 1500);
    struct fo_idempotency *read = calloc(1, sizeof *read);
    assert_non_null(read);
    answer_put(fixture->store, "byr_1", "k", first);
    answer_put(fixture->store, "byr_1", "k", second);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "k", read), FO_OK);
    assert_answer_equal(read, second);
    free(first);
    free(second);
    free(read);
}

static void test_idempotency_bodies_empty_and_largest(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_idempotency *empty = answer_new(0x03, 204, "", 1000);
    struct fo_idempotency *largest = answer_new(0x04, 200, "", 1000);
    struct fo_idempotency *read = calloc(1, sizeof *read);
    assert_non_null(read);
    largest->body_bytes = FO_RESPONSE_BYTES_MAX;
    for (size_t index = 0; index < largest->body_bytes; index++) {
        largest->body[index] = (char)('a' + index % 26);
    }
    answer_put(fixture->store, "byr_1", "empty", empty);
    answer_put(fixture->store, "byr_1", "largest", largest);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "empty", read), FO_OK);
    assert_answer_equal(read, empty);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "largest", read), FO_OK);
    assert_answer_equal(read, largest);
    free(empty);
    free(largest);
    free(read);
}

static void test_idempotency_purge_forgets_only_older_answers(void **state)
{
    struct fo_fixture *fixture = *state;
    const int64_t created[] = {999, 1000, 1001, 5000};
    const char *const keys[] = {"a", "b", "c", "d"};
    for (size_t index = 0; index < 4; index++) {
        struct fo_idempotency *record = answer_new(0x05, 201, "x", created[index]);
        answer_put(fixture->store, "byr_1", keys[index], record);
        free(record);
    }
    int64_t purged = -1;
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_idempotency_purge(fixture->store, 1001, &purged), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int64_equal(purged, 2);

    struct fo_idempotency *read = calloc(1, sizeof *read);
    assert_non_null(read);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "a", read),
                     FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "b", read),
                     FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "c", read), FO_OK);
    assert_int64_equal(read->created_at_unix_ms, 1001);
    assert_int_equal(fo_store_idempotency_get(fixture->store, "byr_1", "d", read), FO_OK);
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_idempotency_purge(fixture->store, 1001, &purged), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int64_equal(purged, 0);
    free(read);
}

/* --- Settings -------------------------------------------------------------------------- */

static void test_setting_unset_is_not_found_then_round_trips(void **state)
{
    struct fo_fixture *fixture = *state;
    int64_t value = 7;
    assert_int_equal(fo_store_setting_get(fixture->store, "clock_offset_ms", &value),
                     FO_ERR_NOT_FOUND);
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_setting_put(fixture->store, "clock_offset_ms", -5), FO_OK);
    assert_int_equal(fo_store_setting_put(fixture->store, "other", INT64_MAX), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int_equal(fo_store_setting_get(fixture->store, "clock_offset_ms", &value), FO_OK);
    assert_int64_equal(value, -5);
    assert_int_equal(fo_store_setting_get(fixture->store, "other", &value), FO_OK);
    assert_int64_equal(value, INT64_MAX);

    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_setting_put(fixture->store, "clock_offset_ms", 86400000), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int_equal(fo_store_setting_get(fixture->store, "clock_offset_ms", &value), FO_OK);
    assert_int64_equal(value, 86400000);
}

#define FIXTURE_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fo_fixture_setup, fo_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_open_migrates_to_the_backends_schema_version),
        cmocka_unit_test(test_open_unopenable_location_is_unavailable),
        cmocka_unit_test(test_close_null_is_a_no_op),
        FIXTURE_TEST(test_reopen_keeps_everything_and_does_not_rerun_migrations),
        FIXTURE_TEST(test_batch_is_visible_to_other_connections_only_after_commit),
        FIXTURE_TEST(test_batch_rollback_discards_every_command),
        FIXTURE_TEST(test_command_undo_removes_exactly_that_command),
        FIXTURE_TEST(test_refused_write_spoils_only_its_command),
        FIXTURE_TEST(test_bare_scope_tells_when_an_undo_is_needed),
        FIXTURE_TEST(test_command_outside_a_batch_is_its_own_transaction),
        FIXTURE_TEST(test_command_scopes_nest_inner_undo_keeps_the_outer),
        FIXTURE_TEST(test_command_scopes_nest_outer_undo_drops_the_kept_inner),
        FIXTURE_TEST(test_read_scopes_nest_in_one_snapshot),
        FIXTURE_TEST(test_read_scope_sees_one_snapshot),
        FIXTURE_TEST(test_reads_without_a_scope_see_the_latest_commit),
        FIXTURE_TEST(test_principal_round_trips_by_token_hash),
        FIXTURE_TEST(test_principal_unknown_token_is_not_found),
        FIXTURE_TEST(test_admin_put_replaces_the_old_admin_token),
        FIXTURE_TEST(test_admin_put_keeps_other_principals),
        FIXTURE_TEST(test_principal_token_hash_is_unique),
        FIXTURE_TEST(test_idempotency_round_trips_per_principal_and_key),
        FIXTURE_TEST(test_idempotency_put_again_replaces_the_answer),
        FIXTURE_TEST(test_idempotency_bodies_empty_and_largest),
        FIXTURE_TEST(test_idempotency_purge_forgets_only_older_answers),
        FIXTURE_TEST(test_setting_unset_is_not_found_then_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
