/* FO_ASSERT: always-on assertions (STYLE.md §6).
 *
 * A broken invariant aborts the process rather than move money wrongly; the supervisor
 * restarts it, and nothing answered is lost because nothing is answered before it is
 * durable. Never assert on input: reject it with an enum fo_err instead. */
#ifndef FO_CORE_ASSERT_H
#define FO_CORE_ASSERT_H

/* Log "assertion failed: EXPR at FILE:LINE" on standard error and abort(). The one place
 * in src/core that writes anything: a dying process's last words. */
_Noreturn void fo_assert_fail(const char *expression, const char *file, int line);

#define FO_ASSERT(cond)                                \
    do {                                               \
        if (!(cond)) {                                 \
            fo_assert_fail(#cond, __FILE__, __LINE__); \
        }                                              \
    } while (0)

#endif
