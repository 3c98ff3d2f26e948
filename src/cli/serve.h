/* What a running server owns besides HTTP: the clock, the writer, the lease reaper and the
 * simulated suppliers. Shared by serve.c and demo.c. */
#ifndef FO_CLI_SERVE_H
#define FO_CLI_SERVE_H

#include <stdbool.h>

#include "commands/clock.h"
#include "commands/commands.h"
#include "commands/writer.h"
#include "core/err.h"
#include "supplier/supplier.h"

struct fo_serve_runtime {
    const char *db_location;
    struct fo_clock *clock;
    struct fo_writer *writer;
    struct fo_reaper *reaper;
    struct fo_simulator *simulator; /* Runs the suppliers with simulate_units_per_s. */
};

/* Clock, writer (migrations), admin token (FAIRORDER_ADMIN_TOKEN, or a new random one
 * printed once on standard error; with `demo` also saved to <db>.admin-token, mode 0600,
 * and shown again from there on later starts), reaper, simulated supplier. Logs what went
 * wrong and says what to do. */
enum fo_err fo_serve_runtime_start(struct fo_serve_runtime *runtime, const char *db_location,
                                   bool test_clock, bool demo);
void fo_serve_runtime_stop(struct fo_serve_runtime *runtime);

/* Save a token to `path` (mode 0600, fsync'd) / read one back; false on any failure. For
 * the tokens --demo prints, which the database keeps only hashed. */
bool fo_serve_secret_save(const char *path, const char *token);
bool fo_serve_secret_load(const char *path, char out[FO_TOKEN_CHARS + 1]);

/* --demo: on an empty database create the demo data and print the buyer's token and the
 * web page's URL (demo.c). */
void fo_serve_demo(struct fo_serve_runtime *runtime, const char *url);

#endif
