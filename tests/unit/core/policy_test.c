/* Property under test: policy.c names and parses every rule value, and
 * fo_policy_validate accepts each field exactly at its API.md bounds and rejects it one
 * past them, naming the field and its bounds.
 *
 * Method: the fixture policy with one field changed at a time. */
#include "core_fixture.h"

#include "core/limits.h"
#include "core/policy.h"

static void test_policy_rule_names_round_trip(void **state)
{
    (void)state;
    enum fo_pending_rule pending = FO_PENDING_DENY;
    assert_string_equal(fo_pending_rule_name(FO_PENDING_FULL_REFUND), "full_refund");
    assert_string_equal(fo_pending_rule_name(FO_PENDING_DENY), "deny");
    assert_true(fo_pending_rule_parse("full_refund", &pending));
    assert_int_equal(pending, FO_PENDING_FULL_REFUND);
    assert_false(fo_pending_rule_parse("fee", &pending));
    assert_int_equal(pending, FO_PENDING_FULL_REFUND);

    enum fo_queued_rule queued = FO_QUEUED_DENY;
    assert_string_equal(fo_queued_rule_name(FO_QUEUED_FULL_REFUND), "full_refund");
    assert_string_equal(fo_queued_rule_name(FO_QUEUED_FEE), "fee");
    assert_string_equal(fo_queued_rule_name(FO_QUEUED_DENY), "deny");
    assert_true(fo_queued_rule_parse("fee", &queued));
    assert_int_equal(queued, FO_QUEUED_FEE);
    assert_true(fo_queued_rule_parse("deny", &queued));
    assert_int_equal(queued, FO_QUEUED_DENY);
    assert_false(fo_queued_rule_parse("prorated", &queued));
    assert_false(fo_queued_rule_parse("Fee", &queued));

    enum fo_executing_rule executing = FO_EXECUTING_DENY;
    assert_string_equal(fo_executing_rule_name(FO_EXECUTING_PRORATED), "prorated");
    assert_string_equal(fo_executing_rule_name(FO_EXECUTING_DENY), "deny");
    assert_true(fo_executing_rule_parse("prorated", &executing));
    assert_int_equal(executing, FO_EXECUTING_PRORATED);
    assert_false(fo_executing_rule_parse("full_refund", &executing));
    assert_false(fo_executing_rule_parse("", &executing));
}

static void assert_policy_ok(const struct fo_policy *policy)
{
    struct fo_err_detail detail;
    assert_int_equal(fo_policy_validate(policy, &detail), FO_OK);
}

static void assert_policy_bad(const struct fo_policy *policy, const char *field,
                              enum fo_field_problem problem)
{
    struct fo_err_detail detail;
    assert_int_equal(fo_policy_validate(policy, &detail), FO_ERR_INVALID_REQUEST);
    assert_string_equal(detail.field, field);
    assert_int_equal(detail.problem, problem);
}

static void test_policy_validate_numbers_at_and_past_bounds(void **state)
{
    (void)state;
    struct fo_policy base = fixture_policy();
    assert_policy_ok(&base);
    const struct {
        const char *field;
        int64_t *value;
        int64_t range_max;
    } fields[] = {
        {"cooling_off_s", &base.cooling_off_s, FO_COOLING_OFF_S_MAX},
        {"fee_fixed_minor", &base.fee_fixed_minor, FO_FEE_FIXED_MINOR_MAX},
        {"fee_bps", &base.fee_bps, FO_FEE_BPS_MAX},
        {"free_cancels_per_day", &base.free_cancels_per_day, FO_FREE_CANCELS_PER_DAY_MAX},
    };
    for (size_t index = 0; index < sizeof fields / sizeof fields[0]; index++) {
        int64_t saved = *fields[index].value;
        *fields[index].value = 0;
        assert_policy_ok(&base);
        *fields[index].value = fields[index].range_max;
        assert_policy_ok(&base);
        *fields[index].value = -1;
        assert_policy_bad(&base, fields[index].field, FO_FIELD_OUT_OF_RANGE);
        *fields[index].value = fields[index].range_max + 1;
        assert_policy_bad(&base, fields[index].field, FO_FIELD_OUT_OF_RANGE);
        struct fo_err_detail detail;
        fo_policy_validate(&base, &detail);
        assert_true(detail.has_range);
        assert_int64_equal(detail.range_min, 0);
        assert_int64_equal(detail.range_max, fields[index].range_max);
        *fields[index].value = saved;
    }
}

static void test_policy_validate_rule_values(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.pending = (enum fo_pending_rule)0;
    assert_policy_bad(&policy, "pending", FO_FIELD_BAD_VALUE);
    policy = fixture_policy();
    policy.queued = (enum fo_queued_rule)4;
    assert_policy_bad(&policy, "queued", FO_FIELD_BAD_VALUE);
    policy = fixture_policy();
    policy.executing = (enum fo_executing_rule)3;
    assert_policy_bad(&policy, "executing", FO_FIELD_BAD_VALUE);
}

static void test_policy_validate_name(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.name[0] = '\0';
    assert_policy_bad(&policy, "name", FO_FIELD_BAD_LENGTH);
    memset(policy.name, 0, sizeof policy.name);
    for (int index = 0; index < FO_NAME_CHARS_MAX; index++) {
        memcpy(policy.name + index * 3, "规", 3);
    }
    assert_policy_ok(&policy);
    memset(policy.name, 0, sizeof policy.name);
    memset(policy.name, 'n', FO_NAME_CHARS_MAX + 1);
    assert_policy_bad(&policy, "name", FO_FIELD_BAD_LENGTH);
    memset(policy.name, 'n', sizeof policy.name); /* Not even NUL-terminated. */
    assert_policy_bad(&policy, "name", FO_FIELD_BAD_LENGTH);
    snprintf(policy.name, sizeof policy.name, "Standard\x7f");
    assert_policy_bad(&policy, "name", FO_FIELD_BAD_CHARS);
}

static void test_policy_validate_names_the_first_bad_field(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.fee_bps = -1;
    policy.free_cancels_per_day = -1;
    assert_policy_bad(&policy, "fee_bps", FO_FIELD_OUT_OF_RANGE);
    policy.cooling_off_s = -1;
    assert_policy_bad(&policy, "cooling_off_s", FO_FIELD_OUT_OF_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_rule_names_round_trip),
        cmocka_unit_test(test_policy_validate_numbers_at_and_past_bounds),
        cmocka_unit_test(test_policy_validate_rule_values),
        cmocka_unit_test(test_policy_validate_name),
        cmocka_unit_test(test_policy_validate_names_the_first_bad_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
