/* The load generator's shared types: options, accounts, connections, statistics, and the
 * interfaces between its three parts. loadgen.c reads options, runs phases and prints the
 * result; engine.c owns sockets and the epoll loop; flows.c knows the workflows: which
 * request comes next and what to take from each answer. Single-threaded: nothing here is
 * shared between threads. */
#ifndef FO_BENCH_LOADGEN_H
#define FO_BENCH_LOADGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "wire.h"

#define LG_CONNECTIONS_MAX 1024
#define LG_ACCOUNTS_MAX    1024
#define LG_DURATION_S_MAX  3600
#define LG_WARMUP_S_MAX    60
/* One request: headers plus the largest body we send (a service definition). */
#define LG_REQUEST_BYTES_MAX 2048
/* One answer: an order view is under 4 KiB; a claim of one job is smaller. */
#define LG_RESPONSE_BYTES_MAX (64 * 1024)
#define LG_TOKEN_BYTES        130
#define LG_ID_BYTES           64
#define LG_STATUS_CODES_COUNT 600
#define LG_WORKFLOW_STEPS_MAX 8

enum lg_step {
    LG_STEP_GET_ROOT,
    LG_STEP_PLACE,
    LG_STEP_PLACE_READ,
    LG_STEP_CANCEL,
    LG_STEP_READ,
    LG_STEP_CLAIM,
    LG_STEP_PROGRESS,
    LG_STEP_COMPLETE,
    LG_STEP_CREATE_POLICY,
    LG_STEP_CREATE_BUYER,
    LG_STEP_TOPUP,
    LG_STEP_CREATE_SUPPLIER,
    LG_STEP_CREATE_SERVICE,
};

struct lg_workflow {
    const char *name;
    uint32_t steps_count;
    enum lg_step steps[LG_WORKFLOW_STEPS_MAX];
};

enum lg_scenario {
    LG_SCENARIO_BASELINE,
    LG_SCENARIO_CANCEL,
    LG_SCENARIO_LIFECYCLE,
    LG_SCENARIO_READ,
    LG_SCENARIO_MIXED,
    LG_SCENARIO_PLACE,
    LG_SCENARIO_SETUP,
    /* Phases the generator runs on its own before a scenario. */
    LG_SCENARIO_PREPARE_READ,
    LG_SCENARIO_SETUP_POLICY,
};

struct lg_options {
    uint16_t port;              /* Of 127.0.0.1. */
    enum lg_scenario scenario;  /* One of the public ones. */
    uint32_t connections_count; /* 1..LG_CONNECTIONS_MAX. */
    int64_t duration_s;         /* Measured window, 1..LG_DURATION_S_MAX. */
    int64_t warmup_s;           /* Before the window, 0..LG_WARMUP_S_MAX. */
    uint64_t requests_max;      /* Stop after this many measured answers, >= 1. */
    uint64_t workflows_max;     /* Stop after this many finished workflows, >= 1. */
    const char *accounts_path;  /* Accounts file: written by setup, read by the rest. */
    uint32_t accounts_count;    /* Accounts to create (setup). */
    const char *admin_token;    /* For setup. */
    const char *label;          /* Copied into the JSON line. */
    int64_t quantity;           /* Units per order, >= 4 so progress can take quarters. */
    bool rotate_accounts;       /* Each workflow takes the next account (cancel, place). */
};

struct lg_account {
    char buyer_id[LG_ID_BYTES];
    char buyer_token[LG_TOKEN_BYTES];
    char supplier_id[LG_ID_BYTES];
    char supplier_token[LG_TOKEN_BYTES];
    char service_id[LG_ID_BYTES];
    char read_order_id[LG_ID_BYTES]; /* Placed before a read run, not saved. */
};

struct lg_conn {
    int fd;                         /* -1 while closed. */
    uint32_t index;                 /* 0..conns_count-1. */
    bool connected;                 /* The non-blocking connect finished. */
    bool busy;                      /* A request is in flight. */
    bool want_out;                  /* EPOLLOUT is in the interest set. */
    bool done;                      /* No more workflows for this connection. */
    int64_t retry_at_ns;            /* Reconnect not before (after a failure). */
    uint32_t account_index;         /* Whose tokens this connection uses. */
    const struct lg_workflow *flow; /* NULL between workflows. */
    uint32_t step_index;            /* Into flow->steps. */
    uint32_t progress_count;        /* Progress reports made in this workflow. */
    uint64_t flows_count;           /* Workflows started on this connection. */
    uint64_t lifecycles_count;      /* Lifecycles started (complete and cancel take turns). */
    char order_id[LG_ID_BYTES];     /* The order the workflow works on. */
    int64_t request_start_ns;       /* When the request in flight was started. */
    size_t request_bytes;
    size_t sent_bytes;
    size_t response_bytes;
    char request[LG_REQUEST_BYTES_MAX];
    char response[LG_RESPONSE_BYTES_MAX];
};

struct lg_stats {
    struct fo_hist all;
    struct fo_hist writes;        /* POST requests. */
    struct fo_hist reads;         /* GET requests. */
    uint64_t requests_count;      /* Answers (any status) in the window. */
    uint64_t answers_total;       /* Answers at any time (warm-up and drain too). */
    uint64_t workflows_count;     /* Workflows finished in the window. */
    uint64_t workflows_total;     /* Workflows finished at any time (for the bound). */
    uint64_t orders_placed_count; /* 201 answers to placements, at any time. */
    uint64_t status_counts[LG_STATUS_CODES_COUNT]; /* Non-2xx answers, warm-up included. */
    uint64_t connects_count;                       /* Connections opened (keep-alive: one each). */
    uint64_t transport_errors_count;
    uint64_t timeouts_count;
    uint64_t claim_empty_count;
    uint64_t missing_field_count;
    uint32_t error_bodies_shown_count;
};

struct lg_run {
    const struct lg_options *options;
    struct lg_account *accounts;
    uint32_t accounts_count;
    char policy_id[LG_ID_BYTES];
    uint32_t setup_next_index;       /* Next account to create (setup). */
    enum lg_scenario scenario;       /* Of the phase running. */
    uint64_t per_conn_workflows_max; /* 0: no per-connection bound. */
    int epoll_fd;
    struct lg_conn *conns;
    uint32_t conns_count;
    uint32_t conns_done_count;
    int64_t measure_start_ns;
    int64_t measure_end_ns;
    int64_t last_answer_ns; /* Of any answer; the phase start before the first. */
    bool stop;
    bool stalled; /* Stopped because the server stopped answering. */
    struct lg_stats stats;
};

/* Monotonic clock in nanoseconds. */
int64_t lg_now_ns(void);

/* Run one phase: open run->conns_count connections, drive workflows until the window ends,
 * a bound is reached or every connection is done, then close them. Statistics accumulate
 * in run->stats. Returns false (and says why on standard error) if the connections could
 * not be allocated or the server stopped answering. */
bool lg_engine_run(struct lg_run *run, int64_t warmup_ns, int64_t duration_ns);

/* Start the next workflow on `conn`, or mark it done. Returns the workflow or NULL. */
const struct lg_workflow *lg_flows_next(struct lg_run *run, struct lg_conn *conn);

/* Write the request of the current step into conn->request. Returns false if it does not
 * fit (a bug in the sizes, asserted by the caller). */
bool lg_flows_build_request(struct lg_run *run, struct lg_conn *conn);

/* Is the current step a write (POST)? */
bool lg_flows_step_is_write(const struct lg_conn *conn);

/* Take what the workflow needs from a 2xx answer to the current step. Returns false if
 * the answer lacks it (counted here as claim_empty or missing_field); the caller then
 * abandons the workflow. */
bool lg_flows_on_answer(struct lg_run *run, struct lg_conn *conn,
                        const struct fo_wire_response *response);

#endif
