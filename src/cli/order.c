/* fairorder order …: the buyer's command-line client of the HTTP API (API.md, "Buyer").
 *
 * Two promises of DESIGN.md are kept here on the client side too:
 * - a buyer is never bound to rules they were not shown: `place` fetches the service,
 *   shows its policy with the order, and sends that policy's id as expected_policy_id;
 * - a buyer never gets less than the quote they saw: `cancel` sends the refund of the
 *   quote it fetched (or the one given) as expected_refund_minor, and on quote_changed
 *   prints the new quote and stops.
 * Placing and cancelling carry an Idempotency-Key, so the one retry after a broken
 * connection never places or cancels twice. `watch` follows the order's event stream
 * (Server-Sent Events, resumed with Last-Event-ID when the connection breaks) and falls
 * back to polling the order once a second when the stream is not offered. Every wait is
 * bounded by --timeout-s. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/assert.h"
#include "core/limits.h"
#include "core/money.h"

#define MONEY_BYTES 32
#define TIME_BYTES  64
/* Pages of GET /v1/services read to find one service: 50 x 200 services. */
#define SERVICE_PAGES_MAX 50
/* Width of the progress bar, in characters. */
#define BAR_WIDTH 30
/* A watch gives up after this long unless --timeout-s says otherwise (one day). */
#define WATCH_TIMEOUT_S_DEFAULT INT64_C(86400)
#define WATCH_TIMEOUT_S_MAX     INT64_C(31536000)
/* Consecutive stream connections that bring nothing new before polling instead. */
#define WATCH_RECONNECTS_MAX 5
/* Polling period of the fallback, and pause before a reconnect. */
#define WATCH_POLL_MS 1000

static void pause_ms(int64_t milliseconds)
{
    FO_ASSERT(milliseconds >= 0);
    struct timespec pause = {.tv_sec = (time_t)(milliseconds / 1000),
                             .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* A call whose answer is a step of the command, not its result: not printed with --json. */
static int call_quietly(struct fo_cli *cli, const char *path, json_t **out)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(out != NULL);
    bool json = cli->json;
    cli->json = false;
    int code = fo_cli_call(cli, "GET", path, NULL, false, out);
    cli->json = json;
    return code;
}

static int get_order(struct fo_cli *cli, const char *order_id, json_t **out)
{
    FO_ASSERT(order_id != NULL);
    FO_ASSERT(out != NULL);
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/orders/%s", order_id);
    return call_quietly(cli, path, out);
}

/* --- services, wallet, entries, list, show ---------------------------------------------- */

static int order_services(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    char path[FO_CLI_PATH_BYTES];
    if (!fo_cli_list_path(cli, "/v1/services", path, sizeof path)) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *answer = NULL;
    int code = fo_cli_call(cli, "GET", path, NULL, false, &answer);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        json_t *services = json_object_get(answer, "data");
        size_t index;
        json_t *service;
        json_array_foreach(services, index, service)
        {
            printf("%s", index > 0 ? "\n" : "");
            fo_cli_print_service(cli, service);
        }
        if (json_array_size(services) == 0) {
            printf("%s\n", fo_cli_word(cli, "No services on sale.", "暂无在售服务。"));
        }
        fo_cli_print_next_cursor(cli, answer);
    }
    json_decref(answer);
    return code;
}

static int order_wallet(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    json_t *wallet = NULL;
    int code = fo_cli_call(cli, "GET", "/v1/wallet", NULL, false, &wallet);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        char available[MONEY_BYTES];
        char held[MONEY_BYTES];
        fo_cli_print_label(cli, "Available", "可用余额");
        printf("%s\n", fo_cli_money(fo_cli_json_int(wallet, "available_minor"), available,
                                    sizeof available));
        fo_cli_print_label(cli, "Held", "冻结金额");
        printf("%s\n", fo_cli_money(fo_cli_json_int(wallet, "held_minor"), held, sizeof held));
    }
    json_decref(wallet);
    return code;
}

static void print_entry(const struct fo_cli *cli, const json_t *entry)
{
    FO_ASSERT(entry != NULL);
    char amount[MONEY_BYTES];
    char balance[MONEY_BYTES];
    char at[TIME_BYTES];
    const char *order_id = fo_cli_json_string(entry, "order_id");
    printf("%s  %-7s %12s  %s %s  %s\n",
           fo_cli_time(fo_cli_json_string(entry, "at"), at, sizeof at),
           fo_cli_json_string(entry, "kind"),
           fo_cli_money(fo_cli_json_int(entry, "amount_minor"), amount, sizeof amount),
           fo_cli_word(cli, "available after", "可用余额"),
           fo_cli_money(fo_cli_json_int(entry, "balance_after_minor"), balance, sizeof balance),
           order_id[0] != '\0' ? order_id : "-");
}

static int order_entries(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    char path[FO_CLI_PATH_BYTES];
    if (!fo_cli_list_path(cli, "/v1/wallet/entries", path, sizeof path)) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *answer = NULL;
    int code = fo_cli_call(cli, "GET", path, NULL, false, &answer);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        size_t index;
        json_t *entry;
        json_array_foreach(json_object_get(answer, "data"), index, entry)
        {
            print_entry(cli, entry);
        }
        fo_cli_print_next_cursor(cli, answer);
    }
    json_decref(answer);
    return code;
}

static int order_list(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    char path[FO_CLI_PATH_BYTES];
    if (!fo_cli_list_path(cli, "/v1/orders", path, sizeof path)) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *answer = NULL;
    int code = fo_cli_call(cli, "GET", path, NULL, false, &answer);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        fo_cli_print_orders(cli, answer);
    }
    json_decref(answer);
    return code;
}

static int order_show(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 1);
    const char *order_id = cli->positional[0];
    if (!fo_cli_check_id(cli, "ORDER_ID", order_id, "ord_")) {
        return FO_CLI_EXIT_USAGE;
    }
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/orders/%s", order_id);
    json_t *order = NULL;
    int code = fo_cli_call(cli, "GET", path, NULL, false, &order);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        fo_cli_print_order(cli, order);
    }
    json_decref(order);
    return code;
}

/* --- place ------------------------------------------------------------------------------ */

/* The active service `service_id` as the buyer sees it (owned), or NULL when not on sale. */
static int find_service(struct fo_cli *cli, const char *service_id, json_t **out)
{
    FO_ASSERT(service_id != NULL);
    FO_ASSERT(out != NULL);
    *out = NULL;
    char cursor[FO_CURSOR_BYTES_MAX] = "";
    for (int page = 0; page < SERVICE_PAGES_MAX; page++) {
        char path[FO_CLI_PATH_BYTES];
        snprintf(path, sizeof path, "/v1/services?limit=%d%s%s", FO_LIST_LIMIT_MAX,
                 cursor[0] != '\0' ? "&cursor=" : "", cursor);
        json_t *answer = NULL;
        int code = call_quietly(cli, path, &answer);
        if (code != FO_CLI_EXIT_OK) {
            json_decref(answer);
            return code;
        }
        size_t index;
        json_t *service;
        json_array_foreach(json_object_get(answer, "data"), index, service)
        {
            if (*out == NULL && strcmp(fo_cli_json_string(service, "id"), service_id) == 0) {
                *out = json_incref(service);
            }
        }
        const char *next = fo_cli_json_string(answer, "next_cursor");
        bool more = *out == NULL && next[0] != '\0' && strlen(next) < sizeof cursor;
        snprintf(cursor, sizeof cursor, "%s", more ? next : "");
        json_decref(answer);
        if (!more) {
            break;
        }
    }
    return FO_CLI_EXIT_OK;
}

/* Check the quantity against the service's range; build the body (owned) or NULL. */
static json_t *place_body(struct fo_cli *cli, const json_t *service, int64_t quantity,
                          const char *target)
{
    FO_ASSERT(service != NULL);
    FO_ASSERT(quantity > 0);
    int64_t min = fo_cli_json_int(service, "min_quantity");
    int64_t max = fo_cli_json_int(service, "max_quantity");
    if (quantity < min || quantity > max) {
        fo_cli_usage_error(cli, "QUANTITY must be from %lld to %lld for %s (got %lld)",
                           (long long)min, (long long)max, fo_cli_json_string(service, "name"),
                           (long long)quantity);
        return NULL;
    }
    const char *policy_id = fo_cli_json_string(json_object_get(service, "policy"), "id");
    if (policy_id[0] == '\0') {
        policy_id = fo_cli_json_string(service, "policy_id");
    }
    return json_pack("{s:s, s:I, s:s, s:s}", "service_id", fo_cli_json_string(service, "id"),
                     "quantity", (json_int_t)quantity, "target", target, "expected_policy_id",
                     policy_id);
}

static int order_place(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 3);
    const char *service_id = cli->positional[0];
    const char *target = cli->positional[2];
    int64_t quantity = 0;
    if (!fo_cli_check_id(cli, "SERVICE_ID", service_id, "svc_") ||
        !fo_cli_check_int(cli, "QUANTITY", cli->positional[1], 1, FO_QUANTITY_MAX, &quantity) ||
        !fo_cli_check_text(cli, "TARGET", target, 1, FO_TARGET_CHARS_MAX)) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *service = NULL;
    int code = find_service(cli, service_id, &service);
    if (code != FO_CLI_EXIT_OK) {
        return code;
    }
    if (service == NULL) {
        return fo_cli_api_error(cli,
                                "%s is not on sale: no such service, or it is not active "
                                "('fairorder order services' lists them)",
                                service_id);
    }
    json_t *body = place_body(cli, service, quantity, target);
    json_decref(service);
    if (body == NULL) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *answer = NULL;
    code = fo_cli_call(cli, "POST", "/v1/orders", body, true, &answer);
    json_decref(body);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        printf("%s\n", fo_cli_word(cli,
                                   "Placed. The amount is held in your wallet until the "
                                   "order ends.",
                                   "下单成功，金额已冻结，订单结束时结算。"));
        fo_cli_print_order(cli, answer);
    } else if (code != FO_CLI_EXIT_OK && !cli->json && fo_cli_error_is(answer, "policy_changed")) {
        printf("%s\n", fo_cli_word(cli, "Nothing was charged. The service's policy is now:",
                                   "未扣款。该服务现在的取消规则是："));
        fo_cli_print_policy(cli, json_object_get(json_object_get(answer, "error"), "policy"));
    }
    json_decref(answer);
    return code;
}

/* --- cancel ----------------------------------------------------------------------------- */

/* The refund of the current quote, which the buyer accepts by cancelling without
 * --expect-refund-minor. FO_CLI_EXIT_API (quote printed) when cancelling is not allowed. */
static int cancel_current_refund(struct fo_cli *cli, const char *order_id, int64_t *out)
{
    FO_ASSERT(order_id != NULL);
    FO_ASSERT(out != NULL);
    json_t *order = NULL;
    int code = get_order(cli, order_id, &order);
    if (code != FO_CLI_EXIT_OK) {
        json_decref(order);
        return code;
    }
    json_t *quote = json_object_get(order, "cancel");
    if (!fo_cli_json_bool(quote, "allowed")) {
        if (cli->json) {
            fwrite(cli->last.body, 1, cli->last.body_bytes, stdout);
            fputc('\n', stdout);
        } else {
            fo_cli_print_quote(cli, quote);
        }
        code = fo_cli_api_error(cli, "this order cannot be cancelled now (%s)",
                                fo_cli_json_string(quote, "reason"));
    }
    *out = fo_cli_json_int(quote, "refund_minor");
    json_decref(order);
    return code;
}

static json_t *cancel_body(struct fo_cli *cli, int64_t *out_expected, bool *out_ok)
{
    FO_ASSERT(out_expected != NULL);
    FO_ASSERT(out_ok != NULL);
    const char *expect = fo_cli_value(cli, "--expect-refund-minor");
    const char *reason = fo_cli_value(cli, "--reason");
    *out_ok =
        (expect == NULL || fo_cli_check_int(cli, "--expect-refund-minor", expect, 0,
                                            FO_AMOUNT_MINOR_MAX, out_expected)) &&
        (reason == NULL || fo_cli_check_text(cli, "--reason", reason, 0, FO_REASON_CHARS_MAX));
    if (!*out_ok) {
        return NULL;
    }
    json_t *body = json_object();
    if (reason != NULL) {
        json_object_set_new(body, "reason", json_string(reason));
    }
    return body;
}

static int order_cancel(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 1);
    const char *order_id = cli->positional[0];
    int64_t expected_minor = -1;
    bool ok = fo_cli_check_id(cli, "ORDER_ID", order_id, "ord_");
    json_t *body = ok ? cancel_body(cli, &expected_minor, &ok) : NULL;
    if (!ok) {
        return FO_CLI_EXIT_USAGE;
    }
    int code = FO_CLI_EXIT_OK;
    if (expected_minor < 0) {
        code = cancel_current_refund(cli, order_id, &expected_minor);
    }
    if (code != FO_CLI_EXIT_OK) {
        json_decref(body);
        return code;
    }
    json_object_set_new(body, "expected_refund_minor", json_integer((json_int_t)expected_minor));
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/orders/%s/cancel", order_id);
    json_t *answer = NULL;
    code = fo_cli_call(cli, "POST", path, body, true, &answer);
    json_decref(body);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        fo_cli_print_order(cli, json_object_get(answer, "order"));
    } else if (code != FO_CLI_EXIT_OK && !cli->json) {
        json_t *quote = json_object_get(json_object_get(answer, "error"), "quote");
        if (json_is_object(quote)) {
            printf("%s\n", fo_cli_word(cli, "Nothing changed. The quote now:",
                                       "订单未变更。现在的取消预估："));
            fo_cli_print_quote(cli, quote);
        }
    }
    json_decref(answer);
    return code;
}

/* --- watch ------------------------------------------------------------------------------ */

struct watch {
    struct fo_cli *cli;
    char order_id[FO_ID_BYTES];
    int64_t quantity;
    bool tty;
    bool drawn; /* A bar is on the current terminal line. */
    bool ended; /* The terminal event was seen. */
    int64_t deadline_ms;
    char last_event_id[32];
    char last_line[256];
};

static bool state_is_terminal(const char *state)
{
    FO_ASSERT(state != NULL);
    return strcmp(state, "completed") == 0 || strcmp(state, "cancelled") == 0 ||
           strcmp(state, "failed") == 0;
}

static void watch_draw(struct watch *watch, int64_t delivered, const char *state)
{
    FO_ASSERT(watch != NULL);
    FO_ASSERT(state != NULL);
    char bar[BAR_WIDTH + 1];
    int64_t filled = 0;
    if (watch->quantity > 0 && delivered >= 0 && delivered <= watch->quantity) {
        filled = fo_money_mul_div_floor(delivered, BAR_WIDTH, watch->quantity);
    }
    for (int64_t index = 0; index < BAR_WIDTH; index++) {
        bar[index] = index < filled ? '#' : '.';
    }
    bar[BAR_WIDTH] = '\0';
    char line[sizeof watch->last_line];
    snprintf(line, sizeof line, "[%s] %lld/%lld %s %s", bar, (long long)delivered,
             (long long)watch->quantity, fo_cli_state_label(state, FO_LANG_ZH),
             fo_cli_state_label(state, FO_LANG_EN));
    if (strcmp(line, watch->last_line) == 0) {
        return;
    }
    snprintf(watch->last_line, sizeof watch->last_line, "%s", line);
    if (watch->tty) {
        printf("\r%s\033[K", line);
        watch->drawn = true;
    } else {
        printf("%s\n", line);
    }
    fflush(stdout);
}

static bool watch_on_event(const struct fo_http_event *event, void *context)
{
    FO_ASSERT(event != NULL);
    FO_ASSERT(context != NULL);
    struct watch *watch = context;
    snprintf(watch->last_event_id, sizeof watch->last_event_id, "%s", event->id);
    json_error_t error;
    json_t *data = json_loadb(event->data, event->data_bytes, 0, &error);
    if (watch->cli->json) {
        printf("%s\n", event->data);
        fflush(stdout);
    } else if (json_is_object(data)) {
        watch_draw(watch, fo_cli_json_int(data, "delivered"), fo_cli_json_string(data, "state"));
    }
    const char *type = json_is_object(data) ? fo_cli_json_string(data, "type") : event->event;
    watch->ended = watch->ended || state_is_terminal(type);
    json_decref(data);
    return !watch->ended && monotonic_ms() < watch->deadline_ms;
}

enum watch_outcome { WATCH_ENDED, WATCH_POLL, WATCH_FAILED };

/* Follow the event stream, reconnecting with Last-Event-ID; WATCH_POLL when the server
 * offers no stream or the stream keeps breaking without news. */
static enum watch_outcome watch_stream(struct watch *watch)
{
    FO_ASSERT(watch != NULL);
    FO_ASSERT(!watch->ended);
    struct fo_cli *cli = watch->cli;
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/orders/%s/events", watch->order_id);
    int fruitless = 0;
    while (!watch->ended && fruitless < WATCH_RECONNECTS_MAX) {
        int64_t left_ms = watch->deadline_ms - monotonic_ms();
        if (left_ms <= 0) {
            return WATCH_FAILED;
        }
        cli->http.stream_total_timeout_ms = left_ms;
        char before[sizeof watch->last_event_id];
        snprintf(before, sizeof before, "%s", watch->last_event_id);
        struct fo_http_request request = {
            .method = "GET",
            .path = path,
            .last_event_id = watch->last_event_id[0] != '\0' ? watch->last_event_id : NULL};
        struct fo_http_response response;
        char problem[FO_HTTP_PROBLEM_BYTES] = "";
        enum fo_err err = fo_http_client_stream(&cli->http, &request, &response, problem,
                                                sizeof problem, watch_on_event, watch);
        bool stream_offered = err != FO_OK || response.body == NULL;
        fo_http_response_deinit(&response);
        if (!stream_offered) {
            return WATCH_POLL;
        }
        fruitless = strcmp(before, watch->last_event_id) == 0 ? fruitless + 1 : 0;
        if (!watch->ended) {
            pause_ms(WATCH_POLL_MS);
        }
    }
    return watch->ended ? WATCH_ENDED : WATCH_POLL;
}

/* Poll the order once a second until it ends or the deadline passes. */
static enum watch_outcome watch_poll(struct watch *watch)
{
    FO_ASSERT(watch != NULL);
    FO_ASSERT(!watch->ended);
    while (monotonic_ms() < watch->deadline_ms) {
        json_t *order = NULL;
        int code = get_order(watch->cli, watch->order_id, &order);
        if (code != FO_CLI_EXIT_OK) {
            json_decref(order);
            return WATCH_FAILED;
        }
        const char *state = fo_cli_json_string(order, "state");
        if (watch->cli->json && strcmp(watch->last_line, state) != 0) {
            fwrite(watch->cli->last.body, 1, watch->cli->last.body_bytes, stdout);
            fputc('\n', stdout);
            snprintf(watch->last_line, sizeof watch->last_line, "%s", state);
        } else if (!watch->cli->json) {
            watch_draw(watch, fo_cli_json_int(order, "delivered"), state);
        }
        watch->ended = state_is_terminal(state);
        json_decref(order);
        if (watch->ended) {
            return WATCH_ENDED;
        }
        pause_ms(WATCH_POLL_MS);
    }
    return WATCH_FAILED;
}

/* The end of a watch: the final state and its settlement. */
static int watch_finish(struct watch *watch)
{
    FO_ASSERT(watch != NULL);
    FO_ASSERT(watch->ended);
    struct fo_cli *cli = watch->cli;
    json_t *order = NULL;
    int code = get_order(cli, watch->order_id, &order);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        const char *state = fo_cli_json_string(order, "state");
        watch_draw(watch, fo_cli_json_int(order, "delivered"), state);
        if (watch->drawn) {
            printf("\n");
        }
        printf(FO_CLI_WORDS(cli, "Order %s: ", "订单 %s："), watch->order_id);
        printf(FO_CLI_WORDS(cli, "%s (%s)\n", "%s（%s）\n"), fo_cli_state_label(state, cli->lang),
               state);
        fo_cli_print_settlement(cli, json_object_get(order, "settlement"));
    }
    json_decref(order);
    return code;
}

static int order_watch(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 1);
    const char *order_id = cli->positional[0];
    const char *timeout_text = fo_cli_value(cli, "--timeout-s");
    int64_t timeout_s = WATCH_TIMEOUT_S_DEFAULT;
    if (!fo_cli_check_id(cli, "ORDER_ID", order_id, "ord_") ||
        (timeout_text != NULL &&
         !fo_cli_check_int(cli, "--timeout-s", timeout_text, 1, WATCH_TIMEOUT_S_MAX, &timeout_s))) {
        return FO_CLI_EXIT_USAGE;
    }
    struct watch watch;
    memset(&watch, 0, sizeof watch);
    watch.cli = cli;
    snprintf(watch.order_id, sizeof watch.order_id, "%s", order_id);
    watch.tty = isatty(STDOUT_FILENO) == 1 && !cli->json;
    watch.deadline_ms = monotonic_ms() + timeout_s * 1000;
    json_t *order = NULL;
    int code = get_order(cli, order_id, &order);
    watch.quantity = fo_cli_json_int(order, "quantity");
    watch.ended = code == FO_CLI_EXIT_OK && state_is_terminal(fo_cli_json_string(order, "state"));
    json_decref(order);
    if (code != FO_CLI_EXIT_OK) {
        return code;
    }
    enum watch_outcome outcome = watch.ended ? WATCH_ENDED : watch_stream(&watch);
    if (outcome == WATCH_POLL) {
        outcome = watch_poll(&watch);
    }
    if (outcome == WATCH_ENDED) {
        return watch_finish(&watch);
    }
    if (watch.drawn) {
        printf("\n");
    }
    if (monotonic_ms() >= watch.deadline_ms) {
        return fo_cli_api_error(cli, "gave up after %lld s; the order is still open",
                                (long long)timeout_s);
    }
    return FO_CLI_EXIT_API;
}

/* --- The table -------------------------------------------------------------------------- */

static const struct fo_cli_command order_commands[] = {
    {"services",
     "[--limit N] [--cursor C]",
     "Lists the services on sale: price, quantity range and the cancellation policy in\n"
     "plain words.\n",
     0,
     {"--limit", "--cursor", NULL},
     order_services},
    {"place",
     "SERVICE_ID QUANTITY TARGET [--idempotency-key KEY]",
     "Places an order of QUANTITY units for TARGET (your account, phone or game id there;\n"
     "never a password). The amount is held in your wallet at once. The order is bound to\n"
     "the policy shown by 'services': if it changed meanwhile, nothing is charged.\n",
     3,
     {"--idempotency-key", NULL},
     order_place},
    {"show",
     "ORDER_ID",
     "Shows an order: state, delivered/quantity, and the cancellation quote in plain words:\n"
     "allowed or not, what is charged for delivered units, the fee, the refund, and when\n"
     "the rule changes.\n",
     1,
     {NULL},
     order_show},
    {"list",
     "[--state STATE] [--limit N] [--cursor C]",
     "Lists your orders, newest first.\n",
     0,
     {"--state", "--limit", "--cursor", NULL},
     order_list},
    {"cancel",
     "ORDER_ID [--expect-refund-minor N] [--reason TEXT] [--idempotency-key KEY]",
     "Cancels an order. You never get less than the refund you accept: without\n"
     "--expect-refund-minor the current quote's refund is accepted; if the refund would now\n"
     "be lower, nothing happens and the new quote is printed (exit 1).\n",
     1,
     {"--expect-refund-minor", "--reason", "--idempotency-key", NULL},
     order_cancel},
    {"watch",
     "ORDER_ID [--timeout-s N]",
     "Follows an order live with a progress bar until it ends, then prints the settlement.\n"
     "Gives up after --timeout-s seconds (default one day).\n",
     1,
     {"--timeout-s", NULL},
     order_watch},
    {"wallet", "", "Shows your available and held balance.\n", 0, {NULL}, order_wallet},
    {"entries",
     "[--limit N] [--cursor C]",
     "Lists your wallet entries, newest first: top-ups, holds and refunds.\n",
     0,
     {"--limit", "--cursor", NULL},
     order_entries},
};

int fo_cli_order(int argc, char **argv)
{
    FO_ASSERT(argc >= 1);
    return fo_cli_main("order",
                       "Buyer commands over the HTTP API, with your buyer token. Every answer\n"
                       "shows whether you may cancel, and exactly what would come back.\n",
                       order_commands, sizeof order_commands / sizeof order_commands[0], argc,
                       argv);
}
