/* What `fairorder admin …` and `fairorder order …` share: a table-driven command line
 * (command words, positional arguments, options with values, the common --url, --token,
 * --lang, --json and --help), input checks that print one clear line, calls of the HTTP
 * API that turn any failure into one line on standard error, and the plain rendering of
 * API.md's views (order view, quote, policy, settlement) for a terminal.
 *
 * Exit codes of every client subcommand: 0 done, 1 the API or the network said no,
 * 2 the command line is wrong (nothing was sent). Output goes to standard output; errors
 * are exactly one line on standard error. */
#ifndef FO_CLI_CLIENT_H
#define FO_CLI_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/http_client.h"
#include "core/err.h"

#define FO_CLI_EXIT_OK    0
#define FO_CLI_EXIT_API   1
#define FO_CLI_EXIT_USAGE 2

/* Positional arguments and value options one command may take. */
#define FO_CLI_POSITIONAL_MAX 4
#define FO_CLI_OPTIONS_MAX    12
/* "fairorder admin service set" and the like. */
#define FO_CLI_NAME_BYTES 96
/* A request path with its query string; our ids and values are short. */
#define FO_CLI_PATH_BYTES 512
/* The default server address (API.md's examples and `make run`). */
#define FO_CLI_URL_DEFAULT "http://127.0.0.1:8080"

struct fo_cli;

struct fo_cli_command {
    const char *words;     /* "buyer add": what follows the program name. */
    const char *arguments; /* The rest of the usage line: "NAME [--reference REF]". */
    const char *help;      /* What it does, several lines, each ending in '\n'. */
    size_t positional_count;
    const char *options[FO_CLI_OPTIONS_MAX]; /* Options taking a value; NULL-terminated. */
    int (*run)(struct fo_cli *cli);
};

struct fo_cli {
    char name[FO_CLI_NAME_BYTES]; /* For messages: "fairorder admin buyer add". */
    const struct fo_cli_command *command;
    const char *positional[FO_CLI_POSITIONAL_MAX];
    size_t positional_count;
    const char *values[FO_CLI_OPTIONS_MAX]; /* Parallel to command->options; NULL: absent. */
    bool json;                              /* --json: print the raw answer. */
    enum fo_lang lang;                      /* --lang, else from LANG. */
    struct fo_http_client http;
    struct fo_http_response last; /* The last answer (its raw body for --json). */
};

/* Parse argv (argv[0] is the group's name, e.g. "admin"), find the command, check its
 * arguments, set up the HTTP client from the flags and the environment, run it, release
 * everything. Returns the exit code. `group_help` introduces the group in --help. */
int fo_cli_main(const char *group, const char *group_help, const struct fo_cli_command *commands,
                size_t commands_count, int argc, char **argv);

/* The value of a value option of the running command ("--state"), NULL when absent. */
const char *fo_cli_value(const struct fo_cli *cli, const char *option);

/* Print "NAME: <message>" on standard error; return FO_CLI_EXIT_USAGE. */
int fo_cli_usage_error(const struct fo_cli *cli, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "NAME: <message>" on standard error; return FO_CLI_EXIT_API. */
int fo_cli_api_error(const struct fo_cli *cli, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Input checks. Each prints one line naming `label` and returns false when `text` is not
 * acceptable. An integer must parse fully, in decimal, within min..max. */
bool fo_cli_check_int(const struct fo_cli *cli, const char *label, const char *text, int64_t min,
                      int64_t max, int64_t *out);
/* Text: valid UTF-8, chars_min..chars_max code points, no control characters. */
bool fo_cli_check_text(const struct fo_cli *cli, const char *label, const char *text,
                       int64_t chars_min, int64_t chars_max);
/* An id of the given type prefix ("ord_"): letters, digits, '_' or '-', bounded. */
bool fo_cli_check_id(const struct fo_cli *cli, const char *label, const char *text,
                     const char *prefix);
/* An order state name of API.md ("queued"). */
bool fo_cli_check_state(const struct fo_cli *cli, const char *label, const char *text);
/* A list cursor as the server hands it out. */
bool fo_cli_check_cursor(const struct fo_cli *cli, const char *label, const char *text);

/* The path of a list: `base` plus the query of the command's list options that are
 * present (--state, --buyer as buyer_id, --limit, --cursor), each checked first. False
 * with a usage line when one is wrong. */
bool fo_cli_list_path(const struct fo_cli *cli, const char *base, char *out, size_t out_bytes);

/* Call the API. `body` (borrowed, may be NULL) is sent as JSON. With `idempotent`, an
 * Idempotency-Key (--idempotency-key, else a fresh random one) goes with the request and
 * a failed exchange is retried once with the same key; GETs are retried once as well.
 * On a 2xx answer whose body is a JSON object, *out is that object (owned: json_decref)
 * and FO_CLI_EXIT_OK is returned. Otherwise one line goes to standard error and
 * FO_CLI_EXIT_API is returned, with *out the error answer's JSON when there is one (the
 * caller may look at error.quote) or NULL. With --json the raw answer is printed first,
 * whatever its status. */
int fo_cli_call(struct fo_cli *cli, const char *method, const char *path, json_t *body,
                bool idempotent, json_t **out);
/* The answer of the last call failed with this API error code ("quote_changed")? */
bool fo_cli_error_is(json_t *answer, const char *code);

/* JSON members, with a neutral value when absent or of another type. */
const char *fo_cli_json_string(const json_t *object, const char *key);
int64_t fo_cli_json_int(const json_t *object, const char *key);
bool fo_cli_json_bool(const json_t *object, const char *key);

/* --- Rendering (client_print.c) ------------------------------------------------------ */

/* A format string in the reader's language; a macro so that the compiler checks both. */
#define FO_CLI_WORDS(cli, english, chinese) ((cli)->lang == FO_LANG_ZH ? (chinese) : (english))
/* The word in the reader's language (DESIGN.md, "Words"). */
const char *fo_cli_word(const struct fo_cli *cli, const char *english, const char *chinese);
/* "¥12.50" into buf (>= 32 bytes); returns buf. */
const char *fo_cli_money(int64_t amount_minor, char *buf, size_t buf_bytes);
/* An RFC 3339 UTC time of the API in the reader's time zone, "2026-11-25 19:00:00 CST";
 * the text itself when it is not such a time. Returns buf. */
const char *fo_cli_time(const char *rfc3339, char *buf, size_t buf_bytes);
/* The on-screen label of an API state name in one language; the name when unknown. */
const char *fo_cli_state_label(const char *state, enum fo_lang lang);
/* Print "  Label: " (aligned in English, full-width colon in Chinese). */
void fo_cli_print_label(const struct fo_cli *cli, const char *english, const char *chinese);

void fo_cli_print_policy(const struct fo_cli *cli, const json_t *policy);
/* The quote in plain words: allowed or not and why, refund, charged, fee, rule change. */
void fo_cli_print_quote(const struct fo_cli *cli, const json_t *quote);
void fo_cli_print_settlement(const struct fo_cli *cli, const json_t *settlement);
/* A whole order view: state, progress, amount, policy, quote, settlement. */
void fo_cli_print_order(const struct fo_cli *cli, const json_t *order);
/* A service: name, price, quantity range and its policy in plain words. */
void fo_cli_print_service(const struct fo_cli *cli, const json_t *service);
/* One line of an order list. */
void fo_cli_print_order_line(const struct fo_cli *cli, const json_t *order);
/* "More: --cursor C" under a list whose answer has a next_cursor. */
void fo_cli_print_next_cursor(const struct fo_cli *cli, const json_t *answer);
/* A page of orders, one line each (or "No orders."), then the next cursor. */
void fo_cli_print_orders(const struct fo_cli *cli, const json_t *answer);

#endif
