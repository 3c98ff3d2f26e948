/* fairorder admin …: the operator's command-line client of the HTTP API (API.md, "Admin").
 * Buyers and their top-ups, policies, services, suppliers, the orders list, one order with
 * its quote in plain words, and the server's ledger check.
 *
 * Every input is checked against API.md's ranges (limits.h) before anything is sent, so a
 * typo never reaches the server; the server checks again, and its answer is final. A
 * top-up carries an Idempotency-Key, so the one retry after a broken connection (or a
 * rerun with the same --idempotency-key) can never credit a wallet twice. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "core/assert.h"
#include "core/limits.h"

#define MONEY_BYTES 32

/* --- Options into JSON members --------------------------------------------------------- */

/* The value of a required option; NULL with a usage line when absent. */
static const char *require(const struct fo_cli *cli, const char *option)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(option != NULL);
    const char *value = fo_cli_value(cli, option);
    if (value == NULL) {
        fo_cli_usage_error(cli, "%s is required ('--help' shows the usage)", option);
    }
    return value;
}

/* Check an integer option and set body[field]; absent and optional is fine. */
static bool put_int(const struct fo_cli *cli, json_t *body, const char *option, const char *field,
                    bool required, int64_t min, int64_t max)
{
    FO_ASSERT(body != NULL);
    FO_ASSERT(min <= max);
    const char *text = required ? require(cli, option) : fo_cli_value(cli, option);
    if (text == NULL) {
        return !required;
    }
    int64_t value = 0;
    if (!fo_cli_check_int(cli, option, text, min, max, &value)) {
        return false;
    }
    json_object_set_new(body, field, json_integer((json_int_t)value));
    return true;
}

/* Check a required text option and set body[field]. */
static bool put_text(const struct fo_cli *cli, json_t *body, const char *option, const char *field,
                     int64_t chars_max)
{
    FO_ASSERT(body != NULL);
    FO_ASSERT(chars_max > 0);
    const char *text = require(cli, option);
    if (text == NULL || !fo_cli_check_text(cli, option, text, 1, chars_max)) {
        return false;
    }
    json_object_set_new(body, field, json_string(text));
    return true;
}

/* Check a required option whose value is one of `allowed` (NULL-terminated). */
static bool put_choice(const struct fo_cli *cli, json_t *body, const char *option,
                       const char *field, const char *const *allowed, const char *allowed_text)
{
    FO_ASSERT(body != NULL);
    FO_ASSERT(allowed != NULL);
    const char *text = require(cli, option);
    if (text == NULL) {
        return false;
    }
    for (size_t index = 0; allowed[index] != NULL; index++) {
        if (strcmp(allowed[index], text) == 0) {
            json_object_set_new(body, field, json_string(text));
            return true;
        }
    }
    fo_cli_usage_error(cli, "%s must be %s (got '%s')", option, allowed_text, text);
    return false;
}

/* Check an id option (required or not) and set body[field]. */
static bool put_id(const struct fo_cli *cli, json_t *body, const char *option, const char *field,
                   const char *prefix, bool required)
{
    FO_ASSERT(body != NULL);
    FO_ASSERT(prefix != NULL);
    const char *text = required ? require(cli, option) : fo_cli_value(cli, option);
    if (text == NULL) {
        return !required;
    }
    if (!fo_cli_check_id(cli, option, text, prefix)) {
        return false;
    }
    json_object_set_new(body, field, json_string(text));
    return true;
}

/* Send body (taken: released here) and print the answer with `print` unless --json. */
static int send_and_print(struct fo_cli *cli, const char *method, const char *path, json_t *body,
                          bool idempotent, void (*print)(const struct fo_cli *, const json_t *))
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(print != NULL);
    json_t *answer = NULL;
    int code = fo_cli_call(cli, method, path, body, idempotent, &answer);
    json_decref(body);
    if (code == FO_CLI_EXIT_OK && !cli->json) {
        print(cli, answer);
    }
    json_decref(answer);
    return code;
}

/* --- Buyers ---------------------------------------------------------------------------- */

static void print_buyer(const struct fo_cli *cli, const json_t *buyer)
{
    FO_ASSERT(buyer != NULL);
    (void)cli;
    printf("Buyer %s created: %s\n", fo_cli_json_string(buyer, "id"),
           fo_cli_json_string(buyer, "name"));
    printf("Token (shown only this once; give it to the buyer): %s\n",
           fo_cli_json_string(buyer, "token"));
    printf("The buyer uses it as FAIRORDER_TOKEN=… with 'fairorder order …'.\n");
}

static int admin_buyer_add(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 1);
    const char *name = cli->positional[0];
    if (!fo_cli_check_text(cli, "NAME", name, 1, FO_NAME_CHARS_MAX)) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *body = json_pack("{s:s}", "name", name);
    return send_and_print(cli, "POST", "/v1/admin/buyers", body, false, print_buyer);
}

static void print_topup(const struct fo_cli *cli, const json_t *answer)
{
    FO_ASSERT(cli->positional_count == 2);
    json_t *wallet = json_object_get(answer, "wallet");
    char available[MONEY_BYTES];
    char held[MONEY_BYTES];
    printf("Topped up %s. Wallet: available %s, held %s\n", cli->positional[0],
           fo_cli_money(fo_cli_json_int(wallet, "available_minor"), available, sizeof available),
           fo_cli_money(fo_cli_json_int(wallet, "held_minor"), held, sizeof held));
}

static int admin_buyer_topup(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 2);
    const char *buyer_id = cli->positional[0];
    int64_t amount_minor = 0;
    if (!fo_cli_check_id(cli, "BUYER_ID", buyer_id, "byr_") ||
        !fo_cli_check_int(cli, "AMOUNT_MINOR", cli->positional[1], 1, FO_TOPUP_MINOR_MAX,
                          &amount_minor)) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *body = json_pack("{s:I}", "amount_minor", (json_int_t)amount_minor);
    if (!put_text(cli, body, "--reference", "reference", FO_REFERENCE_CHARS_MAX)) {
        json_decref(body);
        return FO_CLI_EXIT_USAGE;
    }
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/admin/buyers/%s/topups", buyer_id);
    return send_and_print(cli, "POST", path, body, true, print_topup);
}

/* --- Policies -------------------------------------------------------------------------- */

static void print_policy_created(const struct fo_cli *cli, const json_t *policy)
{
    FO_ASSERT(policy != NULL);
    char fee_fixed[MONEY_BYTES];
    printf("Policy %s created: %s\n", fo_cli_json_string(policy, "id"),
           fo_cli_json_string(policy, "name"));
    printf("  cooling-off %lld s; pending %s; queued %s; executing %s; fee %s + %lld bps; "
           "%lld free cancels a day\n",
           (long long)fo_cli_json_int(policy, "cooling_off_s"),
           fo_cli_json_string(policy, "pending"), fo_cli_json_string(policy, "queued"),
           fo_cli_json_string(policy, "executing"),
           fo_cli_money(fo_cli_json_int(policy, "fee_fixed_minor"), fee_fixed, sizeof fee_fixed),
           (long long)fo_cli_json_int(policy, "fee_bps"),
           (long long)fo_cli_json_int(policy, "free_cancels_per_day"));
    printf("  %s: %s\n", fo_cli_word(cli, "In plain words", "规则说明"),
           fo_cli_json_string(policy, "summary"));
}

static int admin_policy_add(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    static const char *const pending[] = {"full_refund", "deny", NULL};
    static const char *const queued[] = {"full_refund", "fee", "deny", NULL};
    static const char *const executing[] = {"prorated", "deny", NULL};
    json_t *body = json_object();
    bool ok =
        put_text(cli, body, "--name", "name", FO_NAME_CHARS_MAX) &&
        put_int(cli, body, "--cooling-off-s", "cooling_off_s", true, 0, FO_COOLING_OFF_S_MAX) &&
        put_choice(cli, body, "--pending", "pending", pending, "full_refund or deny") &&
        put_choice(cli, body, "--queued", "queued", queued, "full_refund, fee or deny") &&
        put_choice(cli, body, "--executing", "executing", executing, "prorated or deny") &&
        put_int(cli, body, "--fee-fixed-minor", "fee_fixed_minor", true, 0,
                FO_FEE_FIXED_MINOR_MAX) &&
        put_int(cli, body, "--fee-bps", "fee_bps", true, 0, FO_FEE_BPS_MAX) &&
        put_int(cli, body, "--free-cancels-per-day", "free_cancels_per_day", true, 0,
                FO_FREE_CANCELS_PER_DAY_MAX);
    if (!ok) {
        json_decref(body);
        return FO_CLI_EXIT_USAGE;
    }
    return send_and_print(cli, "POST", "/v1/admin/policies", body, false, print_policy_created);
}

/* --- Services -------------------------------------------------------------------------- */

static void print_service_answer(const struct fo_cli *cli, const json_t *service)
{
    FO_ASSERT(service != NULL);
    fo_cli_print_service(cli, service);
    printf("  supplier %s; policy %s; %s\n", fo_cli_json_string(service, "supplier_id"),
           fo_cli_json_string(service, "policy_id"),
           fo_cli_json_bool(service, "active") ? "active" : "NOT active (buyers do not see it)");
}

static int admin_service_add(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    json_t *body = json_object();
    bool ok = put_text(cli, body, "--name", "name", FO_NAME_CHARS_MAX) &&
              put_text(cli, body, "--unit", "unit", FO_UNIT_CHARS_MAX) &&
              put_int(cli, body, "--unit-price-minor", "unit_price_minor", true, 1,
                      FO_UNIT_PRICE_MINOR_MAX) &&
              put_int(cli, body, "--min-quantity", "min_quantity", true, 1, FO_QUANTITY_MAX) &&
              put_int(cli, body, "--max-quantity", "max_quantity", true, 1, FO_QUANTITY_MAX) &&
              put_id(cli, body, "--policy", "policy_id", "pol_", true) &&
              put_id(cli, body, "--supplier", "supplier_id", "sup_", true);
    if (ok && fo_cli_json_int(body, "min_quantity") > fo_cli_json_int(body, "max_quantity")) {
        fo_cli_usage_error(cli, "--min-quantity must not exceed --max-quantity");
        ok = false;
    }
    if (!ok) {
        json_decref(body);
        return FO_CLI_EXIT_USAGE;
    }
    return send_and_print(cli, "POST", "/v1/admin/services", body, false, print_service_answer);
}

static int admin_service_set(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 1);
    const char *service_id = cli->positional[0];
    if (!fo_cli_check_id(cli, "SERVICE_ID", service_id, "svc_")) {
        return FO_CLI_EXIT_USAGE;
    }
    json_t *body = json_object();
    bool ok = put_id(cli, body, "--policy", "policy_id", "pol_", false) &&
              put_int(cli, body, "--unit-price-minor", "unit_price_minor", false, 1,
                      FO_UNIT_PRICE_MINOR_MAX);
    const char *active = fo_cli_value(cli, "--active");
    if (ok && active != NULL) {
        ok = strcmp(active, "true") == 0 || strcmp(active, "false") == 0;
        if (!ok) {
            fo_cli_usage_error(cli, "--active must be true or false (got '%s')", active);
        } else {
            json_object_set_new(body, "active", json_boolean(strcmp(active, "true") == 0));
        }
    }
    if (ok && json_object_size(body) == 0) {
        fo_cli_usage_error(cli, "nothing to change: give --policy, --unit-price-minor or --active");
        ok = false;
    }
    if (!ok) {
        json_decref(body);
        return FO_CLI_EXIT_USAGE;
    }
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/admin/services/%s", service_id);
    return send_and_print(cli, "PATCH", path, body, false, print_service_answer);
}

/* --- Suppliers ------------------------------------------------------------------------- */

static void print_supplier(const struct fo_cli *cli, const json_t *supplier)
{
    FO_ASSERT(supplier != NULL);
    (void)cli;
    printf("Supplier %s created: %s, capacity %lld, lease %lld s\n",
           fo_cli_json_string(supplier, "id"), fo_cli_json_string(supplier, "name"),
           (long long)fo_cli_json_int(supplier, "capacity"),
           (long long)fo_cli_json_int(supplier, "lease_s"));
    if (json_is_integer(json_object_get(supplier, "simulate_units_per_s"))) {
        printf("  simulated by the server at %lld units/s\n",
               (long long)fo_cli_json_int(supplier, "simulate_units_per_s"));
    }
    printf("Token (shown only this once; give it to the supplier): %s\n",
           fo_cli_json_string(supplier, "token"));
}

static int admin_supplier_add(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    json_t *body = json_object();
    bool ok = put_text(cli, body, "--name", "name", FO_NAME_CHARS_MAX) &&
              put_int(cli, body, "--capacity", "capacity", true, 1, FO_CAPACITY_MAX) &&
              put_int(cli, body, "--lease-s", "lease_s", false, FO_LEASE_S_MIN, FO_LEASE_S_MAX) &&
              put_int(cli, body, "--simulate-units-per-s", "simulate_units_per_s", false, 1,
                      FO_SIMULATE_UNITS_PER_S_MAX);
    if (!ok) {
        json_decref(body);
        return FO_CLI_EXIT_USAGE;
    }
    return send_and_print(cli, "POST", "/v1/admin/suppliers", body, false, print_supplier);
}

/* --- Orders and the ledger ------------------------------------------------------------- */

static int admin_orders(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    char path[FO_CLI_PATH_BYTES];
    if (!fo_cli_list_path(cli, "/v1/admin/orders", path, sizeof path)) {
        return FO_CLI_EXIT_USAGE;
    }
    return send_and_print(cli, "GET", path, NULL, false, fo_cli_print_orders);
}

static int admin_order_show(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 1);
    const char *order_id = cli->positional[0];
    if (!fo_cli_check_id(cli, "ORDER_ID", order_id, "ord_")) {
        return FO_CLI_EXIT_USAGE;
    }
    char path[FO_CLI_PATH_BYTES];
    snprintf(path, sizeof path, "/v1/orders/%s", order_id);
    return send_and_print(cli, "GET", path, NULL, false, fo_cli_print_order);
}

static int admin_verify(struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(cli->positional_count == 0);
    json_t *answer = NULL;
    int code = fo_cli_call(cli, "GET", "/v1/admin/ledger/verify", NULL, false, &answer);
    if (code != FO_CLI_EXIT_OK) {
        json_decref(answer);
        return code;
    }
    bool ok = fo_cli_json_bool(answer, "ok");
    if (!cli->json) {
        size_t index;
        json_t *problem;
        json_array_foreach(json_object_get(answer, "problems"), index, problem)
        {
            printf("problem: %s\n",
                   json_string_value(problem) != NULL ? json_string_value(problem) : "?");
        }
        printf("%s: %lld orders, %lld buyers, %lld journals, %lld problems\n", ok ? "ok" : "NOT OK",
               (long long)fo_cli_json_int(answer, "orders_count"),
               (long long)fo_cli_json_int(answer, "buyers_count"),
               (long long)fo_cli_json_int(answer, "journals_count"),
               (long long)fo_cli_json_int(answer, "problems_count"));
    }
    json_decref(answer);
    if (!ok) {
        fprintf(stderr, "%s: the ledger check found problems\n", cli->name);
    }
    return ok ? FO_CLI_EXIT_OK : FO_CLI_EXIT_API;
}

/* --- The table ------------------------------------------------------------------------- */

static const struct fo_cli_command admin_commands[] = {
    {"buyer add",
     "NAME",
     "Creates a buyer and prints its token (shown only this once).\n",
     1,
     {NULL},
     admin_buyer_add},
    {"buyer topup",
     "BUYER_ID AMOUNT_MINOR --reference REF [--idempotency-key KEY]",
     "Credits AMOUNT_MINOR minor units (fen: 1000 is ¥10.00) to the buyer's available\n"
     "balance. REF (1..128 characters) records where the money came from. A rerun with the\n"
     "same --idempotency-key credits nothing twice.\n",
     2,
     {"--reference", "--idempotency-key", NULL},
     admin_buyer_topup},
    {"policy add",
     "--name NAME --cooling-off-s S --pending full_refund|deny --queued full_refund|fee|deny\n"
     "       --executing prorated|deny --fee-fixed-minor N --fee-bps N --free-cancels-per-day N",
     "Creates a cancellation policy (immutable; API.md, \"Cancellation rules\"): a free\n"
     "cancellation period of S seconds (0..86400) limited to N cancels a day, the rule of\n"
     "each state after it, and the fee: fixed minor units plus basis points (0..10000) of\n"
     "the undelivered rest.\n",
     0,
     {"--name", "--cooling-off-s", "--pending", "--queued", "--executing", "--fee-fixed-minor",
      "--fee-bps", "--free-cancels-per-day", NULL},
     admin_policy_add},
    {"service add",
     "--name NAME --unit UNIT --unit-price-minor N --min-quantity N --max-quantity N\n"
     "       --policy POLICY_ID --supplier SUPPLIER_ID",
     "Creates an active service sold in UNITs at N minor units each, fulfilled by the\n"
     "supplier under the policy.\n",
     0,
     {"--name", "--unit", "--unit-price-minor", "--min-quantity", "--max-quantity", "--policy",
      "--supplier", NULL},
     admin_service_add},
    {"service set",
     "SERVICE_ID [--policy POLICY_ID] [--unit-price-minor N] [--active true|false]",
     "Changes a service. Orders already placed keep their price and policy.\n",
     1,
     {"--policy", "--unit-price-minor", "--active", NULL},
     admin_service_set},
    {"supplier add",
     "--name NAME --capacity N [--lease-s N] [--simulate-units-per-s N]",
     "Creates a supplier with N jobs in flight at most and prints its token. A job whose\n"
     "lease (10..86400 s, default 300) runs out without progress fails and is refunded.\n"
     "With --simulate-units-per-s the server itself plays this supplier (demo).\n",
     0,
     {"--name", "--capacity", "--lease-s", "--simulate-units-per-s", NULL},
     admin_supplier_add},
    {"orders",
     "[--state STATE] [--buyer BUYER_ID] [--limit N] [--cursor C]",
     "Lists orders, newest first: id, state, delivered/quantity, amount, buyer, service,\n"
     "placed. STATE is pending, queued, executing, completed, cancelled or failed.\n",
     0,
     {"--state", "--buyer", "--limit", "--cursor", NULL},
     admin_orders},
    {"order show",
     "ORDER_ID",
     "Shows one order: state, progress, amount, its policy, and what a cancel would do now\n"
     "(the quote, in plain words) or how it was settled.\n",
     1,
     {NULL},
     admin_order_show},
    {"verify",
     "",
     "Asks the server to replay its ledger and check every invariant. Exit 1 when it finds\n"
     "a problem. ('fairorder verify --db PATH' checks a database file offline.)\n",
     0,
     {NULL},
     admin_verify},
};

int fo_cli_admin(int argc, char **argv)
{
    FO_ASSERT(argc >= 1);
    return fo_cli_main("admin",
                       "Operator commands over the HTTP API, with the admin token\n"
                       "(FAIRORDER_ADMIN_TOKEN of the server).\n",
                       admin_commands, sizeof admin_commands / sizeof admin_commands[0], argc,
                       argv);
}
