/* --demo (issue 4): on an empty database (no buyers yet), create a small shop a newcomer
 * can play with at once, and print how to reach it: the web page's URL, a buyer token and
 * two CLI examples.
 *
 * Everything is created through the admin commands, in one writer job: either the whole
 * demo exists or none of it (a failed command rolls the job back). The shop is a demo
 * policy (10 minutes of cooling-off, pending full refund, queued fee, executing prorated,
 * fee ¥0.50 + 2 %, 5 free cancels a day), three services, one simulated supplier slow and
 * small enough that orders wait in `pending` and take tens of seconds (so a person can
 * watch progress and cancel mid-way), and a buyer with ¥500.00.
 *
 * Tokens are stored only hashed, so the buyer's token is saved at creation in a file
 * beside the database (<db>.demo-buyer-token, mode 0600) and printed again from it on a
 * later --demo start. A database that already has buyers is never touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/serve.h"
#include "commands/commands.h"
#include "commands/secret.h"
#include "core/assert.h"
#include "core/money.h"
#include "log.h"

#define DEMO_BUYER_NAME        "演示买家 Demo buyer"
#define DEMO_BUYER_TOPUP_MINOR INT64_C(50000)
#define DEMO_SUPPLIER_CAPACITY 2
#define DEMO_UNITS_PER_S       10
#define DEMO_EXAMPLE_QUANTITY  300
#define DEMO_EXAMPLE_TARGET    "player-12345"
#define DEMO_TOKEN_SUFFIX      ".demo-buyer-token"
#define DEMO_PATH_BYTES        4096
#define DEMO_SERVICES_COUNT    3
/* Services looked at to find the CLI example's on a later start: the newest ones. */
#define DEMO_SERVICES_SCAN 16

struct demo_service {
    const char *name;
    const char *unit;
    int64_t unit_price_minor;
    int64_t min_quantity;
    int64_t max_quantity;
};

/* At DEMO_UNITS_PER_S, an order of the first service's example quantity takes 30 s. */
static const struct demo_service demo_services[DEMO_SERVICES_COUNT] = {
    {"游戏点卡 Game points card", "点 points", 10, 50, 5000},
    {"手机话费充值 Mobile top-up", "元 yuan", 100, 10, 500},
    {"批量短信发送 Batch SMS job", "条 messages", 4, 100, 20000},
};

struct demo_job {
    struct fo_job job;
    enum fo_err err;
    bool created; /* False when the database already had buyers. */
    struct fo_err_detail detail;
    char buyer_token[FO_TOKEN_CHARS + 1];
    char example_service_id[FO_ID_BYTES]; /* Empty when no active service exists. */
    struct fo_service services[DEMO_SERVICES_SCAN];
};

static struct demo_job *demo_of(struct fo_job *job)
{
    FO_ASSERT(job != NULL);
    struct demo_job *demo = (struct demo_job *)(void *)job;
    FO_ASSERT(&demo->job == job);
    return demo;
}

static enum fo_err demo_create_policy(struct fo_store *store, int64_t now_unix_ms,
                                      struct demo_job *demo, struct fo_policy *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", "演示规则 Demo policy");
    out->cooling_off_s = 600;
    out->pending = FO_PENDING_FULL_REFUND;
    out->queued = FO_QUEUED_FEE;
    out->executing = FO_EXECUTING_PRORATED;
    out->fee_fixed_minor = 50;
    out->fee_bps = 200;
    out->free_cancels_per_day = 5;
    return fo_cmd_policy_create(store, now_unix_ms, out, &demo->detail);
}

static enum fo_err demo_create_supplier(struct fo_store *store, int64_t now_unix_ms,
                                        struct demo_job *demo, struct fo_supplier *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", "模拟供应商 Simulated supplier");
    out->capacity = DEMO_SUPPLIER_CAPACITY;
    out->lease_s = FO_LEASE_S_DEFAULT;
    out->simulate_units_per_s = DEMO_UNITS_PER_S;
    char token[FO_TOKEN_CHARS + 1];
    enum fo_err err = fo_cmd_supplier_create(store, now_unix_ms, out, token, &demo->detail);
    fo_secret_wipe(token, sizeof token); /* The server runs this supplier itself. */
    return err;
}

static enum fo_err demo_create_services(struct fo_store *store, int64_t now_unix_ms,
                                        struct demo_job *demo, const struct fo_policy *policy,
                                        const struct fo_supplier *supplier)
{
    FO_ASSERT(policy->id[0] != '\0');
    FO_ASSERT(supplier->id[0] != '\0');
    enum fo_err err = FO_OK;
    for (size_t index = 0; index < DEMO_SERVICES_COUNT && err == FO_OK; index++) {
        const struct demo_service *spec = &demo_services[index];
        struct fo_service *service = &demo->services[index];
        memset(service, 0, sizeof *service);
        snprintf(service->name, sizeof service->name, "%s", spec->name);
        snprintf(service->unit, sizeof service->unit, "%s", spec->unit);
        service->unit_price_minor = spec->unit_price_minor;
        service->min_quantity = spec->min_quantity;
        service->max_quantity = spec->max_quantity;
        snprintf(service->policy_id, sizeof service->policy_id, "%s", policy->id);
        snprintf(service->supplier_id, sizeof service->supplier_id, "%s", supplier->id);
        err = fo_cmd_service_create(store, now_unix_ms, service, &demo->detail);
    }
    if (err == FO_OK) {
        snprintf(demo->example_service_id, sizeof demo->example_service_id, "%s",
                 demo->services[0].id);
    }
    return err;
}

/* The whole demo shop, or an error (the job is then rolled back). */
static enum fo_err demo_create(struct fo_store *store, int64_t now_unix_ms, struct demo_job *demo)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(demo != NULL);
    struct fo_policy policy;
    struct fo_supplier supplier;
    struct fo_buyer buyer;
    enum fo_err err = demo_create_policy(store, now_unix_ms, demo, &policy);
    if (err == FO_OK) {
        err = demo_create_supplier(store, now_unix_ms, demo, &supplier);
    }
    if (err == FO_OK) {
        err = demo_create_services(store, now_unix_ms, demo, &policy, &supplier);
    }
    if (err == FO_OK) {
        err = fo_cmd_buyer_create(store, now_unix_ms, DEMO_BUYER_NAME, &buyer, demo->buyer_token,
                                  &demo->detail);
    }
    if (err == FO_OK) {
        err = fo_cmd_topup(store, now_unix_ms, buyer.id, DEMO_BUYER_TOPUP_MINOR, "demo", &buyer,
                           &demo->detail);
    }
    FO_ASSERT(err != FO_OK || buyer.available_minor == DEMO_BUYER_TOPUP_MINOR);
    return err;
}

/* An existing shop: an active service for the CLI example, the demo's first if present
 * among the newest ones, else the oldest of them. */
static enum fo_err demo_find_example_service(struct fo_store *store, struct demo_job *demo)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(demo != NULL);
    size_t count = 0;
    enum fo_err err =
        fo_store_service_list(store, true, 0, demo->services, DEMO_SERVICES_SCAN, &count);
    if (err != FO_OK || count == 0) {
        return err;
    }
    FO_ASSERT(count <= DEMO_SERVICES_SCAN);
    const struct fo_service *chosen = &demo->services[count - 1];
    for (size_t index = 0; index < count; index++) {
        if (strcmp(demo->services[index].name, demo_services[0].name) == 0) {
            chosen = &demo->services[index];
        }
    }
    snprintf(demo->example_service_id, sizeof demo->example_service_id, "%s", chosen->id);
    return FO_OK;
}

static void demo_job_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct demo_job *demo = demo_of(job);
    FO_ASSERT(store != NULL);
    demo->created = false; /* A batch run again runs this again (commands/writer.h). */
    struct fo_buyer first;
    size_t buyers_count = 0;
    demo->err = fo_store_buyer_scan(store, 0, &first, 1, &buyers_count);
    if (demo->err == FO_OK && buyers_count > 0) {
        demo->err = demo_find_example_service(store, demo);
        job->keep = false; /* Only read. */
        return;
    }
    if (demo->err == FO_OK) {
        demo->err = demo_create(store, now_unix_ms, demo);
        demo->created = demo->err == FO_OK;
    }
    job->keep = demo->created;
}

/* Save the token where a later --demo start finds it; only the owner may read it. */
bool fo_serve_secret_save(const char *path, const char *token)
{
    FO_ASSERT(path != NULL);
    FO_ASSERT(strlen(token) == FO_TOKEN_CHARS);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return false;
    }
    char line[FO_TOKEN_CHARS + 2];
    int bytes = snprintf(line, sizeof line, "%s\n", token);
    bool ok =
        fchmod(fd, 0600) == 0 && write(fd, line, (size_t)bytes) == (ssize_t)bytes && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    fo_secret_wipe(line, sizeof line);
    return ok;
}

/* Read a saved token back; false when the file is missing or does not hold one. */
bool fo_serve_secret_load(const char *path, char out[FO_TOKEN_CHARS + 1])
{
    FO_ASSERT(path != NULL);
    FO_ASSERT(out != NULL);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    char line[FO_TOKEN_CHARS + 8];
    ssize_t bytes = read(fd, line, sizeof line);
    close(fd);
    bool ok = bytes >= FO_TOKEN_CHARS && (bytes == FO_TOKEN_CHARS || line[FO_TOKEN_CHARS] == '\n');
    for (size_t index = 0; ok && index < FO_TOKEN_CHARS; index++) {
        char c = line[index];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_';
    }
    if (ok) {
        memcpy(out, line, FO_TOKEN_CHARS);
        out[FO_TOKEN_CHARS] = '\0';
    }
    fo_secret_wipe(line, sizeof line);
    return ok;
}

/* What a newcomer needs, in order: the page, the token, the CLI. `note` follows the
 * token: whose it is and where it is saved. */
static void demo_print(const char *url, const char *token, const char *note, const char *service_id)
{
    FO_ASSERT(url != NULL);
    FO_ASSERT(token != NULL);
    printf("\n"
           "fairorder demo shop\n"
           "\n"
           "  Web page:     %s/\n"
           "  Buyer token:  %s\n"
           "                (%s)\n"
           "\n"
           "Open the web page and sign in with the buyer token. Or, in another terminal:\n"
           "\n"
           "  export FAIRORDER_URL=%s FAIRORDER_TOKEN=%s\n"
           "  build/fairorder order services\n"
           "  build/fairorder order place %s %d %s\n"
           "  build/fairorder order watch ORDER_ID       # or: order cancel ORDER_ID\n"
           "\n"
           "A simulated supplier fulfils orders at %d units a second, %d at a time: others\n"
           "wait in 'pending'. Ctrl-C stops the server.\n"
           "\n",
           url, token, note, url, token, service_id[0] != '\0' ? service_id : "SERVICE_ID",
           DEMO_EXAMPLE_QUANTITY, DEMO_EXAMPLE_TARGET, DEMO_UNITS_PER_S, DEMO_SUPPLIER_CAPACITY);
    fflush(stdout);
}

/* A later --demo start: print the saved token again, or say clearly why not. */
static void demo_print_existing(const char *url, const char *token_path, const char *db_location,
                                const char *service_id)
{
    FO_ASSERT(url != NULL);
    FO_ASSERT(token_path != NULL);
    char token[FO_TOKEN_CHARS + 1];
    if (fo_serve_secret_load(token_path, token)) {
        char note[DEMO_PATH_BYTES + 256];
        snprintf(note, sizeof note, "%s, read from %s", DEMO_BUYER_NAME, token_path);
        demo_print(url, token, note, service_id);
        fo_secret_wipe(token, sizeof token);
        return;
    }
    printf("\n"
           "fairorder demo: this database already has buyers, so no demo data was created.\n"
           "The demo buyer's token was saved in %s when the demo was created,\n"
           "but that file is gone or unreadable: tokens are stored only hashed, so it cannot\n"
           "be shown again. To start a fresh demo, stop the server and delete %s\n"
           "(with its -wal and -shm files). The web page is at %s/\n"
           "\n",
           token_path, db_location, url);
    fflush(stdout);
}

/* Just created: print it all, saying where the token is saved (token_path NULL: nowhere). */
static void demo_print_created(const char *url, const struct demo_job *demo, const char *token_path)
{
    FO_ASSERT(demo->created);
    FO_ASSERT(strlen(demo->buyer_token) == FO_TOKEN_CHARS);
    if (token_path == NULL) {
        fprintf(stderr,
                "fairorder serve --demo: cannot save the buyer token beside the "
                "database (%s)\n",
                strerror(errno));
    }
    fo_log(FO_LOG_INFO, "demo.created", "services=%d token_file=%s", DEMO_SERVICES_COUNT,
           token_path != NULL ? token_path : "-");
    char balance[32];
    fo_money_format(DEMO_BUYER_TOPUP_MINOR, balance, sizeof balance);
    char note[DEMO_PATH_BYTES + 256];
    snprintf(note, sizeof note, "%s, %s to spend; %s%s", DEMO_BUYER_NAME, balance,
             token_path != NULL ? "saved in " : "not saved: copy it now",
             token_path != NULL ? token_path : "");
    demo_print(url, demo->buyer_token, note, demo->example_service_id);
}

void fo_serve_demo(struct fo_serve_runtime *runtime, const char *url)
{
    FO_ASSERT(runtime != NULL);
    FO_ASSERT(url != NULL);
    char token_path[DEMO_PATH_BYTES];
    int path_bytes =
        snprintf(token_path, sizeof token_path, "%s%s", runtime->db_location, DEMO_TOKEN_SUFFIX);
    FO_ASSERT(path_bytes > 0);
    struct demo_job demo;
    memset(&demo, 0, sizeof demo);
    demo.job.run = demo_job_run;
    enum fo_err err = fo_writer_run_sync(runtime->writer, &demo.job);
    if (err == FO_OK) {
        err = demo.err;
    }
    if (err != FO_OK) {
        fprintf(stderr, "fairorder serve --demo: could not create the demo data (%s%s%s)\n",
                fo_err_code(err), demo.detail.field[0] != '\0' ? ": " : "", demo.detail.field);
    } else if (!demo.created) {
        demo_print_existing(url, token_path, runtime->db_location, demo.example_service_id);
    } else {
        bool saved = (size_t)path_bytes < sizeof token_path &&
                     fo_serve_secret_save(token_path, demo.buyer_token);
        demo_print_created(url, &demo, saved ? token_path : NULL);
    }
    fo_secret_wipe(demo.buyer_token, sizeof demo.buyer_token);
}
