/* Cancellation policies (API.md, "Cancellation rules").
 *
 * A policy is immutable once created; every order keeps the policy it was placed under,
 * so later policy changes never touch existing orders. This module names the rule values,
 * parses and validates them. Pure: no I/O, no allocation. */
#ifndef FO_CORE_POLICY_H
#define FO_CORE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

/* What a cancel of a pending order does once the cooling-off period is over. */
enum fo_pending_rule {
    FO_PENDING_FULL_REFUND = 1,
    FO_PENDING_DENY = 2,
};

/* What a cancel of a queued order does once the cooling-off period is over. */
enum fo_queued_rule {
    FO_QUEUED_FULL_REFUND = 1,
    FO_QUEUED_FEE = 2,
    FO_QUEUED_DENY = 3,
};

/* What a cancel of an executing order does (cooling-off never applies there). */
enum fo_executing_rule {
    FO_EXECUTING_PRORATED = 1,
    FO_EXECUTING_DENY = 2,
};

struct fo_policy {
    char id[FO_ID_BYTES];             /* "pol_…". */
    char name[FO_NAME_BYTES];         /* 1..64 code points, no control characters. */
    int64_t cooling_off_s;            /* 0..86400 seconds after placement. */
    enum fo_pending_rule pending;     /* Rule for pending orders. */
    enum fo_queued_rule queued;       /* Rule for queued orders. */
    enum fo_executing_rule executing; /* Rule for executing orders. */
    int64_t fee_fixed_minor;          /* 0..10^12 minor, added to the proportional fee. */
    int64_t fee_bps;                  /* 0..10000 basis points of the undelivered rest. */
    int64_t free_cancels_per_day;     /* 0..1000 cooling-off cancels per rolling 24 hours. */
    int64_t created_at_unix_ms;       /* When the admin created it. */
};

/* The API names of the rule values ("full_refund", "fee", "deny", "prorated"). */
const char *fo_pending_rule_name(enum fo_pending_rule rule);
const char *fo_queued_rule_name(enum fo_queued_rule rule);
const char *fo_executing_rule_name(enum fo_executing_rule rule);
/* Parse an API name; false when `name` is not one of the rule's values. */
bool fo_pending_rule_parse(const char *name, enum fo_pending_rule *out);
bool fo_queued_rule_parse(const char *name, enum fo_queued_rule *out);
bool fo_executing_rule_parse(const char *name, enum fo_executing_rule *out);

/* Check every field against API.md's ranges (the id is not checked: the store assigns it).
 * Returns FO_OK, or FO_ERR_INVALID_REQUEST with `detail` naming the first bad field
 * ("cooling_off_s", "fee_bps", "name", …). */
enum fo_err fo_policy_validate(const struct fo_policy *policy, struct fo_err_detail *detail);

#endif
