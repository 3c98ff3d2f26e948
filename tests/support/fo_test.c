/* Shared helpers for the cmocka suites; see fo_test.h. */
#include "fo_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void fo_test_int64_equal(int64_t actual, int64_t expected, const char *actual_text,
                         const char *file, int line)
{
    if (actual != expected) {
        print_error("%s is %" PRId64 ", expected %" PRId64 "\n", actual_text, actual, expected);
        _fail(file, line);
    }
}

uint64_t fo_test_seed(const char *test_name)
{
    uint64_t seed = 0;
    const char *from_env = getenv("FO_SEED");
    if (from_env != NULL && from_env[0] != '\0') {
        seed = strtoull(from_env, NULL, 10);
    } else {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        seed = (uint64_t)now.tv_sec * 1000003u ^ (uint64_t)now.tv_nsec ^ (uint64_t)getpid();
    }
    printf("%s: seed: %" PRIu64 " (replay with FO_SEED=%" PRIu64 ")\n", test_name, seed, seed);
    return seed;
}

uint64_t fo_test_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int64_t fo_test_random_range(uint64_t *state, int64_t low, int64_t high)
{
    uint64_t span = (uint64_t)(high - low) + 1u;
    if (span == 0) {
        return (int64_t)fo_test_random(state);
    }
    return low + (int64_t)(fo_test_random(state) % span);
}

void fo_test_temp_dir(const char *name, char *out, size_t out_bytes)
{
    mkdir("build", 0755);
    mkdir("build/tmp", 0755);
    snprintf(out, out_bytes, "build/tmp/%s-%ld", name, (long)getpid());
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s' && mkdir -p '%s'", out, out);
    if (system(command) != 0) {
        fail_msg("cannot create %s", out);
    }
}
