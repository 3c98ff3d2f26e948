/* The server's log buffer (src/log.c): every line comes out once, whole and in each
 * thread's order, and a warning comes out at once with every line logged before it.
 * Method: standard error goes to a temporary file; two threads log numbered info lines
 * (together more than FO_LOG_BUFFER_BYTES, so the full-buffer path runs too); then the
 * file is read back line by line. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "log.h"
#include "support/fo_test.h"

#define LINES_PER_THREAD 2000

static void *log_lines(void *argument)
{
    const char *name = argument;
    for (int index = 0; index < LINES_PER_THREAD; index++) {
        fo_log(FO_LOG_INFO, "test.line", "thread=%s index=%d padding=%s", name, index,
               "................................................");
    }
    return NULL;
}

/* Redirect standard error to a fresh file; returns the saved descriptor. */
static int stderr_to(const char *path)
{
    int saved = dup(STDERR_FILENO);
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && file >= 0);
    assert_int_equal(dup2(file, STDERR_FILENO), STDERR_FILENO);
    close(file);
    return saved;
}

static void stderr_back(int saved)
{
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
}

/* Lines of the file so far: each must be a whole line of a thread, in that thread's order. */
static int count_lines(const char *path, int next_index[2], bool *out_warning_seen)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        assert_non_null(strchr(line, '\n'));
        count++;
        if (strstr(line, "event=test.warning") != NULL) {
            *out_warning_seen = true;
            continue;
        }
        const char *thread = strstr(line, "thread=");
        assert_non_null(thread);
        int which = thread[7] == 'a' ? 0 : 1;
        int index = -1;
        assert_int_equal(sscanf(strstr(line, "index="), "index=%d", &index), 1);
        assert_int_equal(index, next_index[which]);
        next_index[which]++;
    }
    fclose(file);
    return count;
}

static void test_buffered_lines_come_out_whole_in_order_and_before_a_warning(void **state)
{
    (void)state;
    char path[] = "build/tmp/log-test-XXXXXX";
    int made = mkstemp(path);
    assert_true(made >= 0);
    close(made);
    int saved = stderr_to(path);
    assert_true(fo_log_buffer_start());
    pthread_t threads[2];
    assert_int_equal(pthread_create(&threads[0], NULL, log_lines, "a"), 0);
    assert_int_equal(pthread_create(&threads[1], NULL, log_lines, "b"), 0);
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    fo_log(FO_LOG_WARN, "test.warning", "action=none");
    /* Still buffering: the warning wrote everything before it, and itself. */
    int next_index[2] = {0, 0};
    bool warning_seen = false;
    int count = count_lines(path, next_index, &warning_seen);
    fo_log_buffer_stop();
    stderr_back(saved);
    assert_true(2 * LINES_PER_THREAD * 100 > (int)FO_LOG_BUFFER_BYTES); /* Full path ran. */
    assert_int_equal(count, 2 * LINES_PER_THREAD + 1);
    assert_int_equal(next_index[0], LINES_PER_THREAD);
    assert_int_equal(next_index[1], LINES_PER_THREAD);
    assert_true(warning_seen);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffered_lines_come_out_whole_in_order_and_before_a_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
