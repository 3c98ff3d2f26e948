/* Latency histogram of the load generator: log-linear buckets in fixed memory.
 *
 * Values are nanoseconds. Below 64 ns each value has its own bucket; above, every power of
 * two is split into 32 linear sub-buckets, so a reported percentile is within about 3 % of
 * the true value (HdrHistogram's idea with 5 significant bits). Values above 2^40 ns (about
 * 18 minutes) land in the last bucket. Recording is O(1), never allocates, never fails. */
#ifndef FO_BENCH_HIST_H
#define FO_BENCH_HIST_H

#include <stdint.h>

/* Sub-buckets per power of two (5 bits) and the exact range below them. */
#define FO_HIST_SUB_BITS    5
#define FO_HIST_SUB_COUNT   (1 << FO_HIST_SUB_BITS)
#define FO_HIST_EXACT_COUNT (2 * FO_HIST_SUB_COUNT)
/* Largest power of two tracked: 2^40 ns, about 18 minutes. */
#define FO_HIST_MSB_MAX 40
#define FO_HIST_BUCKETS_COUNT \
    (FO_HIST_EXACT_COUNT + (FO_HIST_MSB_MAX - FO_HIST_SUB_BITS) * FO_HIST_SUB_COUNT)

struct fo_hist {
    uint64_t counts[FO_HIST_BUCKETS_COUNT]; /* Values per bucket. */
    uint64_t total_count;                   /* Values recorded. */
    uint64_t max_ns;                        /* Largest value recorded, exact. */
    uint64_t sum_ns;                        /* For the mean; saturates, never wraps. */
};

/* Empty the histogram. */
void fo_hist_init(struct fo_hist *hist);

/* Record one value in nanoseconds. */
void fo_hist_record(struct fo_hist *hist, uint64_t value_ns);

/* Add every value of `from` to `into`. */
void fo_hist_merge(struct fo_hist *into, const struct fo_hist *from);

/* The value at `per_mille` (0..1000) of the recorded values, in nanoseconds: the midpoint
 * of the bucket holding it, never above the exact maximum. 0 when the histogram is empty. */
uint64_t fo_hist_percentile_ns(const struct fo_hist *hist, uint32_t per_mille);

/* Mean of the recorded values in nanoseconds, 0 when empty. */
uint64_t fo_hist_mean_ns(const struct fo_hist *hist);

#endif
