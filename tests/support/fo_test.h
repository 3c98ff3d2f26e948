/* Shared helpers for the cmocka suites. Every .c file of tests/support is linked into every test
 * binary (see the Makefile). */
#ifndef FO_TEST_H
#define FO_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* cmocka 1.1.5 compares integers as unsigned and prints them in hex (STYLE.md §10):
 * compare int64 money exactly and print both values in decimal on failure. */
void fo_test_int64_equal(int64_t actual, int64_t expected, const char *actual_text,
                         const char *file, int line);
#define assert_int64_equal(actual, expected)                                                       \
    fo_test_int64_equal((int64_t)(actual), (int64_t)(expected), #actual, __FILE__, __LINE__)

/* The seed of a randomized test: FO_SEED from the environment, else from the clock.
 * Prints "seed: N (replay with FO_SEED=N)". */
uint64_t fo_test_seed(const char *test_name);
/* A small, fast, seeded generator (splitmix64) for randomized tests. */
uint64_t fo_test_random(uint64_t *state);
/* Uniform in [low, high], both inclusive. */
int64_t fo_test_random_range(uint64_t *state, int64_t low, int64_t high);

/* A fresh empty directory under build/tmp for one test (created; path in out). */
void fo_test_temp_dir(const char *name, char *out, size_t out_bytes);

#endif
