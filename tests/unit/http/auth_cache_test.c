/* The principal cache of the HTTP layer (src/http/auth_cache.c): hits come back exactly,
 * misses stay misses, and two hashes that share a slot evict each other rather than mix.
 * Method: direct calls with crafted hashes (the slot is picked by the first four bytes). */
#include <stdio.h>
#include <string.h>

#include "http/internal.h"
#include "support/fo_test.h"

static void hash_of(uint32_t slot_word, uint8_t tail, uint8_t out[FO_TOKEN_HASH_BYTES])
{
    memset(out, tail, FO_TOKEN_HASH_BYTES);
    memcpy(out, &slot_word, sizeof slot_word);
}

static struct fo_principal principal(enum fo_role role, const char *id)
{
    struct fo_principal p;
    memset(&p, 0, sizeof p);
    p.role = role;
    snprintf(p.id, sizeof p.id, "%s", id);
    return p;
}

static void test_fo_auth_cache_get_returns_what_was_put(void **state)
{
    (void)state;
    struct fo_auth_cache *cache = fo_auth_cache_create();
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    hash_of(7, 0xaa, hash);
    struct fo_principal out = principal(FO_ROLE_ADMIN, "adm_x");
    assert_false(fo_auth_cache_get(cache, hash, &out));
    assert_string_equal(out.id, "adm_x"); /* A miss leaves the output alone. */
    struct fo_principal buyer = principal(FO_ROLE_BUYER, "byr_1");
    fo_auth_cache_put(cache, hash, &buyer);
    assert_true(fo_auth_cache_get(cache, hash, &out));
    assert_int_equal(out.role, FO_ROLE_BUYER);
    assert_string_equal(out.id, "byr_1");
    fo_auth_cache_destroy(cache);
}

static void test_fo_auth_cache_same_slot_other_hash_is_a_miss_then_evicts(void **state)
{
    (void)state;
    struct fo_auth_cache *cache = fo_auth_cache_create();
    uint8_t first[FO_TOKEN_HASH_BYTES];
    uint8_t second[FO_TOKEN_HASH_BYTES];
    hash_of(FO_AUTH_CACHE_SLOTS + 3, 0x11, first);
    hash_of(3, 0x22, second); /* Same slot, different hash. */
    struct fo_principal buyer = principal(FO_ROLE_BUYER, "byr_1");
    struct fo_principal supplier = principal(FO_ROLE_SUPPLIER, "sup_2");
    fo_auth_cache_put(cache, first, &buyer);
    struct fo_principal out;
    assert_false(fo_auth_cache_get(cache, second, &out));
    fo_auth_cache_put(cache, second, &supplier);
    assert_false(fo_auth_cache_get(cache, first, &out));
    assert_true(fo_auth_cache_get(cache, second, &out));
    assert_string_equal(out.id, "sup_2");
    fo_auth_cache_destroy(cache);
}

static void test_fo_auth_cache_destroy_null_is_a_no_op(void **state)
{
    (void)state;
    fo_auth_cache_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fo_auth_cache_get_returns_what_was_put),
        cmocka_unit_test(test_fo_auth_cache_same_slot_other_hash_is_a_miss_then_evicts),
        cmocka_unit_test(test_fo_auth_cache_destroy_null_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
