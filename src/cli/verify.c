/* fairorder verify --db PATH: the offline ledger check. Opens the database file read-only
 * in spirit (no migrations, no writes), replays the ledger and checks every invariant of
 * DESIGN.md, prints each problem, and exits 1 when there is any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "commands/query.h"
#include "store/store.h"

static int verify_usage(FILE *out, int code)
{
    fprintf(out, "usage: fairorder verify --db PATH\n\n"
                 "Checks every ledger invariant of the database file offline: the ledger sums\n"
                 "to zero, balances match postings and are never negative, every order's\n"
                 "settlement adds up. Prints each problem; exit 1 when there is any.\n");
    return code;
}

static int verify_report(const struct fo_verify_report *report)
{
    size_t listed = report->problems_count < FO_VERIFY_PROBLEMS_MAX ? report->problems_count
                                                                    : FO_VERIFY_PROBLEMS_MAX;
    for (size_t index = 0; index < listed; index++) {
        printf("problem: %s\n", report->problems[index]);
    }
    printf("%s: %lld orders, %lld buyers, %lld journals, %zu problems\n",
           report->ok ? "ok" : "NOT OK", (long long)report->orders_count,
           (long long)report->buyers_count, (long long)report->journals_count,
           report->problems_count);
    return report->ok ? 0 : 1;
}

int fo_cli_verify(int argc, char **argv)
{
    const char *db_location = NULL;
    for (int index = 1; index < argc; index++) {
        if (strcmp(argv[index], "--help") == 0 || strcmp(argv[index], "-h") == 0) {
            return verify_usage(stdout, 0);
        } else if (strcmp(argv[index], "--db") == 0 && index + 1 < argc) {
            db_location = argv[++index];
        } else {
            return verify_usage(stderr, 2);
        }
    }
    if (db_location == NULL || access(db_location, R_OK) != 0) {
        fprintf(stderr, "fairorder verify: give an existing database file with --db PATH\n");
        return 2;
    }
    struct fo_store *store = NULL;
    if (fo_store_open(db_location, false, &store) != FO_OK) {
        fprintf(stderr,
                "fairorder verify: cannot open %s (the line above says why). A running server "
                "holds its database for itself: stop it first, or verify through it with "
                "'fairorder admin verify'.\n",
                db_location);
        return 2;
    }
    struct fo_verify_report *report = calloc(1, sizeof *report);
    enum fo_err err = report != NULL ? fo_query_verify(store, report) : FO_ERR_UNAVAILABLE;
    int code = 2;
    if (err == FO_OK) {
        code = verify_report(report);
    } else {
        fprintf(stderr, "fairorder verify: could not read the database (%s)\n", fo_err_code(err));
    }
    free(report);
    fo_store_close(store);
    return code;
}
