/* The report of `make bench`: the runs' JSON lines in, a table, build/bench.json and a
 * Markdown summary out.
 *
 * run.sh appends to each line of the load generator what only it knows: the group of the
 * run (scenarios, connections, growth), its target (baseline or server), the orders in
 * the database when it started, the server's memory and CPU. This program pairs each server
 * run with the baseline runs just before and after it at the same connection count (the
 * same generator, the same connections, moments apart), reports every throughput as a ratio
 * to their mean as well as absolutely, because shared machines are noisy, and checks the
 * targets of issue 6.
 *
 *   report RUNS.jsonl META.json OUT.json OUT.md   prints the table on standard output. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/assert.h"

#define REPORT_LINE_BYTES 256
/* Runs a ratio target may be the median of (the scenario run and its repeats). */
#define REPORT_REPEATS_MAX 8

struct report {
    json_t *runs; /* Array of run objects, with ratios added. */
    json_t *meta; /* Machine, date, command, fsync probe. */
    json_t *targets;
};

static double report_number(const json_t *object, const char *path_first, const char *second)
{
    const json_t *value = json_object_get(object, path_first);
    if (second != NULL) {
        value = json_object_get(value, second);
    }
    return json_is_number(value) ? json_number_value(value) : 0.0;
}

static const char *report_text(const json_t *object, const char *key)
{
    const char *text = json_string_value(json_object_get(object, key));
    return text != NULL ? text : "";
}

static bool report_is_baseline_for(const json_t *candidate, const json_t *run)
{
    return strcmp(report_text(candidate, "target"), "baseline") == 0 &&
           strcmp(report_text(candidate, "group"), report_text(run, "group")) == 0 &&
           json_integer_value(json_object_get(candidate, "connections")) ==
               json_integer_value(json_object_get(run, "connections"));
}

/* The nearest baseline run of the same group and connections before (step -1) or after
 * (step +1) the run at `index`: run.sh brackets server runs with baseline runs. */
static const json_t *report_baseline_near(const struct report *report, size_t index, int step)
{
    const json_t *run = json_array_get(report->runs, index);
    size_t count = json_array_size(report->runs);
    for (size_t other = index + (size_t)step; other < count; other += (size_t)step) {
        const json_t *candidate = json_array_get(report->runs, other);
        /* A baseline run without answers (its server had gone) is no measure. */
        if (report_is_baseline_for(candidate, run) &&
            report_number(candidate, "requests_per_s", NULL) > 0) {
            return candidate;
        }
    }
    return NULL;
}

/* Add baseline_requests_per_s (the mean of the baselines around it), ratio and the
 * baseline's CPU per answer to each server run. */
static void report_pair(struct report *report, size_t index)
{
    json_t *run = json_array_get(report->runs, index);
    const json_t *before = report_baseline_near(report, index, -1);
    const json_t *after = report_baseline_near(report, index, +1);
    size_t found_count = (before != NULL ? 1U : 0U) + (after != NULL ? 1U : 0U);
    if (found_count == 0) {
        return;
    }
    double rps = (report_number(before, "requests_per_s", NULL) +
                  report_number(after, "requests_per_s", NULL)) /
                 (double)found_count;
    double cpu_us = (report_number(before, "cpu_us_per_answer", NULL) +
                     report_number(after, "cpu_us_per_answer", NULL)) /
                    (double)found_count;
    if (rps <= 0) {
        return;
    }
    json_object_set_new(run, "baseline_requests_per_s", json_real(rps));
    json_object_set_new(run, "baseline_runs", json_integer((json_int_t)found_count));
    json_object_set_new(run, "ratio", json_real(report_number(run, "requests_per_s", NULL) / rps));
    json_object_set_new(run, "baseline_cpu_us_per_answer", json_real(cpu_us));
}

static bool report_load_runs(struct report *report, const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "report: cannot read %s\n", path);
        return false;
    }
    report->runs = json_array();
    char line[16 * 1024];
    for (int lines_count = 0; lines_count < 10000 && fgets(line, sizeof line, file) != NULL;
         lines_count++) {
        json_error_t error;
        json_t *run = json_loads(line, 0, &error);
        if (!json_is_object(run)) {
            fprintf(stderr, "report: %s:%d: %s\n", path, lines_count + 1, error.text);
            json_decref(run);
            continue;
        }
        json_array_append_new(report->runs, run);
    }
    fclose(file);
    for (size_t index = 0; index < json_array_size(report->runs); index++) {
        const json_t *run = json_array_get(report->runs, index);
        if (strcmp(report_text(run, "target"), "server") == 0) {
            report_pair(report, index);
        }
    }
    return json_array_size(report->runs) > 0;
}

/* The first run of `group` whose scenario (and connections, if > 0) match, or NULL. */
static const json_t *report_find(const struct report *report, const char *group,
                                 const char *scenario, json_int_t connections, bool last)
{
    const json_t *found = NULL;
    size_t index = 0;
    const json_t *run = NULL;
    json_array_foreach(report->runs, index, run)
    {
        bool match = strcmp(report_text(run, "group"), group) == 0 &&
                     strcmp(report_text(run, "target"), "server") == 0 &&
                     strcmp(report_text(run, "scenario"), scenario) == 0 &&
                     (connections == 0 ||
                      json_integer_value(json_object_get(run, "connections")) == connections);
        if (match) {
            found = run;
            if (!last) {
                break;
            }
        }
    }
    return found;
}

static void report_target(struct report *report, const char *name, const char *value, int met,
                          const char *detail)
{
    json_t *target = json_object();
    json_object_set_new(target, "name", json_string(name));
    json_object_set_new(target, "value", json_string(value));
    json_object_set_new(target, "met", met < 0 ? json_null() : json_boolean(met));
    json_object_set_new(target, "detail", json_string(detail));
    json_array_append_new(report->targets, target);
}

/* The server runs of `scenario` at 64 connections in the scenario group and its repeats,
 * in run order (at most `max`). */
static size_t report_ratio_runs(const struct report *report, const char *scenario,
                                const json_t **out, size_t max)
{
    size_t count = 0;
    size_t index = 0;
    const json_t *run = NULL;
    json_array_foreach(report->runs, index, run)
    {
        const char *group = report_text(run, "group");
        bool match = (strcmp(group, "scenarios") == 0 || strcmp(group, "repeat") == 0) &&
                     strcmp(report_text(run, "target"), "server") == 0 &&
                     strcmp(report_text(run, "scenario"), scenario) == 0 &&
                     json_integer_value(json_object_get(run, "connections")) == 64 &&
                     report_number(run, "ratio", NULL) > 0;
        if (match && count < max) {
            out[count++] = run;
        }
    }
    return count;
}

/* The run with the median ratio (the lower middle of an even count). */
static const json_t *report_median_run(const json_t **runs, size_t count)
{
    const json_t *sorted[REPORT_REPEATS_MAX];
    for (size_t index = 0; index < count; index++) {
        size_t at = index;
        while (at > 0 && report_number(sorted[at - 1], "ratio", NULL) >
                             report_number(runs[index], "ratio", NULL)) {
            sorted[at] = sorted[at - 1];
            at--;
        }
        sorted[at] = runs[index];
    }
    return sorted[(count - 1) / 2];
}

static void report_target_ratio(struct report *report, const char *scenario, double bar)
{
    char name[REPORT_LINE_BYTES];
    char value[REPORT_LINE_BYTES] = "not measured";
    char detail[REPORT_LINE_BYTES] = "";
    snprintf(name, sizeof name,
             "%s: requests/s >= %.0f %% of baseline (64 connections, median of the runs)", scenario,
             bar * 100);
    const json_t *runs[REPORT_REPEATS_MAX];
    size_t count = report_ratio_runs(report, scenario, runs, REPORT_REPEATS_MAX);
    if (count == 0) {
        report_target(report, name, value, -1, detail);
        return;
    }
    const json_t *run = report_median_run(runs, count);
    double ratio = report_number(run, "ratio", NULL);
    snprintf(value, sizeof value, "%.1f %%", ratio * 100);
    size_t used = (size_t)snprintf(detail, sizeof detail, "runs:");
    for (size_t index = 0; index < count && used < sizeof detail; index++) {
        used += (size_t)snprintf(detail + used, sizeof detail - used, " %.1f %%",
                                 report_number(runs[index], "ratio", NULL) * 100);
    }
    if (used < sizeof detail) {
        snprintf(detail + used, sizeof detail - used,
                 "; the median: %.0f requests/s against %.0f for the baseline; server CPU "
                 "%.1f us per answer against %.1f",
                 report_number(run, "requests_per_s", NULL),
                 report_number(run, "baseline_requests_per_s", NULL),
                 report_number(run, "cpu_us_per_answer", NULL),
                 report_number(run, "baseline_cpu_us_per_answer", NULL));
    }
    report_target(report, name, value, ratio >= bar, detail);
}

/* The worst write p99 of the server's scenario runs at 64 connections. */
static void report_target_write_p99(struct report *report)
{
    const char *name = "p99 latency of a write < 10 ms at 64 connections";
    double worst_us = -1;
    const char *worst_scenario = "";
    size_t index = 0;
    const json_t *run = NULL;
    json_array_foreach(report->runs, index, run)
    {
        bool eligible = strcmp(report_text(run, "group"), "scenarios") == 0 &&
                        strcmp(report_text(run, "target"), "server") == 0 &&
                        json_integer_value(json_object_get(run, "connections")) == 64 &&
                        report_number(run, "write_latency_us", "count") > 0;
        double p99_us = report_number(run, "write_latency_us", "p99");
        if (eligible && p99_us > worst_us) {
            worst_us = p99_us;
            worst_scenario = report_text(run, "scenario");
        }
    }
    char value[REPORT_LINE_BYTES] = "not measured";
    char detail[REPORT_LINE_BYTES] = "";
    if (worst_us >= 0) {
        snprintf(value, sizeof value, "%.2f ms", worst_us / 1000);
        snprintf(detail, sizeof detail, "worst of the scenarios: %s; disk fdatasync p50 %.0f us",
                 worst_scenario,
                 report_number(json_object_get(report->meta, "fsync"), "fdatasync_us", "p50"));
    }
    report_target(report, name, value, worst_us < 0 ? -1 : worst_us < 10000, detail);
}

/* The growth run of `scenario` with the median ratio among those at size `step` (NULL if
 * none); *out_max_step is the largest step seen. */
static const json_t *report_growth_median(const struct report *report, const char *scenario,
                                          json_int_t step, json_int_t *out_max_step)
{
    const json_t *runs[REPORT_REPEATS_MAX];
    size_t count = 0;
    size_t index = 0;
    const json_t *run = NULL;
    *out_max_step = -1;
    json_array_foreach(report->runs, index, run)
    {
        bool match = strcmp(report_text(run, "group"), "growth") == 0 &&
                     strcmp(report_text(run, "target"), "server") == 0 &&
                     strcmp(report_text(run, "scenario"), scenario) == 0 &&
                     report_number(run, "ratio", NULL) > 0;
        if (!match) {
            continue;
        }
        json_int_t run_step = json_integer_value(json_object_get(run, "step"));
        if (run_step > *out_max_step) {
            *out_max_step = run_step;
        }
        if (run_step == step && count < REPORT_REPEATS_MAX) {
            runs[count++] = run;
        }
    }
    return count > 0 ? report_median_run(runs, count) : NULL;
}

/* Throughput at the largest database against the smallest, each the median of its size's
 * runs as a ratio to its own baselines (the machine's speed drifts between sizes). */
static void report_target_growth(struct report *report, const char *scenario)
{
    char name[REPORT_LINE_BYTES];
    char value[REPORT_LINE_BYTES] = "not measured";
    char detail[REPORT_LINE_BYTES] = "";
    snprintf(name, sizeof name,
             "growth: %s throughput at the largest size >= 90 %% of the smallest (medians)",
             scenario);
    json_int_t max_step = -1;
    const json_t *small = report_growth_median(report, scenario, 0, &max_step);
    const json_t *large =
        max_step > 0 ? report_growth_median(report, scenario, max_step, &max_step) : NULL;
    double small_ratio = report_number(small, "ratio", NULL);
    double large_ratio = report_number(large, "ratio", NULL);
    if (small == NULL || large == NULL || small_ratio <= 0) {
        report_target(report, name, value, -1, detail);
        return;
    }
    double relative = large_ratio / small_ratio;
    double small_rps = report_number(small, "requests_per_s", NULL);
    double absolute = small_rps > 0 ? report_number(large, "requests_per_s", NULL) / small_rps : 0;
    snprintf(value, sizeof value, "%.1f %%", relative * 100);
    snprintf(detail, sizeof detail,
             "%.0f orders vs %.0f: ratio to baseline %.3f vs %.3f; absolute %.1f %%; server "
             "CPU %.1f vs %.1f us per answer",
             report_number(large, "size", NULL), report_number(small, "size", NULL), large_ratio,
             small_ratio, absolute * 100, report_number(large, "cpu_us_per_answer", NULL),
             report_number(small, "cpu_us_per_answer", NULL));
    report_target(report, name, value, relative >= 0.90, detail);
}

/* Peak RSS while measuring at the largest size against the smallest. */
static void report_target_rss(struct report *report)
{
    const char *name = "growth: server peak RSS at the largest size within 20 % of the smallest";
    char value[REPORT_LINE_BYTES] = "not measured";
    char detail[REPORT_LINE_BYTES] = "";
    const json_t *small = report_find(report, "growth", "cancel", 0, false);
    const json_t *large = report_find(report, "growth", "cancel", 0, true);
    double small_kb = report_number(small, "rss_hwm_kb", NULL);
    double large_kb = report_number(large, "rss_hwm_kb", NULL);
    if (small == NULL || large == NULL || small == large || small_kb <= 0) {
        report_target(report, name, value, -1, detail);
        return;
    }
    double relative = large_kb / small_kb;
    snprintf(value, sizeof value, "%+.1f %%", (relative - 1) * 100);
    snprintf(detail, sizeof detail, "%.1f MiB at %.0f orders vs %.1f MiB at %.0f", large_kb / 1024,
             report_number(large, "size", NULL), small_kb / 1024,
             report_number(small, "size", NULL));
    report_target(report, name, value, relative <= 1.20, detail);
}

static void report_targets(struct report *report)
{
    report->targets = json_array();
    report_target_ratio(report, "cancel", 0.30);
    report_target_ratio(report, "read", 0.70);
    report_target_write_p99(report);
    report_target_growth(report, "cancel");
    report_target_growth(report, "read");
    report_target_rss(report);
}

#define REPORT_COLUMNS_COUNT 14

struct report_row {
    char cells[REPORT_COLUMNS_COUNT][32];
};

static const char *const report_headings[REPORT_COLUMNS_COUNT] = {
    "group",  "scenario", "conns",        "orders", "req/s",   "wf/s",   "ratio",
    "p50 ms", "p99 ms",   "write p99 ms", "errors", "RSS MiB", "DB MiB", "CPU us/ans"};

/* A number with `decimals` decimals, or "-" when it is not there. */
static void report_cell(char *cell, size_t cell_bytes, double value, int decimals, bool present)
{
    if (!present) {
        snprintf(cell, cell_bytes, "-");
        return;
    }
    snprintf(cell, cell_bytes, "%.*f", decimals, value);
}

static void report_row_fill(const json_t *run, struct report_row *out)
{
    memset(out, 0, sizeof *out);
    bool server = strcmp(report_text(run, "target"), "server") == 0;
    size_t bytes = sizeof out->cells[0];
    snprintf(out->cells[0], bytes, "%s", report_text(run, "group"));
    snprintf(out->cells[1], bytes, "%s", report_text(run, "scenario"));
    report_cell(out->cells[2], bytes, report_number(run, "connections", NULL), 0, true);
    report_cell(out->cells[3], bytes, report_number(run, "size", NULL), 0, server);
    report_cell(out->cells[4], bytes, report_number(run, "requests_per_s", NULL), 0, true);
    report_cell(out->cells[5], bytes, report_number(run, "workflows_per_s", NULL), 0, true);
    double ratio = report_number(run, "ratio", NULL);
    report_cell(out->cells[6], bytes, ratio, 3, server && ratio > 0);
    report_cell(out->cells[7], bytes, report_number(run, "latency_us", "p50") / 1000, 2, true);
    report_cell(out->cells[8], bytes, report_number(run, "latency_us", "p99") / 1000, 2, true);
    bool writes = report_number(run, "write_latency_us", "count") > 0;
    report_cell(out->cells[9], bytes, report_number(run, "write_latency_us", "p99") / 1000, 2,
                writes);
    double errors = report_number(run, "errors_total", NULL) +
                    report_number(run, "transport_errors", NULL) +
                    report_number(run, "timeouts", NULL);
    report_cell(out->cells[10], bytes, errors, 0, true);
    double rss_kb = report_number(run, "rss_hwm_kb", NULL);
    report_cell(out->cells[11], bytes, rss_kb / 1024, 1, rss_kb > 0);
    double db_bytes = report_number(run, "db_bytes", NULL);
    report_cell(out->cells[12], bytes, db_bytes / 1048576, 1, db_bytes > 0);
    double cpu_us = report_number(run, "cpu_us_per_answer", NULL);
    report_cell(out->cells[13], bytes, cpu_us, 1, cpu_us > 0);
}

static void report_print_row(FILE *out, const char *const cells[REPORT_COLUMNS_COUNT],
                             bool markdown)
{
    static const int widths[REPORT_COLUMNS_COUNT] = {-11, -10, 5,  8, 8, 8, 6,
                                                     7,   7,   12, 6, 7, 6, 10};
    for (int index = 0; index < REPORT_COLUMNS_COUNT; index++) {
        if (markdown) {
            fprintf(out, "| %s ", cells[index]);
        } else {
            fprintf(out, "%*s ", widths[index], cells[index]);
        }
    }
    fprintf(out, markdown ? "|\n" : "\n");
}

static void report_print_table(const struct report *report, FILE *out, bool markdown)
{
    report_print_row(out, report_headings, markdown);
    if (markdown) {
        fprintf(out, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    }
    size_t index = 0;
    const json_t *run = NULL;
    json_array_foreach(report->runs, index, run)
    {
        struct report_row row;
        report_row_fill(run, &row);
        const char *cells[REPORT_COLUMNS_COUNT];
        for (int cell = 0; cell < REPORT_COLUMNS_COUNT; cell++) {
            cells[cell] = row.cells[cell];
        }
        report_print_row(out, cells, markdown);
    }
}

static void report_print_targets(const struct report *report, FILE *out, bool markdown)
{
    size_t index = 0;
    const json_t *target = NULL;
    json_array_foreach(report->targets, index, target)
    {
        const json_t *met = json_object_get(target, "met");
        const char *verdict = json_is_null(met)   ? "not measured"
                              : json_is_true(met) ? "met"
                                                  : "NOT MET";
        fprintf(out, markdown ? "| %s | %s | **%s** | %s |\n" : "  %s: %s — %s (%s)\n",
                report_text(target, "name"), report_text(target, "value"), verdict,
                report_text(target, "detail"));
    }
}

/* Date, machine, command and disk, for BENCH.md. */
static void report_print_header(const struct report *report, FILE *out)
{
    const json_t *machine = json_object_get(report->meta, "machine");
    const json_t *fsync = json_object_get(report->meta, "fsync");
    fprintf(out,
            "- date: %s (commit %s)\n- machine: %.0f cores (%s), %.1f GiB memory, Linux %s\n"
            "- command: `%s` (windows of %.0f s after %.0f s of warm-up; %.0f s in all)\n"
            "- disk: 4 KiB append + fdatasync p50 %.0f us, p99 %.0f us; + fsync p50 %.0f us\n"
            "- afterwards, `fairorder verify`: %s\n\n",
            report_text(report->meta, "date"), report_text(report->meta, "commit"),
            report_number(machine, "cores", NULL), report_text(machine, "cpu"),
            report_number(machine, "memory_kb", NULL) / 1048576, report_text(machine, "kernel"),
            report_text(report->meta, "command"), report_number(report->meta, "duration_s", NULL),
            report_number(report->meta, "warmup_s", NULL),
            report_number(report->meta, "elapsed_s", NULL),
            report_number(fsync, "fdatasync_us", "p50"),
            report_number(fsync, "fdatasync_us", "p99"), report_number(fsync, "fsync_us", "p50"),
            report_text(report->meta, "verify"));
}

static bool report_write(const struct report *report, const char *json_path,
                         const char *markdown_path)
{
    json_t *all = json_deep_copy(report->meta);
    json_object_set(all, "runs", report->runs);
    json_object_set(all, "targets", report->targets);
    int dumped = json_dump_file(all, json_path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(all);
    FILE *markdown = fopen(markdown_path, "w");
    if (dumped != 0 || markdown == NULL) {
        fprintf(stderr, "report: cannot write %s or %s\n", json_path, markdown_path);
        if (markdown != NULL) {
            fclose(markdown);
        }
        return false;
    }
    report_print_header(report, markdown);
    report_print_table(report, markdown, true);
    fprintf(markdown, "\n| target | measured | verdict | detail |\n|---|--:|---|---|\n");
    report_print_targets(report, markdown, true);
    return fclose(markdown) == 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: report RUNS.jsonl META.json OUT.json OUT.md\n");
        return 2;
    }
    static struct report report;
    json_error_t error;
    report.meta = json_load_file(argv[2], 0, &error);
    if (!json_is_object(report.meta)) {
        fprintf(stderr, "report: %s: %s\n", argv[2], error.text);
        return 1;
    }
    if (!report_load_runs(&report, argv[1])) {
        fprintf(stderr, "report: no runs in %s\n", argv[1]);
        return 1;
    }
    report_targets(&report);
    report_print_table(&report, stdout, false);
    printf("\ntargets (issue 6):\n");
    report_print_targets(&report, stdout, false);
    bool written = report_write(&report, argv[3], argv[4]);
    json_decref(report.runs);
    json_decref(report.targets);
    json_decref(report.meta);
    return written ? 0 : 1;
}
