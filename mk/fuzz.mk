# SPDX-License-Identifier: MIT
# mk/fuzz.mk — the libFuzzer targets of tests/fuzz/ and their plain replay.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="cookie jose"] [FUZZ_OPTS="-seed=1"]
#       Build every target with clang -fsanitize=fuzzer,address,undefined against
#       the library sources compiled the same way (into build/fuzz/, never into
#       lib/), then run each one for FUZZ_SECONDS seconds on its seed corpus.
#       New inputs go to build/fuzz/corpus-<target>/ (merge the interesting ones
#       into tests/fuzz/corpus/<target>/ by hand), crashes to
#       build/fuzz/artifacts-<target>/, the output to build/fuzz/<target>.log.
#       Fails when any target crashed.
#   make fuzz-build
#       Only build the libFuzzer binaries (build/fuzz/fuzz_<target>).
#   make fuzz-replay
#       Build a plain replay driver per target (tests/fuzz/replay.c, $(CC), no
#       libFuzzer, linked with $(LIB)) and run every file of every seed corpus and
#       of tests/fuzz/regressions/ through every target: one TAP line per target,
#       then "N passed, N failed" (files). tests/fuzz/replay.sh does the same for
#       the test runner.
#   FUZZ_DIR=… FUZZ_SAN=… on the command line build elsewhere with other sanitizer
#   flags (tests/fuzz/RESULTS.md shows a run with one check made non-fatal).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OPTS    ?=
FUZZ_DIR     := build/fuzz
# ASan + UBSan, every UB report fatal (libFuzzer then saves the input).
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# FUZZ_CFLAGS is the tunable part; the project's flags (NA_CPPFLAGS, NA_CFLAGS
# less -Werror: clang may warn where gcc, the -Werror gate, does not) always
# come first. No _FORTIFY_SOURCE: its wrappers hide accesses from ASan.
FUZZ_CFLAGS  ?= -g -O1 -fno-omit-frame-pointer
FUZZ_ALL_CPPFLAGS = $(NA_CPPFLAGS) -U_FORTIFY_SOURCE $(filter-out -D_FORTIFY_SOURCE%,$(CPPFLAGS))
FUZZ_ALL_CFLAGS   = $(filter-out -Werror,$(NA_CFLAGS)) $(FUZZ_CFLAGS)
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRCS))
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/replay-%)
# Per-target libFuzzer options (libFuzzer's default is the largest seed, at least
# 4096 bytes): the Cookie target must reach the 64 KiB header cap, the matcher
# target NA_PATH_MAX (8 KiB).
FUZZ_OPTS_cookie  := -max_len=70000
FUZZ_OPTS_matcher := -max_len=9000
rparen := )

.PHONY: fuzz fuzz-build fuzz-replay fuzz-replay-build fuzz-clean

$(FUZZ_DIR) $(FUZZ_DIR)/obj:
	mkdir -p $@

$(FUZZ_DIR)/obj/%.o: lib/%.c | $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_ALL_CPPFLAGS) $(FUZZ_ALL_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	    -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS) | $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_ALL_CPPFLAGS) $(FUZZ_ALL_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -MMD -MP \
	    -MT $@ -MF $@.d $(LDFLAGS) -o $@ $< $(FUZZ_LIB_OBJS) $(FCGI_LIBS) $(ALL_LDLIBS)

fuzz-build: $(FUZZ_BINS)

# One target after the other; a crash does not stop the others.
fuzz: fuzz-build
	@failed=; \
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus-$$t $(FUZZ_DIR)/artifacts-$$t; \
	    dict=; [ -f tests/fuzz/dict/$$t.dict ] && dict=-dict=tests/fuzz/dict/$$t.dict; \
	    extra=; case $$t in $(foreach x,$(FUZZ_TARGETS),$(x)$(rparen) extra="$(FUZZ_OPTS_$(x))";;) esac; \
	    dirs="$(FUZZ_DIR)/corpus-$$t tests/fuzz/corpus/$$t"; \
	    [ -d tests/fuzz/regressions/$$t ] && dirs="$$dirs tests/fuzz/regressions/$$t"; \
	    echo "fuzz $$t: $(FUZZ_SECONDS) s (log: $(FUZZ_DIR)/$$t.log)"; \
	    if $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts-$$t/ $$dict \
	        $$extra $(FUZZ_OPTS) $$dirs >$(FUZZ_DIR)/$$t.log 2>&1; then \
	        grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss' \
	            $(FUZZ_DIR)/$$t.log | sed 's/^/    /'; \
	    else \
	        tail -n 60 $(FUZZ_DIR)/$$t.log; \
	        echo "fuzz $$t: FAILED — input saved in $(FUZZ_DIR)/artifacts-$$t/"; \
	        failed="$$failed $$t"; \
	    fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed"; exit 1; fi; \
	echo "fuzz: no crash in $(FUZZ_TARGETS)"

# The replay drivers: the target's code as it is, plain $(CC) and the normal
# build's flags (a sanitizer build of the project adds its own in CFLAGS).
$(FUZZ_DIR)/replay.o: tests/fuzz/replay.c | $(FUZZ_DIR)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/replay-%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/replay.o $(LIB) | $(FUZZ_DIR)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -MT $@ -MF $@.d $(LDFLAGS) -o $@ $< \
	    $(FUZZ_DIR)/replay.o $(LIB) $(FCGI_LIBS) $(ALL_LDLIBS)

fuzz-replay-build: $(FUZZ_REPLAY_BINS)

fuzz-replay: fuzz-replay-build
	@tests/fuzz/replay.sh --no-build

fuzz-clean:
	rm -rf $(FUZZ_DIR)

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d) $(FUZZ_REPLAY_BINS:=.d)

# Keep the sanitizer objects (make would delete them as intermediates).
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_DIR)/replay.o
