#include "thread.h"

#include <sys/prctl.h>

#include "core/assert.h"

void fo_thread_name(const char *name)
{
    (void)prctl(PR_SET_NAME, name, 0, 0, 0);
}

struct timespec fo_thread_deadline(int64_t after_ms)
{
    FO_ASSERT(after_ms >= 0);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    int64_t nanoseconds = (int64_t)deadline.tv_nsec + (after_ms % 1000) * 1000000;
    deadline.tv_sec += (time_t)(after_ms / 1000 + nanoseconds / 1000000000);
    deadline.tv_nsec = (long)(nanoseconds % 1000000000);
    return deadline;
}
