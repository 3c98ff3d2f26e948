/* Orders: the state machine, the settlement split and the invariants (API.md, "Order
 * states"; DESIGN.md, "Invariants"). order.c documents every state and transition.
 *
 * Every function here is pure: the clock, counts and limits are passed in, nothing is
 * read or written outside the structs given. Commands load an order, ask these functions
 * what happens, and write the result; nothing else changes an order's state or money. */
#ifndef FO_CORE_ORDER_H
#define FO_CORE_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/policy.h"

enum fo_state {
    FO_STATE_PENDING = 0,   /* Paid (whole amount held), waiting for supplier capacity. */
    FO_STATE_QUEUED = 1,    /* Allocated to its supplier's pool; delivered = 0. */
    FO_STATE_EXECUTING = 2, /* Claimed by the supplier under a lease; delivered grows. */
    FO_STATE_COMPLETED = 3, /* Terminal: delivered = quantity, whole amount charged. */
    FO_STATE_CANCELLED = 4, /* Terminal: settled by a buyer's cancel. */
    FO_STATE_FAILED = 5,    /* Terminal: supplier failure or lease timeout. */
};
#define FO_STATE_COUNT 6

/* Why a quote is what it is, or why a settlement happened (API.md: the quote reasons,
 * then the settlement reasons of completion and failure). */
#define FO_REASON_TABLE(X)                                    \
    X(NONE, "none")                                           \
    X(COOLING_OFF, "cooling_off")                             \
    X(PENDING_FULL_REFUND, "pending_full_refund")             \
    X(QUEUED_FULL_REFUND, "queued_full_refund")               \
    X(QUEUED_WITH_FEE, "queued_with_fee")                     \
    X(EXECUTING_PRORATED, "executing_prorated")               \
    X(PENDING_NOT_CANCELLABLE, "pending_not_cancellable")     \
    X(QUEUED_NOT_CANCELLABLE, "queued_not_cancellable")       \
    X(EXECUTING_NOT_CANCELLABLE, "executing_not_cancellable") \
    X(ALREADY_COMPLETED, "already_completed")                 \
    X(ALREADY_CANCELLED, "already_cancelled")                 \
    X(ALREADY_FAILED, "already_failed")                       \
    X(COMPLETED, "completed")                                 \
    X(SUPPLIER_FAILED, "supplier_failed")                     \
    X(SUPPLIER_TIMEOUT, "supplier_timeout")

enum fo_reason {
#define FO_REASON_ENUM(name, text) FO_REASON_##name,
    FO_REASON_TABLE(FO_REASON_ENUM)
#undef FO_REASON_ENUM
        FO_REASON_COUNT
};

/* How an order's amount ends up: charged for delivered units, fee, refund. */
struct fo_split {
    int64_t charged_minor; /* Paid for delivered units: floor(amount * delivered / qty). */
    int64_t fee_minor;     /* Cancellation fee, at most the undelivered rest. */
    int64_t refund_minor;  /* Back to the buyer's available balance. */
};

struct fo_settlement {
    enum fo_reason reason; /* A quote reason for a cancel; COMPLETED; SUPPLIER_*. */
    struct fo_split split; /* charged + fee + refund = amount. */
    int64_t at_unix_ms;    /* When the order became terminal. */
};

struct fo_order {
    int64_t seq;                      /* Store-assigned insertion order; list cursors use it. */
    char id[FO_ID_BYTES];             /* "ord_…". */
    char buyer_id[FO_ID_BYTES];       /* "byr_…". */
    char service_id[FO_ID_BYTES];     /* "svc_…". */
    char supplier_id[FO_ID_BYTES];    /* "sup_…": the service's supplier at placement. */
    int64_t quantity;                 /* 1..FO_QUANTITY_MAX units ordered. */
    int64_t delivered;                /* 0..quantity, never decreasing. */
    int64_t unit_price_minor;         /* 1..FO_UNIT_PRICE_MINOR_MAX, at placement. */
    int64_t amount_minor;             /* quantity * unit price, <= FO_AMOUNT_MINOR_MAX. */
    char currency[FO_CURRENCY_BYTES]; /* "CNY". */
    char target[FO_TARGET_BYTES];     /* Opaque buyer-given identifier, 1..128 code points. */
    enum fo_state state;
    int64_t placed_at_unix_ms;
    int64_t updated_at_unix_ms;
    int64_t lease_expires_at_unix_ms; /* While executing; 0 otherwise. */
    struct fo_policy policy;          /* The snapshot the order was placed under. */
    bool settled;                     /* True exactly when the state is terminal. */
    struct fo_settlement settlement;
};

const char *fo_state_name(enum fo_state state);
bool fo_state_parse(const char *name, enum fo_state *out);
bool fo_state_is_terminal(enum fo_state state);
const char *fo_reason_name(enum fo_reason reason);

/* The transitions of the state machine; each is performed by one command. */
enum fo_transition {
    FO_TRANSITION_ALLOCATE = 0, /* pending -> queued            (allocate) */
    FO_TRANSITION_CLAIM,        /* queued -> executing          (claim) */
    FO_TRANSITION_PROGRESS,     /* executing -> executing       (progress) */
    FO_TRANSITION_COMPLETE,     /* executing -> completed       (complete) */
    FO_TRANSITION_FAIL,         /* executing -> failed          (fail, lease expiry) */
    FO_TRANSITION_CANCEL,       /* pending|queued|executing -> cancelled (cancel) */
};
/* True when `transition` is legal from `from`; *out_to is the state it leads to. */
bool fo_order_transition(enum fo_state from, enum fo_transition transition, enum fo_state *out_to);

/* Split the order's amount for a settlement of `reason` (API.md, "Arithmetic"):
 * EXECUTING_PRORATED charges delivered units and a fee on the rest; QUEUED_WITH_FEE a fee;
 * SUPPLIER_FAILED/TIMEOUT charge delivered units, no fee; COMPLETED charges all; every
 * other allowed reason is a full refund. Pure and infallible within limits.h. */
void fo_split_compute(const struct fo_order *order, enum fo_reason reason, struct fo_split *out);

/* pending -> queued. Asserts the transition is legal. */
void fo_order_allocate(struct fo_order *order, int64_t now_unix_ms);
/* queued -> executing under a lease of lease_s seconds. Asserts legality. */
void fo_order_claim(struct fo_order *order, int64_t now_unix_ms, int64_t lease_s);
/* A supplier's cumulative progress report; renews the lease.
 * FO_ERR_JOB_NOT_ACTIVE when not executing; FO_ERR_INVALID_PROGRESS when `delivered`
 * decreases or exceeds the quantity. Changes nothing on error. */
enum fo_err fo_order_progress(struct fo_order *order, int64_t delivered, int64_t now_unix_ms,
                              int64_t lease_s);
/* executing -> completed; `delivered` must equal the quantity (else INVALID_PROGRESS),
 * JOB_NOT_ACTIVE when not executing. Changes nothing on error. */
enum fo_err fo_order_complete(struct fo_order *order, int64_t delivered, int64_t now_unix_ms);
/* executing -> failed with reason SUPPLIER_FAILED or SUPPLIER_TIMEOUT; `delivered` follows
 * the rules of progress. Changes nothing on error. */
enum fo_err fo_order_fail(struct fo_order *order, int64_t delivered, enum fo_reason reason,
                          int64_t now_unix_ms);

/* Check the invariants of one order (DESIGN.md 2 and 3; STYLE.md §6): delivered within
 * 0..quantity, amount = quantity * unit price within limits, settled exactly when terminal,
 * a terminal order's charged + fee + refund = amount, completed charges everything,
 * lease set exactly while executing, queued/pending have delivered 0.
 * Returns NULL when all hold, else a constant sentence naming the first broken one. */
const char *fo_order_check(const struct fo_order *order);

#endif
