/* The Simplified Chinese message of every error code (STYLE.md §4; DESIGN.md, "Words").
 *
 * Kept apart from the English table in err.h so that translators edit one file. The
 * switch below has no default case: with -Wall -Werror, a code added to FO_ERR_TABLE
 * without a Chinese message here stops the build, and a unit test checks that every
 * message differs from the English one. Messages use full-width punctuation and no
 * closing full stop, because fo_err_format may append the field that caused the error.
 * Pure constants: no I/O, no state. */
#include "core/err_zh.h"

#include "core/assert.h"

static const char *err_zh_lookup(enum fo_err err)
{
    FO_ASSERT(fo_err_is_known(err));
    FO_ASSERT((int)err >= 0);

    switch (err) {
    case FO_ERR_OK:
        return "成功";
    case FO_ERR_INVALID_JSON:
        return "请求体不是有效的 JSON";
    case FO_ERR_INVALID_REQUEST:
        return "有字段缺失、类型错误或超出范围";
    case FO_ERR_BODY_TOO_LARGE:
        return "请求体超过 64 KiB";
    case FO_ERR_HEADERS_TOO_LARGE:
        return "请求头超过 16 KiB";
    case FO_ERR_UNSUPPORTED_MEDIA_TYPE:
        return "请以 Content-Type: application/json 发送请求体";
    case FO_ERR_METHOD_NOT_ALLOWED:
        return "此资源不支持该请求方法";
    case FO_ERR_UNAUTHORIZED:
        return "缺少令牌，或令牌无效";
    case FO_ERR_FORBIDDEN:
        return "此令牌的角色无权执行该操作";
    case FO_ERR_NOT_FOUND:
        return "资源不存在";
    case FO_ERR_SERVICE_NOT_FOUND:
        return "服务不存在，或已下架";
    case FO_ERR_INSUFFICIENT_FUNDS:
        return "可用余额不足";
    case FO_ERR_NOT_CANCELLABLE:
        return "该订单现在不可取消";
    case FO_ERR_QUOTE_CHANGED:
        return "现在取消的退款将低于您确认的取消预估";
    case FO_ERR_POLICY_CHANGED:
        return "该服务的取消规则已变更，请重新查看";
    case FO_ERR_JOB_NOT_ACTIVE:
        return "该任务已不再由您执行，请停止处理";
    case FO_ERR_INVALID_PROGRESS:
        return "已交付数量不能减少，也不能超过订购数量";
    case FO_ERR_IDEMPOTENCY_CONFLICT:
        return "此 Idempotency-Key 已用于另一个请求";
    case FO_ERR_RATE_LIMITED:
        return "请求过于频繁，请在 Retry-After 所示时间后重试";
    case FO_ERR_UNAVAILABLE:
        return "服务器繁忙，请稍后重试";
    case FO_ERR_INTERNAL:
        return "内部错误，已通知运营方，请稍后重试";
    }
    return NULL;
}

const char *fo_err_zh_message(enum fo_err err)
{
    const char *message = err_zh_lookup(err);

    FO_ASSERT(message != NULL);
    FO_ASSERT(message[0] != '\0');
    return message;
}
