/* The load generator of `make bench`: whole workflows over keep-alive HTTP/1.1 on loopback.
 *
 * One thread, one epoll set, N non-blocking connections, each running one workflow at a
 * time and one request at a time (no pipelining): place an order and read its id from the
 * answer, then cancel it; or place, claim as the supplier, report progress three times,
 * then complete or cancel. Latencies go to log-linear histograms of fixed size (hist.h);
 * answers are framed and searched by wire.h. Every run is bounded in time (--duration-s,
 * at most an hour) and in count (--requests-max, --workflows-max), and talks to 127.0.0.1
 * only. This file reads the options, runs the phases and prints the result; engine.c owns
 * the sockets, flows.c the workflows.
 *
 * Scenarios (--scenario):
 *   setup      create a policy, then per account a buyer (topped up), a supplier (capacity
 *              10000) and a service, and write the accounts file (--accounts,
 *              --accounts-count, --admin-token). One account per connection: no connection
 *              contends for another's wallet row, and a claim only finds its own orders.
 *   baseline   GET / (the baseline server).
 *   cancel     place, then cancel at once (full refund).
 *   lifecycle  place; claim; progress 1/4, 2/4, 3/4; then complete or a prorated cancel,
 *              in turn.
 *   read       GET /v1/orders/{id} of an order each connection placed before the clock ran.
 *   mixed      per 10 workflows: 5 reads, 3 cancels, 2 lifecycles.
 *   place      place only (grows a database).
 *
 * Output: one JSON line per run on standard output: throughput (requests and workflows per
 * second), latency percentiles (all, writes, reads), errors by status; the first few error
 * bodies go to standard error. Exit 0 unless the run could not start or setup failed. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "loadgen.h"

/* Phases the generator runs before the clock: setup and the placing of orders to read. */
#define LOADGEN_PREPARE_S 300
#define LOADGEN_NS_PER_S  INT64_C(1000000000)
/* Default bounds on answers and workflows of a run: far beyond any window's worth. */
#define LOADGEN_COUNT_DEFAULT 100000000
/* "%63s": the widths of the accounts file's fields, from LG_ID_BYTES and LG_TOKEN_BYTES. */
#define LOADGEN_ACCOUNT_FORMAT "%63s %129s %63s %129s %63s"
_Static_assert(LG_ID_BYTES == 64 && LG_TOKEN_BYTES == 130, "LOADGEN_ACCOUNT_FORMAT widths");

static const char *const loadgen_scenario_names[] = {
    [LG_SCENARIO_BASELINE] = "baseline",   [LG_SCENARIO_CANCEL] = "cancel",
    [LG_SCENARIO_LIFECYCLE] = "lifecycle", [LG_SCENARIO_READ] = "read",
    [LG_SCENARIO_MIXED] = "mixed",         [LG_SCENARIO_PLACE] = "place",
    [LG_SCENARIO_SETUP] = "setup",
};

static void loadgen_usage(FILE *out)
{
    fprintf(out,
            "usage: loadgen --port PORT --scenario NAME [options]\n"
            "  --scenario setup|baseline|cancel|lifecycle|read|mixed|place\n"
            "  --connections N     keep-alive connections, 1..%d (default 16)\n"
            "  --duration-s S      measured window, 1..%d (default 10)\n"
            "  --warmup-s S        unmeasured lead-in, 0..%d (default 1)\n"
            "  --requests-max N    stop after N measured answers (default %d)\n"
            "  --workflows-max N   stop after N finished workflows (default %d)\n"
            "  --accounts FILE     accounts file (written by setup, read by the others)\n"
            "  --accounts-count N  accounts to create (setup), 1..%d\n"
            "  --admin-token T     the admin's token (setup)\n"
            "  --quantity N        units per order, 4..1000000 (default 100)\n"
            "  --rotate-accounts   each workflow takes the next account (cancel, place):\n"
            "                      spreads a long run over more buyers than connections\n"
            "  --label TEXT        copied into the JSON line\n",
            LG_CONNECTIONS_MAX, LG_DURATION_S_MAX, LG_WARMUP_S_MAX, LOADGEN_COUNT_DEFAULT,
            LOADGEN_COUNT_DEFAULT, LG_ACCOUNTS_MAX);
}

static bool loadgen_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (text == NULL || *text < '0' || *text > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max) {
        return false;
    }
    *out = value;
    return true;
}

static bool loadgen_parse_scenario(const char *text, enum lg_scenario *out)
{
    size_t names_count = sizeof loadgen_scenario_names / sizeof loadgen_scenario_names[0];
    for (size_t index = 0; index < names_count; index++) {
        if (loadgen_scenario_names[index] != NULL &&
            strcmp(text, loadgen_scenario_names[index]) == 0) {
            *out = (enum lg_scenario)index;
            return true;
        }
    }
    return false;
}

/* A numeric option narrower than 64 bits into `options`. */
static bool loadgen_option_number(int option, const char *value, struct lg_options *options)
{
    uint64_t number = 0;
    if (option == 'p' && loadgen_parse_u64(value, 1, 65535, &number)) {
        options->port = (uint16_t)number;
    } else if (option == 'c' && loadgen_parse_u64(value, 1, LG_CONNECTIONS_MAX, &number)) {
        options->connections_count = (uint32_t)number;
    } else if (option == 'd' && loadgen_parse_u64(value, 1, LG_DURATION_S_MAX, &number)) {
        options->duration_s = (int64_t)number;
    } else if (option == 'w' && loadgen_parse_u64(value, 0, LG_WARMUP_S_MAX, &number)) {
        options->warmup_s = (int64_t)number;
    } else if (option == 'n' && loadgen_parse_u64(value, 1, LG_ACCOUNTS_MAX, &number)) {
        options->accounts_count = (uint32_t)number;
    } else if (option == 'q' && loadgen_parse_u64(value, 4, 1000000, &number)) {
        options->quantity = (int64_t)number;
    } else {
        return false;
    }
    return true;
}

/* One option into `options`; false when it is unknown or its value out of range. */
static bool loadgen_option(int option, const char *value, struct lg_options *options)
{
    switch (option) {
    case 's':
        return loadgen_parse_scenario(value, &options->scenario);
    case 'r':
        return loadgen_parse_u64(value, 1, UINT64_MAX, &options->requests_max);
    case 'W':
        return loadgen_parse_u64(value, 1, UINT64_MAX, &options->workflows_max);
    case 'a':
        options->accounts_path = value;
        return true;
    case 't':
        options->admin_token = value;
        return true;
    case 'l':
        options->label = value;
        return true;
    case 'R':
        options->rotate_accounts = true;
        return true;
    default:
        return loadgen_option_number(option, value, options);
    }
}

static bool loadgen_parse_options(int argc, char **argv, struct lg_options *out)
{
    static const struct option long_options[] = {
        {"port", required_argument, NULL, 'p'},
        {"scenario", required_argument, NULL, 's'},
        {"connections", required_argument, NULL, 'c'},
        {"duration-s", required_argument, NULL, 'd'},
        {"warmup-s", required_argument, NULL, 'w'},
        {"requests-max", required_argument, NULL, 'r'},
        {"workflows-max", required_argument, NULL, 'W'},
        {"accounts", required_argument, NULL, 'a'},
        {"accounts-count", required_argument, NULL, 'n'},
        {"admin-token", required_argument, NULL, 't'},
        {"quantity", required_argument, NULL, 'q'},
        {"label", required_argument, NULL, 'l'},
        {"rotate-accounts", no_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    memset(out, 0, sizeof *out);
    out->scenario = LG_SCENARIO_BASELINE;
    out->connections_count = 16;
    out->duration_s = 10;
    out->warmup_s = 1;
    out->quantity = 100;
    out->requests_max = LOADGEN_COUNT_DEFAULT;
    out->workflows_max = LOADGEN_COUNT_DEFAULT;
    out->label = "";
    for (int round = 0; round < argc; round++) {
        int option = getopt_long(argc, argv, "", long_options, NULL);
        if (option == -1) {
            break;
        }
        if (!loadgen_option(option, optarg, out)) {
            fprintf(stderr, "loadgen: bad option or value near \"%s\"\n", argv[optind - 1]);
            return false;
        }
    }
    bool needs_accounts = out->scenario != LG_SCENARIO_BASELINE;
    bool setup = out->scenario == LG_SCENARIO_SETUP;
    bool rotatable = out->scenario == LG_SCENARIO_CANCEL || out->scenario == LG_SCENARIO_PLACE;
    if (out->rotate_accounts && !rotatable) {
        fprintf(stderr, "loadgen: --rotate-accounts is for cancel and place only\n");
        return false;
    }
    if (optind != argc || out->port == 0 || (needs_accounts && out->accounts_path == NULL) ||
        (setup && (out->admin_token == NULL || out->accounts_count == 0))) {
        fprintf(stderr, "loadgen: missing or extra arguments\n");
        return false;
    }
    return true;
}

static bool loadgen_write_accounts(const struct lg_run *run, const char *path)
{
    FILE *file = fopen(path, "w");
    if (file == NULL) {
        fprintf(stderr, "loadgen: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    for (uint32_t index = 0; index < run->accounts_count; index++) {
        const struct lg_account *account = &run->accounts[index];
        fprintf(file, "%s %s %s %s %s\n", account->buyer_id, account->buyer_token,
                account->supplier_id, account->supplier_token, account->service_id);
    }
    return fclose(file) == 0;
}

/* Read up to LG_ACCOUNTS_MAX accounts; false if the file is missing or has none. */
static bool loadgen_read_accounts(struct lg_run *run, const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "loadgen: cannot read %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[4 * LG_TOKEN_BYTES + 4 * LG_ID_BYTES];
    uint32_t count = 0;
    while (count < LG_ACCOUNTS_MAX && fgets(line, sizeof line, file) != NULL) {
        struct lg_account *account = &run->accounts[count];
        int fields_count =
            sscanf(line, LOADGEN_ACCOUNT_FORMAT, account->buyer_id, account->buyer_token,
                   account->supplier_id, account->supplier_token, account->service_id);
        if (fields_count == 5) {
            count++;
        }
    }
    fclose(file);
    run->accounts_count = count;
    if (count == 0) {
        fprintf(stderr, "loadgen: no accounts in %s (run --scenario setup first)\n", path);
    }
    return count > 0;
}

/* Run one phase of `scenario` that ends when each connection is done (or after
 * LOADGEN_PREPARE_S). */
static bool loadgen_prepare_phase(struct lg_run *run, enum lg_scenario scenario,
                                  uint32_t conns_count, uint64_t per_conn_workflows_max)
{
    run->scenario = scenario;
    run->conns_count = conns_count;
    run->per_conn_workflows_max = per_conn_workflows_max;
    return lg_engine_run(run, 0, LOADGEN_PREPARE_S * LOADGEN_NS_PER_S);
}

static int loadgen_setup(struct lg_run *run)
{
    const struct lg_options *options = run->options;
    run->accounts_count = options->accounts_count;
    if (!loadgen_prepare_phase(run, LG_SCENARIO_SETUP_POLICY, 1, 1) || run->policy_id[0] == '\0') {
        fprintf(stderr, "loadgen: setup could not create the policy\n");
        return 1;
    }
    uint32_t conns_count = options->connections_count < run->accounts_count
                               ? options->connections_count
                               : run->accounts_count;
    run->setup_next_index = 0;
    if (!loadgen_prepare_phase(run, LG_SCENARIO_SETUP, conns_count, 0)) {
        return 1;
    }
    for (uint32_t index = 0; index < run->accounts_count; index++) {
        if (run->accounts[index].service_id[0] == '\0') {
            fprintf(stderr, "loadgen: setup of account %u failed (see above)\n", index);
            return 1;
        }
    }
    fprintf(stderr, "loadgen: %u accounts in %s\n", run->accounts_count, options->accounts_path);
    return loadgen_write_accounts(run, options->accounts_path) ? 0 : 1;
}

/* Before a read run: each connection places the order it will read. */
static bool loadgen_prepare_reads(struct lg_run *run)
{
    uint32_t conns_count = run->options->connections_count;
    if (!loadgen_prepare_phase(run, LG_SCENARIO_PREPARE_READ, conns_count, 1)) {
        return false;
    }
    uint32_t used_count = conns_count < run->accounts_count ? conns_count : run->accounts_count;
    for (uint32_t index = 0; index < used_count; index++) {
        if (run->accounts[index].read_order_id[0] == '\0') {
            fprintf(stderr, "loadgen: could not place the order to read (see above)\n");
            return false;
        }
    }
    return true;
}

static void loadgen_print_latency(const char *name, const struct fo_hist *hist)
{
    printf(",\"%s\":{\"count\":%" PRIu64 ",\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
           "\"p999\":%.1f,\"max\":%.1f,\"mean\":%.1f}",
           name, hist->total_count, (double)fo_hist_percentile_ns(hist, 500) / 1000.0,
           (double)fo_hist_percentile_ns(hist, 900) / 1000.0,
           (double)fo_hist_percentile_ns(hist, 990) / 1000.0,
           (double)fo_hist_percentile_ns(hist, 999) / 1000.0, (double)hist->max_ns / 1000.0,
           (double)fo_hist_mean_ns(hist) / 1000.0);
}

static void loadgen_print_errors(const struct lg_stats *stats)
{
    printf(",\"errors\":{");
    uint64_t errors_total = 0;
    const char *separator = "";
    for (int status = 0; status < LG_STATUS_CODES_COUNT; status++) {
        if (stats->status_counts[status] > 0) {
            printf("%s\"%d\":%" PRIu64, separator, status, stats->status_counts[status]);
            errors_total += stats->status_counts[status];
            separator = ",";
        }
    }
    printf("},\"errors_total\":%" PRIu64 ",\"connects\":%" PRIu64 ",\"transport_errors\":%" PRIu64
           ",\"timeouts\":%" PRIu64 ",\"claim_empty\":%" PRIu64 ",\"missing_field\":%" PRIu64,
           errors_total, stats->connects_count, stats->transport_errors_count,
           stats->timeouts_count, stats->claim_empty_count, stats->missing_field_count);
}

/* The run's JSON line. The label is the caller's and is printed as given (no quotes or
 * backslashes expected: run.sh passes plain words). */
static void loadgen_print(const struct lg_run *run)
{
    const struct lg_stats *stats = &run->stats;
    double window_s = (double)(run->measure_end_ns - run->measure_start_ns) / 1e9;
    if (window_s <= 0) {
        window_s = 1e-9;
    }
    printf("{\"label\":\"%s\",\"scenario\":\"%s\",\"connections\":%u,\"duration_s\":%.3f,"
           "\"requests\":%" PRIu64 ",\"workflows\":%" PRIu64 ",\"requests_per_s\":%.1f,"
           "\"workflows_per_s\":%.1f,\"answers_total\":%" PRIu64 ",\"orders_placed\":%" PRIu64,
           run->options->label, loadgen_scenario_names[run->options->scenario],
           run->options->connections_count, window_s, stats->requests_count, stats->workflows_count,
           (double)stats->requests_count / window_s, (double)stats->workflows_count / window_s,
           stats->answers_total, stats->orders_placed_count);
    loadgen_print_latency("latency_us", &stats->all);
    loadgen_print_latency("write_latency_us", &stats->writes);
    loadgen_print_latency("read_latency_us", &stats->reads);
    loadgen_print_errors(stats);
    printf("}\n");
    fflush(stdout);
}

static int loadgen_measure(struct lg_run *run)
{
    const struct lg_options *options = run->options;
    if (options->scenario != LG_SCENARIO_BASELINE &&
        !loadgen_read_accounts(run, options->accounts_path)) {
        return 1;
    }
    bool reads = options->scenario == LG_SCENARIO_READ || options->scenario == LG_SCENARIO_MIXED;
    if (reads && !loadgen_prepare_reads(run)) {
        return 1;
    }
    uint64_t placed_count = run->stats.orders_placed_count;
    memset(&run->stats, 0, sizeof run->stats);
    run->stats.orders_placed_count = placed_count;
    fo_hist_init(&run->stats.all);
    fo_hist_init(&run->stats.writes);
    fo_hist_init(&run->stats.reads);
    run->scenario = options->scenario;
    run->conns_count = options->connections_count;
    run->per_conn_workflows_max = 0;
    if (!lg_engine_run(run, options->warmup_s * LOADGEN_NS_PER_S,
                       options->duration_s * LOADGEN_NS_PER_S)) {
        return 1;
    }
    loadgen_print(run);
    return 0;
}

int main(int argc, char **argv)
{
    struct lg_options options;
    if (!loadgen_parse_options(argc, argv, &options)) {
        loadgen_usage(stderr);
        return 2;
    }
    static struct lg_run run;
    run.options = &options;
    run.accounts = calloc(LG_ACCOUNTS_MAX, sizeof *run.accounts);
    FO_ASSERT(run.accounts != NULL);
    run.accounts_count = 1; /* The baseline uses none; the engine wants one to point at. */
    int status =
        options.scenario == LG_SCENARIO_SETUP ? loadgen_setup(&run) : loadgen_measure(&run);
    free(run.accounts);
    return status;
}
