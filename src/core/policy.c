/* Cancellation policies: rule names and validation (see policy.h; API.md, "Cancellation
 * rules").
 *
 * A policy is checked once, when an admin creates it, against API.md's ranges; an order
 * then keeps an immutable snapshot of it, and fo_order_check re-checks that snapshot
 * whenever an order is loaded or written. Everything the refund arithmetic relies on
 * (fee_bps <= 10000, fee_fixed_minor <= 10^12, cooling_off_s <= one day) is enforced
 * here, so the quote never sees a policy that could overflow it. Pure: no I/O. */
#include "core/policy.h"

#include <string.h>

#include "core/assert.h"
#include "core/utf8.h"

const char *fo_pending_rule_name(enum fo_pending_rule rule)
{
    const char *name = NULL;
    switch (rule) {
    case FO_PENDING_FULL_REFUND:
        name = "full_refund";
        break;
    case FO_PENDING_DENY:
        name = "deny";
        break;
    }
    FO_ASSERT(name != NULL);
    FO_ASSERT(name[0] != '\0');
    return name;
}

const char *fo_queued_rule_name(enum fo_queued_rule rule)
{
    const char *name = NULL;
    switch (rule) {
    case FO_QUEUED_FULL_REFUND:
        name = "full_refund";
        break;
    case FO_QUEUED_FEE:
        name = "fee";
        break;
    case FO_QUEUED_DENY:
        name = "deny";
        break;
    }
    FO_ASSERT(name != NULL);
    FO_ASSERT(name[0] != '\0');
    return name;
}

const char *fo_executing_rule_name(enum fo_executing_rule rule)
{
    const char *name = NULL;
    switch (rule) {
    case FO_EXECUTING_PRORATED:
        name = "prorated";
        break;
    case FO_EXECUTING_DENY:
        name = "deny";
        break;
    }
    FO_ASSERT(name != NULL);
    FO_ASSERT(name[0] != '\0');
    return name;
}

bool fo_pending_rule_parse(const char *name, enum fo_pending_rule *out)
{
    FO_ASSERT(name != NULL);
    FO_ASSERT(out != NULL);

    const enum fo_pending_rule rules[] = {FO_PENDING_FULL_REFUND, FO_PENDING_DENY};
    for (size_t index = 0; index < sizeof rules / sizeof rules[0]; index++) {
        if (strcmp(name, fo_pending_rule_name(rules[index])) == 0) {
            *out = rules[index];
            return true;
        }
    }
    return false;
}

bool fo_queued_rule_parse(const char *name, enum fo_queued_rule *out)
{
    FO_ASSERT(name != NULL);
    FO_ASSERT(out != NULL);

    const enum fo_queued_rule rules[] = {FO_QUEUED_FULL_REFUND, FO_QUEUED_FEE, FO_QUEUED_DENY};
    for (size_t index = 0; index < sizeof rules / sizeof rules[0]; index++) {
        if (strcmp(name, fo_queued_rule_name(rules[index])) == 0) {
            *out = rules[index];
            return true;
        }
    }
    return false;
}

bool fo_executing_rule_parse(const char *name, enum fo_executing_rule *out)
{
    FO_ASSERT(name != NULL);
    FO_ASSERT(out != NULL);

    const enum fo_executing_rule rules[] = {FO_EXECUTING_PRORATED, FO_EXECUTING_DENY};
    for (size_t index = 0; index < sizeof rules / sizeof rules[0]; index++) {
        if (strcmp(name, fo_executing_rule_name(rules[index])) == 0) {
            *out = rules[index];
            return true;
        }
    }
    return false;
}

/* The name: NUL-terminated inside its array, 1..64 code points, no control characters. */
static enum fo_err policy_validate_name(const struct fo_policy *policy,
                                        struct fo_err_detail *detail)
{
    FO_ASSERT(policy != NULL);
    FO_ASSERT(detail != NULL);

    const char *end = memchr(policy->name, '\0', sizeof policy->name);
    if (end == NULL) {
        return fo_err_field_range(detail, "name", FO_FIELD_BAD_LENGTH, 1, FO_NAME_CHARS_MAX);
    }
    return fo_utf8_field_check("name", policy->name, (size_t)(end - policy->name), 1,
                               FO_NAME_CHARS_MAX, false, detail);
}

static bool policy_in_range(int64_t value, int64_t range_min, int64_t range_max)
{
    FO_ASSERT(range_min <= range_max);
    bool inside = value >= range_min && value <= range_max;
    FO_ASSERT(!inside || value >= range_min);
    return inside;
}

enum fo_err fo_policy_validate(const struct fo_policy *policy, struct fo_err_detail *detail)
{
    FO_ASSERT(policy != NULL);
    FO_ASSERT(detail != NULL);

    enum fo_err err = policy_validate_name(policy, detail);
    if (err != FO_OK) {
        return err;
    }
    if (!policy_in_range(policy->cooling_off_s, 0, FO_COOLING_OFF_S_MAX)) {
        return fo_err_field_range(detail, "cooling_off_s", FO_FIELD_OUT_OF_RANGE, 0,
                                  FO_COOLING_OFF_S_MAX);
    }
    if (policy->pending != FO_PENDING_FULL_REFUND && policy->pending != FO_PENDING_DENY) {
        return fo_err_field(detail, "pending", FO_FIELD_BAD_VALUE);
    }
    if (policy->queued != FO_QUEUED_FULL_REFUND && policy->queued != FO_QUEUED_FEE &&
        policy->queued != FO_QUEUED_DENY) {
        return fo_err_field(detail, "queued", FO_FIELD_BAD_VALUE);
    }
    if (policy->executing != FO_EXECUTING_PRORATED && policy->executing != FO_EXECUTING_DENY) {
        return fo_err_field(detail, "executing", FO_FIELD_BAD_VALUE);
    }
    if (!policy_in_range(policy->fee_fixed_minor, 0, FO_FEE_FIXED_MINOR_MAX)) {
        return fo_err_field_range(detail, "fee_fixed_minor", FO_FIELD_OUT_OF_RANGE, 0,
                                  FO_FEE_FIXED_MINOR_MAX);
    }
    if (!policy_in_range(policy->fee_bps, 0, FO_FEE_BPS_MAX)) {
        return fo_err_field_range(detail, "fee_bps", FO_FIELD_OUT_OF_RANGE, 0, FO_FEE_BPS_MAX);
    }
    if (!policy_in_range(policy->free_cancels_per_day, 0, FO_FREE_CANCELS_PER_DAY_MAX)) {
        return fo_err_field_range(detail, "free_cancels_per_day", FO_FIELD_OUT_OF_RANGE, 0,
                                  FO_FREE_CANCELS_PER_DAY_MAX);
    }

    FO_ASSERT(policy->fee_bps <= FO_BPS_WHOLE);
    FO_ASSERT(policy->cooling_off_s >= 0);
    return FO_OK;
}
