/* build/fairorder: one binary, git-style subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define FO_VERSION "0.1.0"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"serve", fo_cli_serve, "serve the HTTP API (--db PATH --listen ADDR [--demo] ...)"},
    {"verify", fo_cli_verify, "check every ledger invariant of a database file offline"},
    {"admin", fo_cli_admin, "operator commands over the HTTP API (buyers, services, ...)"},
    {"order", fo_cli_order, "buyer commands over the HTTP API (place, show, cancel, watch)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: fairorder <command> [options]\n\n"
                 "fairorder is an order engine for instant-delivery virtual goods whose buyers\n"
                 "can always see whether they may cancel, and exactly what comes back.\n\n"
                 "commands:\n");
    for (size_t index = 0; index < sizeof subcommands / sizeof subcommands[0]; index++) {
        fprintf(out, "  %-8s %s\n", subcommands[index].name, subcommands[index].summary);
    }
    fprintf(out, "\n'fairorder <command> --help' tells more. --version prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("fairorder %s\n", FO_VERSION);
        return 0;
    }
    for (size_t index = 0; index < sizeof subcommands / sizeof subcommands[0]; index++) {
        if (strcmp(name, subcommands[index].name) == 0) {
            return subcommands[index].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "fairorder: unknown command '%s'; 'fairorder --help' lists them\n", name);
    return 2;
}
