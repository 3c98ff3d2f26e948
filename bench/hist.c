/* Log-linear latency histogram (see hist.h). Fixed memory: one array of counters, no
 * allocation; the bucket of a value is computed from its highest set bit. */
#include "hist.h"

#include <string.h>

#include "core/assert.h"

void fo_hist_init(struct fo_hist *hist)
{
    FO_ASSERT(hist != NULL);
    memset(hist, 0, sizeof *hist);
    FO_ASSERT(hist->total_count == 0);
}

static uint32_t hist_bucket_index(uint64_t value_ns)
{
    if (value_ns < FO_HIST_EXACT_COUNT) {
        return (uint32_t)value_ns;
    }
    uint32_t msb = 63U - (uint32_t)__builtin_clzll(value_ns);
    if (msb > FO_HIST_MSB_MAX) {
        return FO_HIST_BUCKETS_COUNT - 1;
    }
    uint32_t shift = msb - FO_HIST_SUB_BITS;
    uint32_t top = (uint32_t)(value_ns >> shift);
    FO_ASSERT(top >= FO_HIST_SUB_COUNT);
    FO_ASSERT(top < 2 * FO_HIST_SUB_COUNT);
    uint32_t index = FO_HIST_EXACT_COUNT + (msb - FO_HIST_SUB_BITS - 1) * FO_HIST_SUB_COUNT +
                     (top - FO_HIST_SUB_COUNT);
    FO_ASSERT(index < FO_HIST_BUCKETS_COUNT);
    return index;
}

/* The midpoint of a bucket, in nanoseconds. */
static uint64_t hist_bucket_mid_ns(uint32_t index)
{
    FO_ASSERT(index < FO_HIST_BUCKETS_COUNT);
    if (index < FO_HIST_EXACT_COUNT) {
        return index;
    }
    uint32_t offset = index - FO_HIST_EXACT_COUNT;
    uint32_t msb = FO_HIST_SUB_BITS + 1 + offset / FO_HIST_SUB_COUNT;
    uint64_t top = FO_HIST_SUB_COUNT + offset % FO_HIST_SUB_COUNT;
    uint32_t shift = msb - FO_HIST_SUB_BITS;
    uint64_t low_ns = top << shift;
    return low_ns + (UINT64_C(1) << shift) / 2;
}

void fo_hist_record(struct fo_hist *hist, uint64_t value_ns)
{
    FO_ASSERT(hist != NULL);
    hist->counts[hist_bucket_index(value_ns)]++;
    hist->total_count++;
    if (value_ns > hist->max_ns) {
        hist->max_ns = value_ns;
    }
    hist->sum_ns = (hist->sum_ns > UINT64_MAX - value_ns) ? UINT64_MAX : hist->sum_ns + value_ns;
}

void fo_hist_merge(struct fo_hist *into, const struct fo_hist *from)
{
    FO_ASSERT(into != NULL);
    FO_ASSERT(from != NULL);
    for (uint32_t index = 0; index < FO_HIST_BUCKETS_COUNT; index++) {
        into->counts[index] += from->counts[index];
    }
    into->total_count += from->total_count;
    if (from->max_ns > into->max_ns) {
        into->max_ns = from->max_ns;
    }
    into->sum_ns =
        (into->sum_ns > UINT64_MAX - from->sum_ns) ? UINT64_MAX : into->sum_ns + from->sum_ns;
}

uint64_t fo_hist_percentile_ns(const struct fo_hist *hist, uint32_t per_mille)
{
    FO_ASSERT(hist != NULL);
    FO_ASSERT(per_mille <= 1000);
    if (hist->total_count == 0) {
        return 0;
    }
    /* The rank of the wanted value, 1-based, rounded up: p99 of 100 values is the 99th. */
    uint64_t rank = (hist->total_count * per_mille + 999) / 1000;
    if (rank == 0) {
        rank = 1;
    }
    uint64_t seen_count = 0;
    for (uint32_t index = 0; index < FO_HIST_BUCKETS_COUNT; index++) {
        seen_count += hist->counts[index];
        if (seen_count >= rank) {
            uint64_t mid_ns = hist_bucket_mid_ns(index);
            return mid_ns < hist->max_ns ? mid_ns : hist->max_ns;
        }
    }
    return hist->max_ns;
}

uint64_t fo_hist_mean_ns(const struct fo_hist *hist)
{
    FO_ASSERT(hist != NULL);
    return hist->total_count == 0 ? 0 : hist->sum_ns / hist->total_count;
}
