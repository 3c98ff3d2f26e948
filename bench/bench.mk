# bench/bench.mk: how `make bench` builds its tools (included by the Makefile).
#
#   make bench-tools   build/bench/{loadgen,baseline,fsync_probe,report} (release flags)
#
# The tools are built from their sources in one step each (they are small) with the house
# warning flags; bench/run.sh asks for them before it runs anything.

BENCH_BUILD := $(BUILD)/bench
BENCH_CFLAGS = $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(WARN) $(RELEASE_FLAGS)
BENCH_HEADERS := $(wildcard bench/*.h) src/core/assert.h src/core/limits.h
BENCH_LOADGEN_SRC := bench/loadgen.c bench/engine.c bench/flows.c bench/wire.c bench/hist.c \
                     src/core/assert.c
BENCH_TOOLS := $(BENCH_BUILD)/loadgen $(BENCH_BUILD)/baseline $(BENCH_BUILD)/fsync_probe \
               $(BENCH_BUILD)/report

.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS)

$(BENCH_BUILD)/loadgen: $(BENCH_LOADGEN_SRC) $(BENCH_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_LOADGEN_SRC)

$(BENCH_BUILD)/baseline: bench/baseline.c src/core/assert.c $(BENCH_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/baseline.c src/core/assert.c \
	    $(shell pkg-config --libs libmicrohttpd) -lpthread $(MALLOC_LIBS)

$(BENCH_BUILD)/fsync_probe: bench/fsync_probe.c bench/hist.c src/core/assert.c $(BENCH_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/fsync_probe.c bench/hist.c src/core/assert.c

$(BENCH_BUILD)/report: bench/report.c src/core/assert.c $(BENCH_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/report.c src/core/assert.c $(shell pkg-config --libs jansson)
