/* The subcommands of build/fairorder (git-style); src/main.c dispatches to them. Each
 * takes the arguments after its own name and returns the process exit code. */
#ifndef FO_CLI_CLI_H
#define FO_CLI_CLI_H

int fo_cli_serve(int argc, char **argv);
int fo_cli_verify(int argc, char **argv);
int fo_cli_admin(int argc, char **argv);
int fo_cli_order(int argc, char **argv);

#endif
