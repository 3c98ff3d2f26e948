/* The disk's durability latency, for BENCH.md: how long one fsync takes where the
 * benchmark's database lives.
 *
 * Every durable answer of fairorder waits for at least one fsync of the SQLite WAL (group
 * commit shares it among a batch), so this number bounds write latency from below and
 * explains a missed latency target on a slow disk. The probe appends 4 KiB (a WAL frame
 * and a page, roughly) and syncs, as a commit does, first with fdatasync (what SQLite
 * uses on Linux) then with fsync; each series is bounded by a count and a time.
 *
 *   fsync_probe DIR   prints one JSON line: {"fdatasync_us":{...},"fsync_us":{...}} with
 *                     count, p50, p90, p99, max and mean in microseconds. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/assert.h"
#include "hist.h"

#define PROBE_WRITES_MAX  2000
#define PROBE_SERIES_NS   (INT64_C(2) * 1000000000)
#define PROBE_BLOCK_BYTES 4096
#define PROBE_PATH_BYTES  4096

static int64_t probe_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Append and sync until the count or the time runs out; -1 on an I/O error. */
static int probe_series(int fd, int (*sync_call)(int), struct fo_hist *out)
{
    static char block[PROBE_BLOCK_BYTES];
    memset(block, 'x', sizeof block);
    int64_t end_ns = probe_now_ns() + PROBE_SERIES_NS;
    for (int64_t index = 0; index < PROBE_WRITES_MAX && probe_now_ns() < end_ns; index++) {
        int64_t start_ns = probe_now_ns();
        ssize_t written = pwrite(fd, block, sizeof block, (off_t)(index * PROBE_BLOCK_BYTES));
        if (written != (ssize_t)sizeof block || sync_call(fd) != 0) {
            return -1;
        }
        fo_hist_record(out, (uint64_t)(probe_now_ns() - start_ns));
    }
    FO_ASSERT(out->total_count > 0);
    return 0;
}

static void probe_print(const char *name, const struct fo_hist *hist)
{
    printf("\"%s\":{\"count\":%" PRIu64 ",\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f,"
           "\"mean\":%.1f}",
           name, hist->total_count, (double)fo_hist_percentile_ns(hist, 500) / 1000.0,
           (double)fo_hist_percentile_ns(hist, 900) / 1000.0,
           (double)fo_hist_percentile_ns(hist, 990) / 1000.0, (double)hist->max_ns / 1000.0,
           (double)fo_hist_mean_ns(hist) / 1000.0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fsync_probe DIR (a directory on the disk to measure)\n");
        return 2;
    }
    char path[PROBE_PATH_BYTES];
    snprintf(path, sizeof path, "%s/fsync-probe.tmp", argv[1]);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "fsync_probe: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    static struct fo_hist datasync;
    static struct fo_hist fullsync;
    fo_hist_init(&datasync);
    fo_hist_init(&fullsync);
    int result = probe_series(fd, fdatasync, &datasync);
    if (result == 0 && ftruncate(fd, 0) == 0) {
        result = probe_series(fd, fsync, &fullsync);
    }
    close(fd);
    unlink(path);
    if (result != 0) {
        fprintf(stderr, "fsync_probe: write or sync failed: %s\n", strerror(errno));
        return 1;
    }
    printf("{");
    probe_print("fdatasync_us", &datasync);
    printf(",");
    probe_print("fsync_us", &fullsync);
    printf("}\n");
    return 0;
}
