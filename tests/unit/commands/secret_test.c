/* Secrets: ids are "<prefix>_" + 22 base62 characters and do not repeat; tokens are 43
 * base64url characters; the token hash is BLAKE2b-256, deterministic, and differs for
 * different tokens; wipe zeroes memory.
 *
 * Method: direct calls; uniqueness over a few thousand draws (a collision of ~131-bit ids
 * there would mean a broken generator, not bad luck). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/fo_test.h"

#include "commands/secret.h"

static int compare_ids(const void *left, const void *right)
{
    return strcmp(left, right);
}

static bool is_base62(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void test_secret_new_id_shape_and_uniqueness(void **state)
{
    (void)state;
    enum { IDS = 4000 };
    char(*ids)[FO_ID_BYTES] = calloc(IDS, FO_ID_BYTES);
    assert_non_null(ids);
    size_t seen[62] = {0};
    for (size_t index = 0; index < IDS; index++) {
        fo_secret_new_id("ord", ids[index]);
        assert_int_equal(strlen(ids[index]), 26);
        assert_memory_equal(ids[index], "ord_", 4);
        for (size_t at = 12; at < 26; at++) { /* The random part (after 8 time chars). */
            char c = ids[index][at];
            assert_true(is_base62(c));
            size_t slot = c <= '9'   ? (size_t)(c - '0')
                          : c <= 'Z' ? 10 + (size_t)(c - 'A')
                                     : 36 + (size_t)(c - 'a');
            seen[slot]++;
        }
    }
    /* 56000 random characters: every one of the 62 appears, and none wildly often
     * (903 expected each). */
    for (size_t slot = 0; slot < 62; slot++) {
        assert_true(seen[slot] > 700);
        assert_true(seen[slot] < 1100);
    }
    qsort(ids, IDS, FO_ID_BYTES, compare_ids);
    for (size_t index = 1; index < IDS; index++) {
        assert_string_not_equal(ids[index - 1], ids[index]);
    }
    free(ids);
}

static void test_secret_token_shape_and_hash(void **state)
{
    (void)state;
    char first[FO_TOKEN_CHARS + 1];
    char second[FO_TOKEN_CHARS + 1];
    fo_secret_new_token(first);
    fo_secret_new_token(second);
    assert_int_equal(strlen(first), FO_TOKEN_CHARS);
    assert_string_not_equal(first, second);
    for (size_t index = 0; index < FO_TOKEN_CHARS; index++) {
        char c = first[index];
        assert_true(is_base62(c) || c == '-' || c == '_');
    }
    uint8_t hash_a[FO_TOKEN_HASH_BYTES];
    uint8_t hash_b[FO_TOKEN_HASH_BYTES];
    fo_secret_token_hash(first, strlen(first), hash_a);
    fo_secret_token_hash(first, strlen(first), hash_b);
    assert_memory_equal(hash_a, hash_b, FO_TOKEN_HASH_BYTES);
    fo_secret_token_hash(second, strlen(second), hash_b);
    assert_memory_not_equal(hash_a, hash_b, FO_TOKEN_HASH_BYTES);
    /* BLAKE2b-256 of "abc" (RFC 7693 family; 32-byte output, no key). */
    static const uint8_t abc[FO_TOKEN_HASH_BYTES] = {
        0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72, 0x31, 0x71, 0xef,
        0x3f, 0xee, 0x98, 0x57, 0x9b, 0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb,
        0x3e, 0x42, 0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19};
    fo_secret_token_hash("abc", 3, hash_a);
    assert_memory_equal(hash_a, abc, FO_TOKEN_HASH_BYTES);
    fo_secret_wipe(first, sizeof first);
    for (size_t index = 0; index < sizeof first; index++) {
        assert_int_equal(first[index], 0);
    }
}

/* Ids sort by creation time: the 8 characters after the prefix are the millisecond. */
static void test_secret_new_id_sorts_by_time(void **state)
{
    (void)state;
    char first[FO_ID_BYTES];
    char second[FO_ID_BYTES];
    fo_secret_new_id("ord", first);
    struct timespec pause = {0, 3 * 1000 * 1000};
    nanosleep(&pause, NULL);
    fo_secret_new_id("ord", second);
    assert_true(memcmp(first + 4, second + 4, 8) < 0);
    assert_true(strcmp(first, second) < 0);
    /* The time part decodes to now, within a second. */
    uint64_t value = 0;
    for (size_t at = 4; at < 12; at++) {
        char c = second[at];
        uint64_t digit = c <= '9'   ? (uint64_t)(c - '0')
                         : c <= 'Z' ? 10 + (uint64_t)(c - 'A')
                                    : 36 + (uint64_t)(c - 'a');
        value = value * 62 + digit;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t now_ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
    assert_true(value <= now_ms && now_ms - value < 1000);
}

int main(void)
{
    fo_secret_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_new_id_shape_and_uniqueness),
        cmocka_unit_test(test_secret_new_id_sorts_by_time),
        cmocka_unit_test(test_secret_token_shape_and_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
