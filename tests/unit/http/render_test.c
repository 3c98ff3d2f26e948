/* The policy JSON of the HTTP layer (src/http/render.c), which each thread caches: a cached
 * answer is exactly the fresh one, and a policy that differs in any field (even under the
 * same id) or a different language never gets another's words. Method: render through
 * fo_render_policy in a sequence that fills, hits and replaces cache slots, and compare
 * with the summary fo_text_policy_summary gives for the same policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/internal.h"
#include "support/fo_test.h"
#include "unit/core/core_fixture.h"

static char *render(const struct fo_policy *policy, enum fo_lang lang)
{
    struct fo_json_out out;
    fo_json_out_init(&out);
    fo_render_policy(&out, policy, lang);
    size_t length = 0;
    char *json = fo_json_out_take(&out, &length);
    assert_non_null(json);
    assert_int_equal(strlen(json), length);
    return json;
}

/* The summary, as the JSON must carry it: the policy texts have no characters to escape. */
static void assert_carries_summary(const char *json, const struct fo_policy *policy,
                                   enum fo_lang lang)
{
    char summary[FO_TEXT_BYTES];
    fo_text_policy_summary(policy, lang, summary, sizeof summary);
    assert_null(strpbrk(summary, "\"\\"));
    char expected[FO_TEXT_BYTES + 32];
    snprintf(expected, sizeof expected, "\"summary\":\"%s\"}", summary);
    assert_non_null(strstr(json, expected));
}

static void test_policy_json_cached_equals_fresh_and_never_mixes(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_policy cheaper = policy; /* Same id, another fee: another database, say. */
    cheaper.fee_bps = 100;
    char *first = render(&policy, FO_LANG_EN);
    assert_carries_summary(first, &policy, FO_LANG_EN);
    assert_non_null(strstr(first, "\"fee_bps\":200,"));
    char *again = render(&policy, FO_LANG_EN);
    assert_string_equal(again, first);
    char *chinese = render(&policy, FO_LANG_ZH);
    assert_carries_summary(chinese, &policy, FO_LANG_ZH);
    char *other = render(&cheaper, FO_LANG_EN);
    assert_carries_summary(other, &cheaper, FO_LANG_EN);
    assert_non_null(strstr(other, "\"fee_bps\":100,"));
    char *back = render(&policy, FO_LANG_EN);
    assert_string_equal(back, first);
    for (int index = 0; index < 40; index++) { /* More policies than slots. */
        struct fo_policy many = policy;
        snprintf(many.id, sizeof many.id, "pol_%d", index);
        many.fee_fixed_minor = index;
        char *json = render(&many, index % 2 == 0 ? FO_LANG_EN : FO_LANG_ZH);
        assert_carries_summary(json, &many, index % 2 == 0 ? FO_LANG_EN : FO_LANG_ZH);
        free(json);
    }
    char *last = render(&policy, FO_LANG_EN);
    assert_string_equal(last, first);
    free(first);
    free(again);
    free(chinese);
    free(other);
    free(back);
    free(last);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_json_cached_equals_fresh_and_never_mixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
