# fuzz/fuzz.mk — libFuzzer drivers (STYLE.md §9, fuzz/README.md); included by the Makefile.
#
# Targets:
#   make fuzz            build, then run each driver for FUZZ_SECONDS (default 60) on a copy of
#                        its committed corpus under build/fuzz/corpus/; fails on any crash
#   make fuzz-regress    run each driver once over every committed input (make test does this)
#   make fuzz-build      build build/fuzz/decode_fuzz and build/fuzz/core_fuzz only
#
# Variables:
#   FUZZ_CC         a clang with libFuzzer (default clang: Debian's clang 14 with
#                   libclang-rt-14-dev)
#   FUZZ_SECONDS=N  seconds per driver for make fuzz
#
# The drivers link only what they exercise: src/core/*.c, plus src/http/decode.c (with
# libmicrohttpd and jansson) for decode_fuzz. Every object is built with the house warning
# flags, AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage, under
# build/fuzz/obj/.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_PKGS := libmicrohttpd jansson
FUZZ_PKG_CFLAGS = $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_PKG_LIBS = $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null)
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
FUZZ_FLAGS := -O1 -g $(FUZZ_SANITIZE)

FUZZ_CORE_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(sort $(wildcard src/core/*.c)))
FUZZ_DECODE_OBJ := $(FUZZ_CORE_OBJ) $(FUZZ_BUILD)/obj/src/http/decode.o
FUZZ_DRIVERS := $(FUZZ_BUILD)/decode_fuzz $(FUZZ_BUILD)/core_fuzz

.PHONY: fuzz fuzz-build fuzz-regress

fuzz-build: $(FUZZ_DRIVERS)

fuzz: $(FUZZ_DRIVERS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh fuzz $(FUZZ_BUILD)

fuzz-regress: $(FUZZ_DRIVERS)
	@fuzz/run.sh regress $(FUZZ_BUILD)

$(FUZZ_BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_PKG_CFLAGS) $(WARN) $(FUZZ_FLAGS) \
	    -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/decode_fuzz: $(FUZZ_BUILD)/obj/fuzz/decode_fuzz.o $(FUZZ_DECODE_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(FUZZ_PKG_LIBS)

$(FUZZ_BUILD)/core_fuzz: $(FUZZ_BUILD)/obj/fuzz/core_fuzz.o $(FUZZ_CORE_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^
