/* The server's runtime besides HTTP (serve.h): clock, writer, admin token, reaper and
 * simulated supplier. The two background threads submit writer jobs, so they stop before
 * the writer does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/serve.h"
#include "commands/commands.h"
#include "commands/secret.h"
#include "core/assert.h"
#include "log.h"

struct admin_job {
    struct fo_job job;
    const char *token;
    char new_token[FO_TOKEN_CHARS + 1];
    enum fo_err err;
};

static void admin_job_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    (void)now_unix_ms;
    struct admin_job *admin = (struct admin_job *)(void *)job;
    admin->err = fo_cmd_admin_ensure(store, admin->token, admin->new_token);
    job->keep = admin->err == FO_OK;
}

/* Tell the operator the admin token: a new one once; with --demo, saved beside the
 * database and shown again on later starts (make run is for trying things out). */
static void announce_admin(const char *new_token, const char *db_location, bool demo)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.admin-token", db_location);
    char saved[FO_TOKEN_CHARS + 1];
    if (new_token[0] != '\0' && demo && fo_serve_secret_save(path, new_token)) {
        fprintf(stderr, "admin token: %s (saved in %s)\n", new_token, path);
    } else if (new_token[0] != '\0') {
        fprintf(stderr, "admin token (shown once, keep it): %s\n", new_token);
    } else if (demo && fo_serve_secret_load(path, saved)) {
        fprintf(stderr, "admin token: %s (saved in %s)\n", saved, path);
    }
    fo_secret_wipe(saved, sizeof saved);
}

static enum fo_err ensure_admin(struct fo_writer *writer, const char *db_location, bool demo)
{
    struct admin_job admin;
    memset(&admin, 0, sizeof admin);
    admin.job.run = admin_job_run;
    admin.token = getenv("FAIRORDER_ADMIN_TOKEN");
    if (admin.token != NULL && (admin.token[0] == '\0' || strlen(admin.token) > 128)) {
        fprintf(stderr, "fairorder serve: FAIRORDER_ADMIN_TOKEN must be 1..128 characters\n");
        return FO_ERR_INVALID_REQUEST;
    }
    enum fo_err err = fo_writer_run_sync(writer, &admin.job);
    if (err == FO_OK) {
        err = admin.err;
    }
    if (err == FO_OK && admin.token == NULL) {
        announce_admin(admin.new_token, db_location, demo);
    }
    fo_secret_wipe(admin.new_token, sizeof admin.new_token);
    return err;
}

enum fo_err fo_serve_runtime_start(struct fo_serve_runtime *runtime, const char *db_location,
                                   bool test_clock, bool demo)
{
    FO_ASSERT(runtime != NULL);
    FO_ASSERT(db_location != NULL);
    runtime->db_location = db_location;
    runtime->clock = fo_clock_create(test_clock);
    if (runtime->clock == NULL) {
        return FO_ERR_UNAVAILABLE;
    }
    enum fo_err err = fo_writer_start(db_location, runtime->clock, &runtime->writer);
    if (err != FO_OK) {
        fprintf(stderr,
                "fairorder serve: cannot open the database %s (%s): check the path "
                "and its permissions\n",
                db_location, fo_err_code(err));
        fo_clock_destroy(runtime->clock);
        return err;
    }
    err = ensure_admin(runtime->writer, db_location, demo);
    if (err == FO_OK) {
        err = fo_reaper_start(runtime->writer, runtime->clock, &runtime->reaper);
    }
    if (err == FO_OK) {
        err = fo_simulator_start(runtime->writer, &runtime->simulator);
    }
    if (err != FO_OK) {
        fo_reaper_stop(runtime->reaper);
        fo_writer_stop(runtime->writer);
        fo_clock_destroy(runtime->clock);
        memset(runtime, 0, sizeof *runtime);
    }
    return err;
}

void fo_serve_runtime_stop(struct fo_serve_runtime *runtime)
{
    FO_ASSERT(runtime != NULL);
    FO_ASSERT(runtime->writer != NULL);
    fo_simulator_stop(runtime->simulator);
    fo_reaper_stop(runtime->reaper);
    fo_writer_stop(runtime->writer);
    fo_clock_destroy(runtime->clock);
    memset(runtime, 0, sizeof *runtime);
}
