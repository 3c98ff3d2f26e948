/* The workflows of the load generator: which request each step sends, and what it takes
 * from the answer (see loadgen.h). Requests are formatted into the connection's fixed
 * buffer with snprintf; nothing allocates. The bodies follow API.md exactly, so a 4xx here
 * is a finding about the server, not noise. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/assert.h"
#include "loadgen.h"

/* Money: one top-up of the API's largest size per buyer and a cheap unit price, so no run
 * drains a wallet (a lifecycle charges at most quantity * price). */
#define FLOWS_TOPUP_MINOR      "1000000000000"
#define FLOWS_UNIT_PRICE_MINOR 10
/* Large enough that no supplier runs out of room in a run; the API's maximum. */
#define FLOWS_SUPPLIER_CAPACITY 10000
/* Longer than any run, so no lease expires under the benchmark. */
#define FLOWS_LEASE_S        3600
#define FLOWS_BODY_BYTES_MAX 768
#define FLOWS_PATH_BYTES_MAX 256

static const struct lg_workflow flow_baseline = {"baseline", 1, {LG_STEP_GET_ROOT}};
static const struct lg_workflow flow_cancel = {"cancel", 2, {LG_STEP_PLACE, LG_STEP_CANCEL}};
static const struct lg_workflow flow_lifecycle_complete = {"lifecycle",
                                                           6,
                                                           {LG_STEP_PLACE, LG_STEP_CLAIM,
                                                            LG_STEP_PROGRESS, LG_STEP_PROGRESS,
                                                            LG_STEP_PROGRESS, LG_STEP_COMPLETE}};
static const struct lg_workflow flow_lifecycle_cancel = {"lifecycle",
                                                         6,
                                                         {LG_STEP_PLACE, LG_STEP_CLAIM,
                                                          LG_STEP_PROGRESS, LG_STEP_PROGRESS,
                                                          LG_STEP_PROGRESS, LG_STEP_CANCEL}};
static const struct lg_workflow flow_read = {"read", 1, {LG_STEP_READ}};
static const struct lg_workflow flow_place = {"place", 1, {LG_STEP_PLACE}};
static const struct lg_workflow flow_prepare_read = {"prepare", 1, {LG_STEP_PLACE_READ}};
static const struct lg_workflow flow_setup_policy = {"setup", 1, {LG_STEP_CREATE_POLICY}};
static const struct lg_workflow flow_setup_account = {
    "setup",
    4,
    {LG_STEP_CREATE_BUYER, LG_STEP_TOPUP, LG_STEP_CREATE_SUPPLIER, LG_STEP_CREATE_SERVICE}};

static const struct lg_workflow *flows_lifecycle(struct lg_conn *conn)
{
    conn->lifecycles_count++;
    return conn->lifecycles_count % 2 == 1 ? &flow_lifecycle_complete : &flow_lifecycle_cancel;
}

/* Mixed: of every 10 workflows, 5 reads, 3 cancels and 2 lifecycles; each connection
 * starts at a different point of the cycle, so the blend holds at every instant. */
static const struct lg_workflow *flows_mixed(struct lg_conn *conn)
{
    uint64_t turn = (conn->flows_count + conn->index) % 10;
    if (turn < 5) {
        return &flow_read;
    }
    return turn < 8 ? &flow_cancel : flows_lifecycle(conn);
}

static const struct lg_workflow *flows_choose(struct lg_run *run, struct lg_conn *conn)
{
    switch (run->scenario) {
    case LG_SCENARIO_BASELINE:
        return &flow_baseline;
    case LG_SCENARIO_CANCEL:
        return &flow_cancel;
    case LG_SCENARIO_LIFECYCLE:
        return flows_lifecycle(conn);
    case LG_SCENARIO_READ:
        return &flow_read;
    case LG_SCENARIO_MIXED:
        return flows_mixed(conn);
    case LG_SCENARIO_PLACE:
        return &flow_place;
    case LG_SCENARIO_PREPARE_READ:
        return &flow_prepare_read;
    case LG_SCENARIO_SETUP_POLICY:
        return &flow_setup_policy;
    case LG_SCENARIO_SETUP:
        if (run->setup_next_index >= run->accounts_count) {
            return NULL;
        }
        conn->account_index = run->setup_next_index++;
        return &flow_setup_account;
    }
    return NULL;
}

const struct lg_workflow *lg_flows_next(struct lg_run *run, struct lg_conn *conn)
{
    FO_ASSERT(run != NULL);
    FO_ASSERT(conn != NULL && !conn->busy);
    const struct lg_workflow *flow = NULL;
    if (run->options->rotate_accounts) {
        /* Each workflow of each connection takes the next account in turn. */
        uint64_t turn = conn->index + conn->flows_count * run->conns_count;
        conn->account_index = (uint32_t)(turn % run->accounts_count);
    }
    bool bounded = run->per_conn_workflows_max > 0;
    if (!bounded || conn->flows_count < run->per_conn_workflows_max) {
        flow = flows_choose(run, conn);
    }
    conn->flow = flow;
    conn->step_index = 0;
    conn->progress_count = 0;
    if (flow == NULL) {
        return NULL;
    }
    conn->flows_count++;
    FO_ASSERT(flow->steps_count >= 1 && flow->steps_count <= LG_WORKFLOW_STEPS_MAX);
    return flow;
}

static enum lg_step flows_step(const struct lg_conn *conn)
{
    FO_ASSERT(conn->flow != NULL);
    FO_ASSERT(conn->step_index < conn->flow->steps_count);
    return conn->flow->steps[conn->step_index];
}

bool lg_flows_step_is_write(const struct lg_conn *conn)
{
    enum lg_step step = flows_step(conn);
    return step != LG_STEP_GET_ROOT && step != LG_STEP_READ;
}

struct flows_request {
    const char *method;
    const char *token; /* NULL: no Authorization header. */
    char path[FLOWS_PATH_BYTES_MAX];
    char body[FLOWS_BODY_BYTES_MAX];
};

/* The admin's requests of the setup phase. */
static void flows_setup_request(struct lg_run *run, const struct lg_conn *conn, enum lg_step step,
                                struct flows_request *out)
{
    const struct lg_account *account = &run->accounts[conn->account_index];
    unsigned number = conn->account_index;
    int pid = (int)getpid();
    out->token = run->options->admin_token;
    if (step == LG_STEP_CREATE_POLICY) {
        snprintf(out->path, sizeof out->path, "/v1/admin/policies");
        snprintf(out->body, sizeof out->body,
                 "{\"name\":\"bench-%d\",\"cooling_off_s\":600,\"pending\":\"full_refund\","
                 "\"queued\":\"full_refund\",\"executing\":\"prorated\",\"fee_fixed_minor\":50,"
                 "\"fee_bps\":200,\"free_cancels_per_day\":5}",
                 pid);
    } else if (step == LG_STEP_CREATE_BUYER) {
        snprintf(out->path, sizeof out->path, "/v1/admin/buyers");
        snprintf(out->body, sizeof out->body, "{\"name\":\"bench-%d-%u\"}", pid, number);
    } else if (step == LG_STEP_TOPUP) {
        snprintf(out->path, sizeof out->path, "/v1/admin/buyers/%s/topups", account->buyer_id);
        snprintf(out->body, sizeof out->body,
                 "{\"amount_minor\":" FLOWS_TOPUP_MINOR ",\"reference\":\"bench-%d-%u\"}", pid,
                 number);
    } else if (step == LG_STEP_CREATE_SUPPLIER) {
        snprintf(out->path, sizeof out->path, "/v1/admin/suppliers");
        snprintf(out->body, sizeof out->body,
                 "{\"name\":\"bench-%d-%u\",\"capacity\":%d,\"lease_s\":%d}", pid, number,
                 FLOWS_SUPPLIER_CAPACITY, FLOWS_LEASE_S);
    } else {
        FO_ASSERT(step == LG_STEP_CREATE_SERVICE);
        snprintf(out->path, sizeof out->path, "/v1/admin/services");
        snprintf(out->body, sizeof out->body,
                 "{\"name\":\"bench-%d-%u\",\"unit\":\"unit\",\"unit_price_minor\":%d,"
                 "\"min_quantity\":1,\"max_quantity\":1000000,\"policy_id\":\"%s\","
                 "\"supplier_id\":\"%s\"}",
                 pid, number, FLOWS_UNIT_PRICE_MINOR, run->policy_id, account->supplier_id);
    }
}

/* The buyer's and the supplier's requests. */
static void flows_work_request(struct lg_run *run, const struct lg_conn *conn, enum lg_step step,
                               struct flows_request *out)
{
    const struct lg_account *account = &run->accounts[conn->account_index];
    int64_t quantity = run->options->quantity;
    out->token = account->buyer_token;
    if (step == LG_STEP_PLACE || step == LG_STEP_PLACE_READ) {
        snprintf(out->path, sizeof out->path, "/v1/orders");
        snprintf(out->body, sizeof out->body,
                 "{\"service_id\":\"%s\",\"quantity\":%lld,\"target\":\"bench-%u\"}",
                 account->service_id, (long long)quantity, conn->index);
    } else if (step == LG_STEP_CANCEL) {
        snprintf(out->path, sizeof out->path, "/v1/orders/%s/cancel", conn->order_id);
        snprintf(out->body, sizeof out->body, "{}");
    } else if (step == LG_STEP_CLAIM) {
        out->token = account->supplier_token;
        snprintf(out->path, sizeof out->path, "/v1/supplier/claim");
        snprintf(out->body, sizeof out->body, "{\"max\":1}");
    } else {
        FO_ASSERT(step == LG_STEP_PROGRESS || step == LG_STEP_COMPLETE);
        bool complete = step == LG_STEP_COMPLETE;
        int64_t delivered = complete ? quantity : quantity * (conn->progress_count + 1) / 4;
        out->token = account->supplier_token;
        snprintf(out->path, sizeof out->path, "/v1/supplier/jobs/%s/%s", conn->order_id,
                 complete ? "complete" : "progress");
        snprintf(out->body, sizeof out->body, "{\"delivered\":%lld}", (long long)delivered);
    }
}

static void flows_describe(struct lg_run *run, const struct lg_conn *conn,
                           struct flows_request *out)
{
    enum lg_step step = flows_step(conn);
    out->method = "POST";
    out->token = NULL;
    out->path[0] = '\0';
    out->body[0] = '\0';
    if (step == LG_STEP_GET_ROOT) {
        out->method = "GET";
        snprintf(out->path, sizeof out->path, "/");
    } else if (step == LG_STEP_READ) {
        const struct lg_account *account = &run->accounts[conn->account_index];
        out->method = "GET";
        out->token = account->buyer_token;
        snprintf(out->path, sizeof out->path, "/v1/orders/%s", account->read_order_id);
    } else if (step >= LG_STEP_CREATE_POLICY) {
        flows_setup_request(run, conn, step, out);
    } else {
        flows_work_request(run, conn, step, out);
    }
}

bool lg_flows_build_request(struct lg_run *run, struct lg_conn *conn)
{
    FO_ASSERT(run != NULL);
    FO_ASSERT(conn != NULL);
    struct flows_request request;
    flows_describe(run, conn, &request);
    bool post = strcmp(request.method, "POST") == 0;
    char auth[LG_TOKEN_BYTES + 40] = "";
    if (request.token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", request.token);
    }
    char content[96] = "";
    if (post) {
        snprintf(content, sizeof content,
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(request.body));
    }
    int written = snprintf(conn->request, sizeof conn->request,
                           "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n%s", request.method,
                           request.path, auth, content, post ? request.body : "");
    if (written < 0 || (size_t)written >= sizeof conn->request) {
        return false;
    }
    conn->request_bytes = (size_t)written;
    conn->sent_bytes = 0;
    return true;
}

static bool flows_copy(const struct fo_wire_response *response, const char *key, int depth,
                       char *out, size_t out_bytes)
{
    return fo_wire_json_field(response->body, response->body_bytes, key, depth, out, out_bytes);
}

/* Take what the next steps need from the answer; false when it is missing. */
static bool flows_take(struct lg_run *run, struct lg_conn *conn,
                       const struct fo_wire_response *response)
{
    struct lg_account *account = &run->accounts[conn->account_index];
    switch (flows_step(conn)) {
    case LG_STEP_PLACE:
        run->stats.orders_placed_count++;
        return flows_copy(response, "id", 1, conn->order_id, sizeof conn->order_id);
    case LG_STEP_PLACE_READ:
        run->stats.orders_placed_count++;
        return flows_copy(response, "id", 1, account->read_order_id, sizeof account->read_order_id);
    case LG_STEP_PROGRESS:
        conn->progress_count++;
        return true;
    case LG_STEP_CREATE_POLICY:
        return flows_copy(response, "id", 1, run->policy_id, sizeof run->policy_id);
    case LG_STEP_CREATE_BUYER:
        return flows_copy(response, "id", 1, account->buyer_id, sizeof account->buyer_id) &&
               flows_copy(response, "token", 1, account->buyer_token, sizeof account->buyer_token);
    case LG_STEP_CREATE_SUPPLIER:
        return flows_copy(response, "id", 1, account->supplier_id, sizeof account->supplier_id) &&
               flows_copy(response, "token", 1, account->supplier_token,
                          sizeof account->supplier_token);
    case LG_STEP_CREATE_SERVICE:
        return flows_copy(response, "id", 1, account->service_id, sizeof account->service_id);
    default:
        return true;
    }
}

bool lg_flows_on_answer(struct lg_run *run, struct lg_conn *conn,
                        const struct fo_wire_response *response)
{
    FO_ASSERT(run != NULL);
    FO_ASSERT(response->status >= 200 && response->status < 300);
    if (flows_step(conn) == LG_STEP_CLAIM) {
        /* {"jobs":[{"order_id":...}]}: the id sits at depth 3; no job is not an error of
         * the server, but the workflow cannot go on. */
        bool claimed = flows_copy(response, "order_id", 3, conn->order_id, sizeof conn->order_id);
        if (!claimed) {
            run->stats.claim_empty_count++;
        }
        return claimed;
    }
    bool taken = flows_take(run, conn, response);
    if (!taken) {
        run->stats.missing_field_count++;
    }
    return taken;
}
