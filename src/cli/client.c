/* The command line and the API calls shared by `fairorder admin …` and `fairorder order …`
 * (see client.h). A command is a row of a table: its words, its positional arguments and
 * its options; this file parses argv against the table, so every subcommand gets --help,
 * the common flags and the same one-line errors for free.
 *
 * Nothing is sent before the whole command line has been checked: a usage error exits 2
 * having touched nothing. Idempotent requests carry an Idempotency-Key, so the one retry
 * after a broken exchange can never place or refund twice. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/client.h"
#include "core/assert.h"
#include "core/order.h"
#include "core/utf8.h"

/* Command words of one table row ("service set": two). */
#define WORDS_MAX 3
/* A random Idempotency-Key: 16 bytes as hex. */
#define IDEMPOTENCY_RANDOM_BYTES 16
/* Pause before the one retry of a broken exchange. */
#define RETRY_PAUSE_MS 500

static const char common_help[] =
    "\ncommon options:\n"
    "  --url URL      the server, http://HOST:PORT (else FAIRORDER_URL, else " FO_CLI_URL_DEFAULT
    ")\n"
    "  --token TOKEN  your bearer token (else FAIRORDER_TOKEN)\n"
    "  --lang zh|en   language of the answers (else from LANG: zh* gives zh)\n"
    "  --json         print the server's raw JSON answer instead\n"
    "  --help         this help\n";

static void print_message(const struct fo_cli *cli, const char *format, va_list args)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(format != NULL);
    char line[1024];
    vsnprintf(line, sizeof line, format, args);
    fprintf(stderr, "%s: %s\n", cli->name, line);
}

int fo_cli_usage_error(const struct fo_cli *cli, const char *format, ...)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(format != NULL);
    va_list args;
    va_start(args, format);
    print_message(cli, format, args);
    va_end(args);
    return FO_CLI_EXIT_USAGE;
}

int fo_cli_api_error(const struct fo_cli *cli, const char *format, ...)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(format != NULL);
    va_list args;
    va_start(args, format);
    print_message(cli, format, args);
    va_end(args);
    return FO_CLI_EXIT_API;
}

/* --- Input checks ---------------------------------------------------------------------- */

bool fo_cli_check_int(const struct fo_cli *cli, const char *label, const char *text, int64_t min,
                      int64_t max, int64_t *out)
{
    FO_ASSERT(text != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(min <= max);
    const char *digits = text[0] == '-' ? text + 1 : text;
    bool well_formed =
        digits[0] != '\0' && strlen(digits) <= 19 && strspn(digits, "0123456789") == strlen(digits);
    char *end = NULL;
    long long value = well_formed ? strtoll(text, &end, 10) : 0;
    if (!well_formed || end == NULL || *end != '\0' || value < min || value > max) {
        fo_cli_usage_error(cli, "%s must be a whole number from %lld to %lld (got '%s')", label,
                           (long long)min, (long long)max, text);
        return false;
    }
    *out = (int64_t)value;
    return true;
}

bool fo_cli_check_text(const struct fo_cli *cli, const char *label, const char *text,
                       int64_t chars_min, int64_t chars_max)
{
    FO_ASSERT(label != NULL);
    FO_ASSERT(text != NULL);
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    size_t bytes = strlen(text);
    size_t chars = 0;
    if (!fo_utf8_valid(text, bytes, &chars)) {
        fo_cli_usage_error(cli, "%s is not valid UTF-8", label);
        return false;
    }
    if (fo_utf8_field_check(label, text, bytes, chars_min, chars_max, false, &detail) != FO_OK) {
        fo_cli_usage_error(cli, "%s must be %lld to %lld characters without control characters",
                           label, (long long)chars_min, (long long)chars_max);
        return false;
    }
    return true;
}

static bool id_chars(const char *text)
{
    FO_ASSERT(text != NULL);
    return strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
           strlen(text);
}

bool fo_cli_check_id(const struct fo_cli *cli, const char *label, const char *text,
                     const char *prefix)
{
    FO_ASSERT(text != NULL);
    FO_ASSERT(prefix != NULL);
    size_t prefix_bytes = strlen(prefix);
    if (strncmp(text, prefix, prefix_bytes) != 0 || strlen(text) <= prefix_bytes ||
        strlen(text) >= FO_ID_BYTES || !id_chars(text)) {
        fo_cli_usage_error(cli, "%s must be an id like %s… (got '%s')", label, prefix, text);
        return false;
    }
    return true;
}

bool fo_cli_check_state(const struct fo_cli *cli, const char *label, const char *text)
{
    FO_ASSERT(label != NULL);
    FO_ASSERT(text != NULL);
    enum fo_state state;
    if (!fo_state_parse(text, &state)) {
        fo_cli_usage_error(cli,
                           "%s must be one of pending, queued, executing, completed, "
                           "cancelled, failed (got '%s')",
                           label, text);
        return false;
    }
    return true;
}

bool fo_cli_check_cursor(const struct fo_cli *cli, const char *label, const char *text)
{
    FO_ASSERT(label != NULL);
    FO_ASSERT(text != NULL);
    if (text[0] == '\0' || strlen(text) >= FO_CURSOR_BYTES_MAX || !id_chars(text)) {
        fo_cli_usage_error(cli, "%s must be a cursor printed by an earlier list (got '%s')", label,
                           text);
        return false;
    }
    return true;
}

/* Append "&name=value" (or "?name=value" first) to the path. */
static bool path_append(char *out, size_t out_bytes, const char *name, const char *value)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(value != NULL);
    size_t bytes = strlen(out);
    int written = snprintf(out + bytes, out_bytes - bytes, "%s%s=%s",
                           strchr(out, '?') != NULL ? "&" : "?", name, value);
    return written > 0 && (size_t)written < out_bytes - bytes;
}

bool fo_cli_list_path(const struct fo_cli *cli, const char *base, char *out, size_t out_bytes)
{
    FO_ASSERT(base != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(out_bytes > strlen(base));
    snprintf(out, out_bytes, "%s", base);
    const char *state = fo_cli_value(cli, "--state");
    const char *buyer = fo_cli_value(cli, "--buyer");
    const char *limit = fo_cli_value(cli, "--limit");
    const char *cursor = fo_cli_value(cli, "--cursor");
    int64_t limit_count = 0;
    if ((state != NULL && !fo_cli_check_state(cli, "--state", state)) ||
        (buyer != NULL && !fo_cli_check_id(cli, "--buyer", buyer, "byr_")) ||
        (limit != NULL &&
         !fo_cli_check_int(cli, "--limit", limit, 1, FO_LIST_LIMIT_MAX, &limit_count)) ||
        (cursor != NULL && !fo_cli_check_cursor(cli, "--cursor", cursor))) {
        return false;
    }
    bool fits = (state == NULL || path_append(out, out_bytes, "state", state)) &&
                (buyer == NULL || path_append(out, out_bytes, "buyer_id", buyer)) &&
                (limit == NULL || path_append(out, out_bytes, "limit", limit)) &&
                (cursor == NULL || path_append(out, out_bytes, "cursor", cursor));
    FO_ASSERT(fits); /* Every value was checked short above. */
    return true;
}

/* --- JSON -------------------------------------------------------------------------------- */

const char *fo_cli_json_string(const json_t *object, const char *key)
{
    FO_ASSERT(key != NULL);
    const char *text = json_string_value(json_object_get(object, key));
    return text != NULL ? text : "";
}

int64_t fo_cli_json_int(const json_t *object, const char *key)
{
    FO_ASSERT(key != NULL);
    json_t *value = json_object_get(object, key);
    return json_is_integer(value) ? (int64_t)json_integer_value(value) : 0;
}

bool fo_cli_json_bool(const json_t *object, const char *key)
{
    FO_ASSERT(key != NULL);
    return json_is_true(json_object_get(object, key));
}

bool fo_cli_error_is(json_t *answer, const char *code)
{
    FO_ASSERT(code != NULL);
    json_t *error = json_object_get(answer, "error");
    return strcmp(fo_cli_json_string(error, "code"), code) == 0;
}

/* --- Calls ------------------------------------------------------------------------------- */

static void pause_ms(int64_t milliseconds)
{
    FO_ASSERT(milliseconds >= 0);
    struct timespec pause = {.tv_sec = (time_t)(milliseconds / 1000),
                             .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* One line on standard error for a non-2xx answer: the API's message, its code, the field. */
static void report_answer_error(const struct fo_cli *cli, json_t *answer, int status)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(status < 200 || status >= 300);
    json_t *error = json_object_get(answer, "error");
    const char *message = fo_cli_json_string(error, "message");
    const char *code = fo_cli_json_string(error, "code");
    const char *field = fo_cli_json_string(error, "field");
    if (message[0] == '\0') {
        fo_cli_api_error(cli, "the server answered HTTP %d without an explanation", status);
        return;
    }
    char line[1024];
    int written = snprintf(line, sizeof line, "%s (%s", message, code[0] != '\0' ? code : "error");
    size_t bytes = written > 0 ? (size_t)written : 0;
    if (field[0] != '\0' && bytes < sizeof line) {
        snprintf(line + bytes, sizeof line - bytes, ", field %s", field);
    }
    fo_cli_api_error(cli, "%s)", line);
}

static void make_idempotency_key(const struct fo_cli *cli, char *key, size_t key_bytes)
{
    FO_ASSERT(cli != NULL);
    const char *given = fo_cli_value(cli, "--idempotency-key");
    if (given != NULL) {
        snprintf(key, key_bytes, "%s", given);
        return;
    }
    unsigned char raw[IDEMPOTENCY_RANDOM_BYTES];
    FO_ASSERT(key_bytes >= 2 * sizeof raw + 1);
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(key, key_bytes, raw, sizeof raw);
}

/* Send, retrying once (same key) when the exchange itself failed and a retry is safe. */
static enum fo_err call_send(struct fo_cli *cli, const struct fo_http_request *request,
                             bool retry_safe, char *problem, size_t problem_bytes)
{
    FO_ASSERT(request != NULL);
    FO_ASSERT(problem != NULL);
    enum fo_err err = FO_ERR_UNAVAILABLE;
    for (int attempt = 0; attempt < (retry_safe ? 2 : 1); attempt++) {
        if (attempt > 0) {
            pause_ms(RETRY_PAUSE_MS);
        }
        fo_http_response_deinit(&cli->last);
        err = fo_http_client_send(&cli->http, request, &cli->last, problem, problem_bytes);
        if (err == FO_OK) {
            break;
        }
    }
    return err;
}

int fo_cli_call(struct fo_cli *cli, const char *method, const char *path, json_t *body,
                bool idempotent, json_t **out)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(method != NULL);
    FO_ASSERT(path != NULL);
    FO_ASSERT(out != NULL);
    *out = NULL;
    char key[FO_IDEMPOTENCY_KEY_BYTES_MAX + 1] = "";
    if (idempotent) {
        make_idempotency_key(cli, key, sizeof key);
    }
    char *body_text = body != NULL ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (body != NULL && body_text == NULL) {
        return fo_cli_api_error(cli, "out of memory");
    }
    struct fo_http_request request = {.method = method,
                                      .path = path,
                                      .body = body_text,
                                      .idempotency_key = idempotent ? key : NULL};
    char problem[FO_HTTP_PROBLEM_BYTES] = "";
    bool retry_safe = idempotent || strcmp(method, "GET") == 0;
    enum fo_err err = call_send(cli, &request, retry_safe, problem, sizeof problem);
    free(body_text);
    if (err != FO_OK) {
        return fo_cli_api_error(cli, "%s", problem);
    }
    if (cli->json) {
        fwrite(cli->last.body, 1, cli->last.body_bytes, stdout);
        fputc('\n', stdout);
    }
    json_error_t error;
    json_t *answer =
        json_loadb(cli->last.body, cli->last.body_bytes, JSON_REJECT_DUPLICATES, &error);
    int status = cli->last.status;
    if (status >= 200 && status < 300 && json_is_object(answer)) {
        *out = answer;
        return FO_CLI_EXIT_OK;
    }
    if (status >= 200 && status < 300) {
        json_decref(answer);
        return fo_cli_api_error(cli, "the server's answer is not a JSON object (HTTP %d)", status);
    }
    report_answer_error(cli, answer, status);
    *out = answer;
    return FO_CLI_EXIT_API;
}

/* --- Command line ------------------------------------------------------------------------ */

const char *fo_cli_value(const struct fo_cli *cli, const char *option)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->command != NULL);
    for (size_t index = 0; index < FO_CLI_OPTIONS_MAX && cli->command->options[index] != NULL;
         index++) {
        if (strcmp(cli->command->options[index], option) == 0) {
            return cli->values[index];
        }
    }
    return NULL;
}

/* How many leading words of argv (from argv[0]) spell the command's words; 0 if not all. */
static size_t command_words_match(const struct fo_cli_command *command, int argc, char **argv)
{
    FO_ASSERT(command->words[0] != '\0');
    FO_ASSERT(argc >= 0);
    char words[64];
    snprintf(words, sizeof words, "%s", command->words);
    size_t matched = 0;
    const char *cursor = words;
    for (size_t index = 0; index < WORDS_MAX && *cursor != '\0'; index++) {
        size_t bytes = strcspn(cursor, " ");
        if ((int)matched >= argc || strlen(argv[matched]) != bytes ||
            strncmp(argv[matched], cursor, bytes) != 0) {
            return 0;
        }
        matched++;
        cursor += bytes;
        cursor += strspn(cursor, " ");
    }
    return matched;
}

static void print_command_help(const char *group, const struct fo_cli_command *command, FILE *out)
{
    FO_ASSERT(group != NULL);
    FO_ASSERT(command != NULL);
    fprintf(out, "usage: fairorder %s %s%s%s [options]\n\n%s%s", group, command->words,
            command->arguments[0] != '\0' ? " " : "", command->arguments, command->help,
            common_help);
}

static void print_group_help(const char *group, const char *group_help,
                             const struct fo_cli_command *commands, size_t commands_count,
                             FILE *out)
{
    FO_ASSERT(group != NULL);
    FO_ASSERT(commands != NULL);
    fprintf(out, "usage: fairorder %s <command> [options]\n\n%s\ncommands:\n", group, group_help);
    for (size_t index = 0; index < commands_count; index++) {
        const char *arguments = commands[index].arguments;
        fprintf(out, "  fairorder %s %s%s%s\n", group, commands[index].words,
                arguments[0] != '\0' ? " " : "", arguments);
    }
    fprintf(out, "\n'fairorder %s <command> --help' tells more about one.\n%s", group, common_help);
}

struct parse_state {
    const char *url;
    const char *token;
    const char *lang;
    bool help;
    bool options_over; /* After "--": everything is positional. */
};

/* Take one option (argv[*index]); false with a usage line when it is unknown or lacks its
 * value. */
static bool parse_option(struct fo_cli *cli, struct parse_state *state, int argc, char **argv,
                         int *index)
{
    FO_ASSERT(*index < argc);
    FO_ASSERT(argv[*index][0] == '-');
    const char *arg = argv[*index];
    char name[64];
    const char *equals = strchr(arg, '=');
    size_t name_bytes = equals != NULL ? (size_t)(equals - arg) : strlen(arg);
    snprintf(name, sizeof name, "%.*s", (int)(name_bytes < 63 ? name_bytes : 63), arg);
    bool is_help = strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0;
    if (is_help || strcmp(name, "--json") == 0) {
        if (equals != NULL) {
            fo_cli_usage_error(cli, "%s takes no value", name);
            return false;
        }
        state->help = state->help || is_help;
        cli->json = cli->json || !is_help;
        return true;
    }
    const char **slot = NULL;
    if (strcmp(name, "--url") == 0) {
        slot = &state->url;
    } else if (strcmp(name, "--token") == 0) {
        slot = &state->token;
    } else if (strcmp(name, "--lang") == 0) {
        slot = &state->lang;
    }
    for (size_t option = 0;
         slot == NULL && option < FO_CLI_OPTIONS_MAX && cli->command->options[option] != NULL;
         option++) {
        slot = strcmp(cli->command->options[option], name) == 0 ? &cli->values[option] : NULL;
    }
    if (slot == NULL) {
        fo_cli_usage_error(cli, "unknown option %s ('--help' lists the options)", name);
        return false;
    }
    if (equals == NULL && *index + 1 >= argc) {
        fo_cli_usage_error(cli, "%s needs a value", name);
        return false;
    }
    *slot = equals != NULL ? equals + 1 : argv[++*index];
    return true;
}

static bool parse_arguments(struct fo_cli *cli, struct parse_state *state, int argc, char **argv)
{
    FO_ASSERT(cli->command != NULL);
    FO_ASSERT(argc >= 0);
    for (int index = 0; index < argc; index++) {
        const char *arg = argv[index];
        bool is_option = !state->options_over && arg[0] == '-' && arg[1] != '\0';
        if (is_option && strcmp(arg, "--") == 0) {
            state->options_over = true;
        } else if (is_option) {
            if (!parse_option(cli, state, argc, argv, &index)) {
                return false;
            }
        } else if (cli->positional_count < FO_CLI_POSITIONAL_MAX) {
            cli->positional[cli->positional_count++] = arg;
        } else {
            fo_cli_usage_error(cli, "too many arguments ('--help' shows the usage)");
            return false;
        }
    }
    return true;
}

static enum fo_lang lang_from_environment(void)
{
    const char *lang = getenv("LANG");
    return lang != NULL && strncasecmp(lang, "zh", 2) == 0 ? FO_LANG_ZH : FO_LANG_EN;
}

/* Flags, then the environment, then defaults; checks the URL, token and language. */
static int setup_client(struct fo_cli *cli, const struct parse_state *state)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(state != NULL);
    const char *url = state->url != NULL ? state->url : getenv("FAIRORDER_URL");
    if (url == NULL || url[0] == '\0') {
        url = FO_CLI_URL_DEFAULT;
    }
    const char *token = state->token != NULL ? state->token : getenv("FAIRORDER_TOKEN");
    if (token == NULL || token[0] == '\0') {
        return fo_cli_usage_error(cli, "no token: give --token TOKEN or set FAIRORDER_TOKEN");
    }
    cli->lang = lang_from_environment();
    if (state->lang != NULL && strcmp(state->lang, "zh") != 0 && strcmp(state->lang, "en") != 0) {
        return fo_cli_usage_error(cli, "--lang must be zh or en (got '%s')", state->lang);
    }
    if (state->lang != NULL) {
        cli->lang = strcmp(state->lang, "zh") == 0 ? FO_LANG_ZH : FO_LANG_EN;
    }
    char problem[FO_HTTP_PROBLEM_BYTES];
    const char *accept_language = cli->lang == FO_LANG_ZH ? "zh" : "en";
    if (fo_http_client_init(&cli->http, url, token, accept_language, problem, sizeof problem) !=
        FO_OK) {
        return fo_cli_usage_error(cli, "%s", problem);
    }
    return FO_CLI_EXIT_OK;
}

/* The table row spelled by the longest prefix of argv; NULL when none. */
static const struct fo_cli_command *find_command(const struct fo_cli_command *commands,
                                                 size_t commands_count, int argc, char **argv,
                                                 size_t *out_words)
{
    FO_ASSERT(commands != NULL);
    FO_ASSERT(out_words != NULL);
    const struct fo_cli_command *found = NULL;
    *out_words = 0;
    for (size_t index = 0; index < commands_count; index++) {
        size_t words = command_words_match(&commands[index], argc, argv);
        if (words > *out_words) {
            found = &commands[index];
            *out_words = words;
        }
    }
    return found;
}

static bool idempotency_key_valid(const char *key)
{
    FO_ASSERT(key != NULL);
    size_t bytes = strlen(key);
    if (bytes == 0 || bytes > FO_IDEMPOTENCY_KEY_BYTES_MAX) {
        return false;
    }
    for (size_t index = 0; index < bytes; index++) {
        if (key[index] < 0x21 || key[index] > 0x7e) {
            return false;
        }
    }
    return true;
}

static int run_command(struct fo_cli *cli, const char *group, int argc, char **argv)
{
    FO_ASSERT(cli->command != NULL);
    FO_ASSERT(argc >= 0);
    struct parse_state state;
    memset(&state, 0, sizeof state);
    if (!parse_arguments(cli, &state, argc, argv)) {
        return FO_CLI_EXIT_USAGE;
    }
    if (state.help) {
        print_command_help(group, cli->command, stdout);
        return FO_CLI_EXIT_OK;
    }
    if (cli->positional_count != cli->command->positional_count) {
        return fo_cli_usage_error(cli, "usage: fairorder %s %s %s", group, cli->command->words,
                                  cli->command->arguments);
    }
    const char *key = fo_cli_value(cli, "--idempotency-key");
    if (key != NULL && !idempotency_key_valid(key)) {
        return fo_cli_usage_error(cli,
                                  "--idempotency-key must be 1 to %d printable ASCII "
                                  "characters without spaces",
                                  FO_IDEMPOTENCY_KEY_BYTES_MAX);
    }
    int code = setup_client(cli, &state);
    if (code != FO_CLI_EXIT_OK) {
        return code;
    }
    if (sodium_init() < 0) {
        return fo_cli_api_error(cli, "cannot initialise the random generator");
    }
    return cli->command->run(cli);
}

static bool wants_help(int argc, char **argv)
{
    FO_ASSERT(argc >= 0);
    for (int index = 0; index < argc; index++) {
        if (strcmp(argv[index], "--help") == 0 || strcmp(argv[index], "-h") == 0 ||
            strcmp(argv[index], "help") == 0) {
            return true;
        }
    }
    return false;
}

int fo_cli_main(const char *group, const char *group_help, const struct fo_cli_command *commands,
                size_t commands_count, int argc, char **argv)
{
    FO_ASSERT(group != NULL);
    FO_ASSERT(commands != NULL);
    FO_ASSERT(argc >= 1);
    size_t words = 0;
    const struct fo_cli_command *command =
        find_command(commands, commands_count, argc - 1, argv + 1, &words);
    if (command == NULL && wants_help(argc - 1, argv + 1)) {
        print_group_help(group, group_help, commands, commands_count, stdout);
        return FO_CLI_EXIT_OK;
    }
    if (command == NULL) {
        fprintf(stderr, "fairorder %s: %s%s%s; 'fairorder %s --help' lists the commands\n", group,
                argc > 1 ? "unknown command '" : "give a command", argc > 1 ? argv[1] : "",
                argc > 1 ? "'" : "", group);
        return FO_CLI_EXIT_USAGE;
    }
    struct fo_cli *cli = calloc(1, sizeof *cli);
    if (cli == NULL) {
        fprintf(stderr, "fairorder %s: out of memory\n", group);
        return FO_CLI_EXIT_API;
    }
    cli->command = command;
    snprintf(cli->name, sizeof cli->name, "fairorder %s %s", group, command->words);
    int skip = 1 + (int)words;
    int code = run_command(cli, group, argc - skip, argv + skip);
    fo_http_response_deinit(&cli->last);
    free(cli);
    fflush(stdout);
    return code;
}
