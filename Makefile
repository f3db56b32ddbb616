# kmharness build.
#
# Two worlds are built from one tree:
#  - build/kmharness.exe.so: the winelib program (winegcc) that runs inside a
#    Wine prefix and calls the real Win32 registry and version APIs;
#    build/kmharness is the launcher script that sets up the private prefix.
#  - build/native/: the pure logic (parsers, splitter, redaction, message
#    table, storage) compiled natively with ASan+UBSan for the unit tests and
#    the fuzzers. Pure files must never include <windows.h>.
#  - build/kmharness-native: the commands that need no Wine (help, report,
#    merge, a run's checks before the prefix), pure files + db/, plain cc.
#
# Folders, each depending only on those below it:
#   harness/  the command line, the runner, the Win32 scenario applier
#   reg/      the .reg language and scenario directives (pure)
#   emu/      the emulated Windows side: probe, Kmserver.exe, the fix
#   db/       SQLite storage and reports
#   common/   text encodings, input errors, registry value types, growable arrays (pure)

CC_NATIVE  ?= clang
WINEGCC    ?= winegcc
WINEBUILD  ?= /usr/lib/wine/winebuild
BUILD      := build
VERSION    := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Pure logic: no Win32, builds natively too.
PURE_SRCS := common/text.c common/regtypes.c common/grow.c reg/regparse.c reg/scenario.c harness/redact.c harness/remedy_rules.c \
             harness/scenario_list.c harness/options.c harness/help.c \
             emu/winpath.c emu/imagepath.c emu/split.c emu/winerror_text.c emu/verblob.c emu/keep.c \
             emu/era.c emu/service_state.c emu/scm_search.c \
             $(wildcard emu/shape.c harness/generate.c)
# SQLite storage and reports: plain C + libsqlite3, also builds natively.
# The harness's own files that write runs through db/ are here too (not in
# PURE_SRCS, which the fuzzers link without SQLite).
DB_SRCS   := db/store.c db/report.c db/export.c db/diff.c db/merge.c harness/output.c \
             harness/run_options.c harness/run_jobs.c
# The commands that need no Wine (help, report, merge, the checks before a
# run): build/kmharness-native, a plain Linux program.
HOST_CMDS := harness/native_main.c harness/cmd_report.c harness/cmd_merge.c
# Win32 side: only ever built with winegcc.
WIN_SRCS  := $(filter-out $(PURE_SRCS) $(DB_SRCS) $(HOST_CMDS), $(wildcard harness/*.c emu/*.c))
GEN_SRCS  := $(BUILD)/gen/kmserver_template.c $(BUILD)/gen/schema_sql.c \
             $(BUILD)/gen/kms_server_image.c $(BUILD)/gen/kms_decoy_image.c

WARN      := -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration
CFLAGS    ?= -O2 -g
COMMON    := -std=gnu11 $(WARN) -Icommon -Ireg -Iharness -Iemu -Idb -I$(BUILD)/gen -DKMH_VERSION='"$(VERSION)"'
WINFLAGS  := $(CFLAGS) $(COMMON) -mconsole -municode
WINLIBS   := -ladvapi32 -lversion -lkernel32 $(shell pkg-config --libs sqlite3)
SANFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
NATFLAGS  := $(SANFLAGS) $(COMMON)

WIN_OBJS  := $(patsubst %.c,$(BUILD)/win/%.o,$(PURE_SRCS) $(DB_SRCS) $(WIN_SRCS)) \
             $(patsubst $(BUILD)/gen/%.c,$(BUILD)/win/gen/%.o,$(GEN_SRCS))
# Everything but the command line, for the Wine tests to link against.
LIB_OBJS  := $(filter-out $(BUILD)/win/harness/main.o $(BUILD)/win/harness/cmd_%.o,$(WIN_OBJS))
NAT_OBJS  := $(patsubst %.c,$(BUILD)/native/%.o,$(PURE_SRCS) $(DB_SRCS)) $(BUILD)/native/gen/schema_sql.o
HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(PURE_SRCS) $(DB_SRCS) $(HOST_CMDS)) \
             $(BUILD)/host/gen/schema_sql.o

UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
WINE_TESTS  := $(patsubst tests/wine/%.c,$(BUILD)/tests/wine/%.exe.so,$(wildcard tests/wine/test_*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(wildcard tests/integration/test_*.c))

.SECONDARY:
.PHONY: all check check-unit check-wine check-integration check-shards check-examples clean setup run bench bench-100k bench-big
all: $(BUILD)/kmharness $(BUILD)/kmharness.exe.so $(BUILD)/kmharness-native

$(BUILD)/kmharness: harness/kmharness.sh
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

$(BUILD)/kmharness.exe.so: $(WIN_OBJS)
	$(WINEGCC) $(WINFLAGS) -o $(BUILD)/kmharness.exe $^ $(WINLIBS)

$(BUILD)/kmharness-native: $(HOST_OBJS)
	$(CC) -o $@ $^ $(shell pkg-config --libs sqlite3)

$(BUILD)/host/%.o: %.c $(wildcard common/*.h reg/*.h harness/*.h emu/*.h db/*.h) | $(GEN_SRCS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(COMMON) -c -o $@ $<

$(BUILD)/host/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(COMMON) -c -o $@ $<

$(BUILD)/win/%.o: %.c $(wildcard common/*.h reg/*.h harness/*.h emu/*.h db/*.h) | $(GEN_SRCS)
	@mkdir -p $(@D)
	$(WINEGCC) $(WINFLAGS) -c -o $@ $<

$(BUILD)/win/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(WINEGCC) $(WINFLAGS) -c -o $@ $<

$(BUILD)/native/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC_NATIVE) $(NATFLAGS) -c -o $@ $<

$(BUILD)/native/%.o: %.c $(wildcard common/*.h reg/*.h harness/*.h emu/*.h db/*.h) | $(GEN_SRCS)
	@mkdir -p $(@D)
	$(CC_NATIVE) $(NATFLAGS) -c -o $@ $<

# The emulated Kmserver.exe template: a real PE32+ with no resources, made by
# winebuild; the harness adds the VERSIONINFO it needs with UpdateResourceW.
$(BUILD)/Kmserver-noversion.exe:
	@mkdir -p $(@D)
	$(WINEBUILD) -b x86_64-w64-mingw32 --exe --fake-module -F Kmserver.exe \
	    --subsystem console -o $@

# The programs that really run under Wine's service manager (emu/kms/): the
# emulated Kmserver.exe service and the decoy, real PEs from the mingw-w64
# cross compiler.  No resources (the harness stamps the VERSIONINFO into a
# copy), the C runtime Wine ships (msvcrt.dll) and no other DLL than the
# system's: -static-libgcc; small: -Os -s.
MINGW_CC  ?= x86_64-w64-mingw32-gcc
PE_FLAGS  := -std=gnu11 $(WARN) -Os -s -municode -static-libgcc
$(BUILD)/pe/Kmserver-service.exe: emu/kms/kmserver_svc.c emu/kms/kms_client.c emu/kms/kms_client.h emu/kms_protocol.h
	@mkdir -p $(@D)
	$(MINGW_CC) $(PE_FLAGS) -o $@ emu/kms/kmserver_svc.c emu/kms/kms_client.c -ladvapi32
$(BUILD)/pe/decoy.exe: emu/kms/decoy.c emu/kms/kms_client.c emu/kms/kms_client.h emu/kms_protocol.h
	@mkdir -p $(@D)
	$(MINGW_CC) $(PE_FLAGS) -o $@ emu/kms/decoy.c emu/kms/kms_client.c -ladvapi32

# embed NAME: turn the prerequisite into `const unsigned char NAME[]` (with a
# NUL appended, so text can be used as a C string) and NAME_len (without it).
define embed
	@mkdir -p $(@D)
	{ echo 'const unsigned char $(1)[] = {'; od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0 };'; echo 'const unsigned long $(1)_len = sizeof $(1) - 1;'; } > $@
endef
$(BUILD)/gen/kmserver_template.c: $(BUILD)/Kmserver-noversion.exe
	$(call embed,kmserver_template)
$(BUILD)/gen/schema_sql.c: db/schema.sql
	$(call embed,schema_sql)
$(BUILD)/gen/kms_server_image.c: $(BUILD)/pe/Kmserver-service.exe
	$(call embed,kms_server_image)
$(BUILD)/gen/kms_decoy_image.c: $(BUILD)/pe/decoy.exe
	$(call embed,kms_decoy_image)

# Unit tests: pure logic, native, under ASan+UBSan.
$(BUILD)/tests/unit/%: tests/unit/%.c $(NAT_OBJS)
	@mkdir -p $(@D)
	$(CC_NATIVE) $(NATFLAGS) -o $@ $^ -lcmocka $(shell pkg-config --libs sqlite3)

# Wine tests: small focused checks of the real APIs, in the test prefix.
$(BUILD)/tests/wine/%.exe.so: tests/wine/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(WINEGCC) $(WINFLAGS) -D_UINTPTR_T_DEFINED -o $(BUILD)/tests/wine/$*.exe $^ $(WINLIBS) -lcmocka

# Integration tests: native programs that drive build/kmharness end to end.
$(BUILD)/tests/integration/%: tests/integration/%.c tests/integration/support.h
	@mkdir -p $(@D)
	$(CC) -O1 -g $(COMMON) -o $@ $< -lcmocka $(shell pkg-config --libs sqlite3)

# Fuzzers: libFuzzer targets over the pure logic (tests/fuzz/fuzz_*.c), each
# with its committed seed corpus in tests/fuzz/corpus/NAME/. `make fuzz`
# runs each for FUZZ_SECONDS; `make check` runs a short bounded pass.
FUZZ_SECONDS ?= 120
FUZZ_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all $(COMMON)
FUZZ_OBJS    := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(PURE_SRCS))
FUZZERS      := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

$(BUILD)/fuzz/%.o: %.c $(wildcard common/*.h reg/*.h harness/*.h emu/*.h)
	@mkdir -p $(@D)
	$(CC_NATIVE) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(CC_NATIVE) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^

.PHONY: fuzz check-fuzz
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f##*/}; d=$(BUILD)/fuzz/found/$$n; mkdir -p $$d; \
	  echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$$d/ \
	      $$d tests/fuzz/corpus/$$n >$$d.log 2>&1; rc=$$?; \
	  grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss)|cov:' $$d.log | tail -n 3; \
	  [ $$rc = 0 ] || { grep -A 30 ERROR $$d.log; exit 1; }; done
# The short pass of `make check`: the seed corpus plus a fixed number of runs
# (new inputs go to a scratch folder, never into the committed corpus).
check-fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f##*/}; d=$(BUILD)/fuzz/scratch/$$n; mkdir -p $$d; \
	  $$f -runs=20000 -seed=1 $$d tests/fuzz/corpus/$$n >$$d.log 2>&1 \
	    && echo "$$n: 20000 runs, no crash" || { tail -n 30 $$d.log; exit 1; }; done

# Tests run in their own prefix, never the user's.
TEST_PREFIX ?= $(abspath $(BUILD))/test-prefix

# The Wine and integration tests share TEST_PREFIX, and some integration
# tests change its registry between two harness calls (outside the
# launcher's lock): under make -j they must not overlap, so they run one
# after the other.
check: check-unit check-fuzz check-examples
	@$(MAKE) --no-print-directory check-wine
	@$(MAKE) --no-print-directory check-integration
	@$(MAKE) --no-print-directory check-shards
	@$(MAKE) --no-print-directory check-install
check-unit: $(UNIT_TESTS)
	@sh tests/run-tests.sh unit $(UNIT_TESTS)
check-wine: all $(WINE_TESTS)
	@KMHARNESS_PREFIX=$(TEST_PREFIX) sh tests/run-tests.sh wine $(WINE_TESTS)
# The CI examples in examples/ are well-formed YAML of their system's shape.
check-examples:
	@sh tests/check-ci-examples.sh

# run --shard K/N x 3 on their own prefixes + merge == one unsharded run.
check-shards: all
	@KMHARNESS_PREFIX=$(TEST_PREFIX) sh tests/shards.sh 3 300
check-integration: all $(INTEG_TESTS)
	@KMHARNESS_PREFIX=$(TEST_PREFIX) KMHARNESS=$(abspath $(BUILD))/kmharness \
	    KMH_SCENARIOS=$(abspath scenarios) sh tests/run-tests.sh integration $(INTEG_TESTS)

# Quick start: install what is missing, build, run the bundled scenarios.
setup:
	@sh harness/install-deps.sh
run: setup
	@$(MAKE) -s --no-print-directory -j$$(nproc) all
	@$(BUILD)/kmharness run

# The harness's speed side by side (figures in README.md): the naive
# pipeline, run --jobs 1 and --jobs N, a cold start, server requests.
bench: all $(BUILD)/pipe-rtt
	sh tests/bench.sh
$(BUILD)/pipe-rtt: tests/pipe-rtt.c
	$(CC_NATIVE) -O2 -Wall -Wextra -o $@ $<
# 100,000 generated scenarios: speed and peak memory of all the run's
# processes together (COUNT=N for another size).
bench-100k: all
	sh tests/bench-memory.sh
# Cost of big scenarios (N values, N keys): apply and undo grow linearly.
bench-big: all
	sh tests/bench-big.sh

# make install [PREFIX=/usr/local] [DESTDIR=]: the launcher in bin/ (a link
# into lib/kmharness/, where the programs are), the bundled scenarios in
# share/kmharness/scenarios, the man page in share/man/man1.
PREFIX ?= /usr/local
.PHONY: install check-install
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/kmharness \
	    $(DESTDIR)$(PREFIX)/share/kmharness/scenarios $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/kmharness $(BUILD)/kmharness-native $(DESTDIR)$(PREFIX)/lib/kmharness/
	install -m 755 $(BUILD)/kmharness.exe.so $(DESTDIR)$(PREFIX)/lib/kmharness/
	ln -sf ../lib/kmharness/kmharness $(DESTDIR)$(PREFIX)/bin/kmharness
	install -m 644 scenarios/*.reg $(DESTDIR)$(PREFIX)/share/kmharness/scenarios/
	install -m 644 docs/kmharness.1 $(DESTDIR)$(PREFIX)/share/man/man1/

# An installed tree runs the catalog from another folder, and its man page
# renders without warnings.
check-install: all
	@d=$$(mktemp -d) && $(MAKE) -s --no-print-directory install DESTDIR=$$d >/dev/null && \
	  cd / && out=$$(KMHARNESS_PREFIX=$(TEST_PREFIX) $$d/usr/local/bin/kmharness run \
	      --db $$d/installed.db --quiet) && echo "installed kmharness run: $$out" && \
	  ! man --warnings -l $$d/usr/local/share/man/man1/kmharness.1 2>&1 >/dev/null | grep . && \
	  rm -rf $$d

clean:
	rm -rf $(BUILD)/win $(BUILD)/native $(BUILD)/host $(BUILD)/tests $(BUILD)/gen $(BUILD)/kmharness*
