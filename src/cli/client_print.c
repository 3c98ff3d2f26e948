/* Plain rendering of API.md's views for a terminal, shared by the admin and buyer clients
 * (see client.h). The words are DESIGN.md's ("Words"), in the reader's language; amounts
 * are ¥12.50 in both; times are shown in the reader's time zone. The server's own plain
 * words (policy.summary, cancel.message) are printed as they come: they already follow
 * the asked language.
 *
 * Every member is read defensively (absent = neutral value): a client must not crash on
 * an answer from a newer server. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/client.h"
#include "core/assert.h"
#include "core/money.h"
#include "core/order.h"
#include "core/text.h"

#define MONEY_BYTES 32
#define TIME_BYTES  64

const char *fo_cli_word(const struct fo_cli *cli, const char *english, const char *chinese)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(english != NULL);
    FO_ASSERT(chinese != NULL);
    return cli->lang == FO_LANG_ZH ? chinese : english;
}

const char *fo_cli_money(int64_t amount_minor, char *buf, size_t buf_bytes)
{
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= MONEY_BYTES);
    fo_money_format(amount_minor, buf, buf_bytes);
    return buf;
}

const char *fo_cli_time(const char *rfc3339, char *buf, size_t buf_bytes)
{
    FO_ASSERT(rfc3339 != NULL);
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= TIME_BYTES);
    struct tm parts;
    memset(&parts, 0, sizeof parts);
    int milliseconds = 0;
    char zone = '\0';
    int fields =
        sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &parts.tm_year, &parts.tm_mon,
               &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &milliseconds, &zone);
    snprintf(buf, buf_bytes, "%s", rfc3339);
    if (fields != 8 || zone != 'Z') {
        return buf;
    }
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    time_t seconds = timegm(&parts);
    struct tm local;
    if (seconds == (time_t)-1 || localtime_r(&seconds, &local) == NULL ||
        strftime(buf, buf_bytes, "%Y-%m-%d %H:%M:%S %Z", &local) == 0) {
        snprintf(buf, buf_bytes, "%s", rfc3339);
    }
    return buf;
}

const char *fo_cli_state_label(const char *state, enum fo_lang lang)
{
    FO_ASSERT(lang == FO_LANG_EN || lang == FO_LANG_ZH);
    FO_ASSERT(state != NULL);
    enum fo_state parsed;
    if (!fo_state_parse(state, &parsed)) {
        return state;
    }
    return fo_text_state_label(parsed, lang);
}

void fo_cli_print_label(const struct fo_cli *cli, const char *english, const char *chinese)
{
    FO_ASSERT(english != NULL);
    FO_ASSERT(chinese != NULL);
    if (cli->lang == FO_LANG_ZH) {
        printf("  %s：", chinese);
    } else {
        char label[32];
        snprintf(label, sizeof label, "%s:", english);
        printf("  %-14s", label);
    }
}

/* The indentation of a value's second line, under the first. */
static const char *continuation(const struct fo_cli *cli)
{
    FO_ASSERT(cli != NULL);
    return cli->lang == FO_LANG_ZH ? "      " : "                ";
}

void fo_cli_print_policy(const struct fo_cli *cli, const json_t *policy)
{
    FO_ASSERT(cli != NULL);
    if (!json_is_object(policy)) {
        return;
    }
    fo_cli_print_label(cli, "Policy", "取消规则");
    printf("%s %s%s%s\n", fo_cli_json_string(policy, "id"), fo_cli_word(cli, "\"", "「"),
           fo_cli_json_string(policy, "name"), fo_cli_word(cli, "\"", "」"));
    printf("%s%s\n", continuation(cli), fo_cli_json_string(policy, "summary"));
}

void fo_cli_print_quote(const struct fo_cli *cli, const json_t *quote)
{
    FO_ASSERT(cli != NULL);
    if (!json_is_object(quote)) {
        return;
    }
    char refund[MONEY_BYTES];
    char charged[MONEY_BYTES];
    char fee[MONEY_BYTES];
    fo_cli_print_label(cli, "Cancel now", "取消预估");
    if (fo_cli_json_bool(quote, "allowed")) {
        printf(FO_CLI_WORDS(cli,
                            "allowed (%s): refund %s; charged for delivered units %s; "
                            "cancellation fee %s\n",
                            "可以取消（%s）：退款 %s；"
                            "已交付部分费用 %s；取消手续费 %s\n"),
               fo_cli_json_string(quote, "reason"),
               fo_cli_money(fo_cli_json_int(quote, "refund_minor"), refund, sizeof refund),
               fo_cli_money(fo_cli_json_int(quote, "charged_minor"), charged, sizeof charged),
               fo_cli_money(fo_cli_json_int(quote, "fee_minor"), fee, sizeof fee));
    } else {
        printf(FO_CLI_WORDS(cli, "not allowed (%s)\n", "不可取消（%s）\n"),
               fo_cli_json_string(quote, "reason"));
    }
    printf("%s%s\n", continuation(cli), fo_cli_json_string(quote, "message"));
    const char *changes_at = fo_cli_json_string(quote, "rule_changes_at");
    if (changes_at[0] != '\0') {
        char local[TIME_BYTES];
        printf(FO_CLI_WORDS(cli, "%sthe rule changes at %s (end of the free cancellation period)\n",
                            "%s规则变化时间：%s（冷静期结束）\n"),
               continuation(cli), fo_cli_time(changes_at, local, sizeof local));
    }
}

void fo_cli_print_settlement(const struct fo_cli *cli, const json_t *settlement)
{
    FO_ASSERT(cli != NULL);
    if (!json_is_object(settlement)) {
        return;
    }
    char refund[MONEY_BYTES];
    char charged[MONEY_BYTES];
    char fee[MONEY_BYTES];
    char at[TIME_BYTES];
    fo_cli_print_label(cli, "Settlement", "结算明细");
    printf(FO_CLI_WORDS(cli,
                        "%s: charged for delivered units %s; cancellation fee %s; refund %s"
                        " (%s)\n",
                        "%s：已交付部分费用 %s；取消手续费 %s；退款 %s（%s）\n"),
           fo_cli_json_string(settlement, "reason"),
           fo_cli_money(fo_cli_json_int(settlement, "charged_minor"), charged, sizeof charged),
           fo_cli_money(fo_cli_json_int(settlement, "fee_minor"), fee, sizeof fee),
           fo_cli_money(fo_cli_json_int(settlement, "refund_minor"), refund, sizeof refund),
           fo_cli_time(fo_cli_json_string(settlement, "at"), at, sizeof at));
}

void fo_cli_print_order(const struct fo_cli *cli, const json_t *order)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(order != NULL);
    const char *state = fo_cli_json_string(order, "state");
    char amount[MONEY_BYTES];
    char unit_price[MONEY_BYTES];
    char placed[TIME_BYTES];
    printf(FO_CLI_WORDS(cli, "Order %s: %s (%s)\n", "订单 %s：%s（%s）\n"),
           fo_cli_json_string(order, "id"), fo_cli_state_label(state, cli->lang), state);
    fo_cli_print_label(cli, "Service", "服务");
    printf(FO_CLI_WORDS(cli, "%s, target %s\n", "%s，目标 %s\n"),
           fo_cli_json_string(order, "service_id"), fo_cli_json_string(order, "target"));
    fo_cli_print_label(cli, "Delivered", "已交付");
    printf("%lld/%lld\n", (long long)fo_cli_json_int(order, "delivered"),
           (long long)fo_cli_json_int(order, "quantity"));
    fo_cli_print_label(cli, "Amount", "金额");
    printf("%s = %lld × %s\n",
           fo_cli_money(fo_cli_json_int(order, "amount_minor"), amount, sizeof amount),
           (long long)fo_cli_json_int(order, "quantity"),
           fo_cli_money(fo_cli_json_int(order, "unit_price_minor"), unit_price, sizeof unit_price));
    fo_cli_print_label(cli, "Placed", "下单时间");
    printf("%s\n", fo_cli_time(fo_cli_json_string(order, "placed_at"), placed, sizeof placed));
    fo_cli_print_policy(cli, json_object_get(order, "policy"));
    json_t *settlement = json_object_get(order, "settlement");
    if (json_is_object(settlement)) {
        fo_cli_print_settlement(cli, settlement);
    } else {
        fo_cli_print_quote(cli, json_object_get(order, "cancel"));
    }
}

void fo_cli_print_service(const struct fo_cli *cli, const json_t *service)
{
    FO_ASSERT(service != NULL);
    FO_ASSERT(cli != NULL);
    char price[MONEY_BYTES];
    const char *unit = fo_cli_json_string(service, "unit");
    printf("%s  %s\n", fo_cli_json_string(service, "id"), fo_cli_json_string(service, "name"));
    fo_cli_print_label(cli, "Price", "价格");
    printf(FO_CLI_WORDS(cli, "%s per %s; ", "%s/%s；"),
           fo_cli_money(fo_cli_json_int(service, "unit_price_minor"), price, sizeof price), unit);
    printf(FO_CLI_WORDS(cli, "%lld to %lld %s an order\n", "每单 %lld 至 %lld %s\n"),
           (long long)fo_cli_json_int(service, "min_quantity"),
           (long long)fo_cli_json_int(service, "max_quantity"), unit);
    json_t *policy = json_object_get(service, "policy");
    if (json_is_object(policy)) {
        fo_cli_print_policy(cli, policy);
    }
}

void fo_cli_print_order_line(const struct fo_cli *cli, const json_t *order)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(cli != NULL);
    char amount[MONEY_BYTES];
    char placed[TIME_BYTES];
    const char *state = fo_cli_json_string(order, "state");
    printf("%s  %-9s %lld/%lld  %s  %s  %s  %s  %s\n", fo_cli_json_string(order, "id"), state,
           (long long)fo_cli_json_int(order, "delivered"),
           (long long)fo_cli_json_int(order, "quantity"),
           fo_cli_money(fo_cli_json_int(order, "amount_minor"), amount, sizeof amount),
           fo_cli_json_string(order, "buyer_id"), fo_cli_json_string(order, "service_id"),
           fo_cli_time(fo_cli_json_string(order, "placed_at"), placed, sizeof placed),
           fo_cli_state_label(state, cli->lang));
}

void fo_cli_print_next_cursor(const struct fo_cli *cli, const json_t *answer)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(answer != NULL);
    const char *cursor = fo_cli_json_string(answer, "next_cursor");
    if (cursor[0] != '\0') {
        printf(FO_CLI_WORDS(cli, "More: add --cursor %s\n", "还有更多：加上 --cursor %s\n"),
               cursor);
    }
}

void fo_cli_print_orders(const struct fo_cli *cli, const json_t *answer)
{
    FO_ASSERT(cli != NULL);
    FO_ASSERT(answer != NULL);
    json_t *orders = json_object_get(answer, "data");
    size_t index;
    json_t *order;
    json_array_foreach(orders, index, order)
    {
        fo_cli_print_order_line(cli, order);
    }
    if (json_array_size(orders) == 0) {
        printf("%s\n", fo_cli_word(cli, "No orders.", "没有订单。"));
    }
    fo_cli_print_next_cursor(cli, answer);
}
