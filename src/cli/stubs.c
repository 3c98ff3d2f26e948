/* Subcommands that arrive with later milestones answer clearly instead of failing
 * silently. Each moves to its own file when it is built. */
#include <stdio.h>

#include "cli/cli.h"

static int not_yet(const char *name)
{
    fprintf(stderr, "fairorder %s: not built yet; it arrives with the next milestone\n", name);
    return 2;
}

int fo_cli_admin(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return not_yet("admin");
}

int fo_cli_order(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return not_yet("order");
}
