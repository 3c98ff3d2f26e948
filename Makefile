# fairorder — the only build entry point. Outputs go to build/.
#
# Targets:
#   make            release build (-O2 -g, assertions always on): build/fairorder
#   make debug      AddressSanitizer + UndefinedBehaviorSanitizer build: build/debug/fairorder
#   make run        bootstrap, build, start the server on ./var/fairorder.db with demo data
#   make test       bootstrap the test tools, tidy, format check, then every suite, sanitized
#   make unit|store|api|web|faults   one suite (sanitized)
#   make bench      the benchmark of bench/ (release build)
#   make format     rewrite sources with .clang-format
#
# Variables:
#   CC              the C compiler (default cc, i.e. gcc 12 on Debian 12)
#   BOOTSTRAP=0     skip scripts/bootstrap (when you manage packages yourself)
#   FO_SEED=N       replay a seeded randomized test exactly
#
# Sources are collected by wildcard: a new src/**/*.c joins the binary, a new
# tests/unit/**/*_test.c or tests/store/*_test.c becomes its own test binary.

CC ?= cc
BUILD := build
DEBUG_BUILD := $(BUILD)/debug
BOOTSTRAP ?= 1

PKGS := libmicrohttpd jansson sqlite3 libsodium
WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -Werror
CPPFLAGS_ALL := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# The release build allocates through tcmalloc (gperftools): Debian's SQLite is built
# without its lookaside allocator, so every cursor, value and statement-journal chunk is a
# malloc, and glibc's cost 15 % of the writer's instructions (BENCH.md). The sanitized
# build keeps glibc's, which AddressSanitizer replaces anyway. MALLOC_LIBS= opts out.
MALLOC_LIBS ?= -Wl,--no-as-needed $(shell pkg-config --libs libtcmalloc_minimal 2>/dev/null) -Wl,--as-needed
RELEASE_FLAGS := -O2 -g -fno-omit-frame-pointer
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
DEBUG_FLAGS := -O1 -g $(SANITIZE)

SRC := $(sort $(shell find src -name '*.c'))
LIB_SRC := $(filter-out src/main.c,$(SRC))
HEADERS := $(shell find src -name '*.h')
SCHEMA := $(sort $(wildcard src/store/schema/*.sql))
WEB_FILES := $(sort $(shell find web -type f 2>/dev/null))

REL_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(SRC))
DBG_OBJ := $(patsubst %.c,$(DEBUG_BUILD)/obj/%.o,$(SRC))
REL_LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/generated/embedded.o
DBG_LIB_OBJ := $(patsubst %.c,$(DEBUG_BUILD)/obj/%.o,$(LIB_SRC)) \
               $(DEBUG_BUILD)/obj/generated/embedded.o

UNIT_TESTS_SRC := $(sort $(shell find tests/unit tests/store -name '*_test.c' 2>/dev/null))
UNIT_TESTS := $(patsubst %.c,$(DEBUG_BUILD)/%,$(UNIT_TESTS_SRC))
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))

.PHONY: all debug run test unit store api web faults sim bench tidy format format-check \
        bootstrap bootstrap-test clean help
.DEFAULT_GOAL := all

all: bootstrap $(BUILD)/fairorder
	@echo "built $(BUILD)/fairorder — next: 'make run' to start a demo server, 'make test' to test"

debug: bootstrap $(DEBUG_BUILD)/fairorder

help:
	@sed -n '1,/^$$/p' Makefile

bootstrap:
ifeq ($(BOOTSTRAP),1)
	@scripts/bootstrap build
endif

bootstrap-test:
ifeq ($(BOOTSTRAP),1)
	@scripts/bootstrap test
endif

# Static files (schema migrations, the web page) are compiled into the binary, so
# one file is all a deployment needs. The list of them is a prerequisite too (rewritten
# only when it changes), so that removing a file also regenerates the embedding.
EMBED_LIST := $(BUILD)/generated/embedded.list
$(shell mkdir -p $(BUILD)/generated && echo '$(SCHEMA) $(WEB_FILES)' | \
    cmp -s - $(EMBED_LIST) || echo '$(SCHEMA) $(WEB_FILES)' > $(EMBED_LIST))
$(BUILD)/generated/embedded.c: tools/embed.sh $(SCHEMA) $(WEB_FILES) $(EMBED_LIST)
	@mkdir -p $(dir $@)
	tools/embed.sh $@ $(SCHEMA) $(WEB_FILES)

$(BUILD)/obj/generated/embedded.o: $(BUILD)/generated/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(RELEASE_FLAGS) -std=c11 -c $< -o $@

$(DEBUG_BUILD)/obj/generated/embedded.o: $(BUILD)/generated/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(DEBUG_FLAGS) -std=c11 -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(WARN) $(RELEASE_FLAGS) -c $< -o $@

$(DEBUG_BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(PKG_CFLAGS) $(WARN) $(DEBUG_FLAGS) -c $< -o $@

$(BUILD)/fairorder: $(REL_LIB_OBJ) $(BUILD)/obj/src/main.o
	$(CC) $(RELEASE_FLAGS) -o $@ $^ $(PKG_LIBS) $(MALLOC_LIBS)

$(DEBUG_BUILD)/fairorder: $(DBG_LIB_OBJ) $(DEBUG_BUILD)/obj/src/main.o
	$(CC) $(DEBUG_FLAGS) -o $@ $^ $(PKG_LIBS)

$(DEBUG_BUILD)/tests/%_test: tests/%_test.c $(DBG_LIB_OBJ) $(TEST_SUPPORT_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests $(PKG_CFLAGS) $(WARN) $(DEBUG_FLAGS) -o $@ $< \
	    $(TEST_SUPPORT_SRC) $(DBG_LIB_OBJ) $(PKG_LIBS) -lcmocka

run: bootstrap $(BUILD)/fairorder
	@scripts/run

# The README's test command, and all that CI runs.
test: bootstrap-test
	@tools/test-all.sh

unit: bootstrap-test $(UNIT_TESTS)
	@tools/run-suite.sh unit $(UNIT_TESTS)

store: unit

api: bootstrap-test $(DEBUG_BUILD)/fairorder
	@python3 tests/api/run.py --binary $(DEBUG_BUILD)/fairorder

web: bootstrap-test $(DEBUG_BUILD)/fairorder
	@tests/web/run.sh $(DEBUG_BUILD)/fairorder

faults: bootstrap-test $(BUILD)/fairorder
	@python3 tests/faults/run.py --binary $(BUILD)/fairorder

sim: bootstrap-test $(UNIT_TESTS)
	@tools/run-suite.sh sim $(filter %sim_test,$(UNIT_TESTS))

bench: bootstrap $(BUILD)/fairorder
	@bench/run.sh

tidy:
	@tools/tidy.sh

format:
	clang-format -i $(SRC) $(HEADERS) $(UNIT_TESTS_SRC) $(TEST_SUPPORT_SRC) $(FORMAT_EXTRA)

FORMAT_EXTRA := $(sort $(wildcard fuzz/*.c fuzz/*.h bench/*.c bench/*.h))

format-check:
	@clang-format --dry-run -Werror $(SRC) $(HEADERS) $(UNIT_TESTS_SRC) $(TEST_SUPPORT_SRC) \
	    $(FORMAT_EXTRA) && echo "format: ok"

clean:
	rm -rf $(BUILD)

# Suites and tools may bring their own rules (bench/bench.mk, fuzz/fuzz.mk, ...).
-include $(wildcard bench/*.mk fuzz/*.mk tests/*/*.mk)
