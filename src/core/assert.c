/* FO_ASSERT's failure path (STYLE.md §6).
 *
 * Assertions are always on, release builds included: a process that has broken an
 * invariant must stop before it moves money wrongly. This file is the single place in
 * src/core that performs I/O: it writes the failed expression and its location to
 * standard error, then aborts. It keeps no state and allocates nothing, so it is safe to
 * call from any thread and from any depth of the core. */
#include "core/assert.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void fo_assert_fail(const char *expression, const char *file, int line)
{
    /* Nothing can be asserted here without recursing; print what we have, even if a
     * caller passed NULL by mistake. */
    fprintf(stderr, "assertion failed: %s at %s:%d\n", expression != NULL ? expression : "?",
            file != NULL ? file : "?", line);
    fflush(stderr);
    abort();
}
