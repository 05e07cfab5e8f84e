# mortem — one Makefile, pkg-config for every library.
# make            build ./mortem (warnings are errors: the developers' and CI's build)
# make RELEASE=1  build without -Werror, in build/release (for a release or a newer compiler)
# make deps       install missing Debian packages (build and tests)
# make demo       deps, build, analyze a real deadlock
# make check      deps, build, every test (SANITIZE=address,undefined for a sanitized run)
# make check-layers  the include rules of LAYERS (sh tests/check-layers.sh)
# make bench      side-by-side benchmarks
# make fuzz       every fuzz target for FUZZ_SECONDS seconds
# make install    PREFIX=/usr/local; builds as RELEASE=1 does (no -Werror)
# V=1 shows the commands. doc/building.md says more.

PREFIX ?= /usr/local
CC ?= cc
FUZZ_SECONDS ?= 60
PKGS = libdw libelf libunwind-coredump libunwind-ptrace libunwind-generic libpcre2-8 ncursesw \
       libarchive libzstd liblzma zlib libdeflate jansson liblz4 sqlite3 libpq
TEST_PKGS = cmocka
# The Debian package of each pkg-config module the build needs (MODULE:PACKAGE):
# a missing module is named with its package, and make deps counts a package
# as present when pkg-config finds its modules (a library built from source).
# libdebuginfod: only its header (the library is loaded with dlopen).
PKG_DEBS = libdw:libdw-dev libelf:libelf-dev libunwind-coredump:libunwind-dev \
	libunwind-ptrace:libunwind-dev libunwind-generic:libunwind-dev libpcre2-8:libpcre2-dev \
	ncursesw:libncurses-dev libarchive:libarchive-dev libzstd:libzstd-dev liblzma:liblzma-dev \
	zlib:zlib1g-dev libdeflate:libdeflate-dev jansson:libjansson-dev liblz4:liblz4-dev sqlite3:libsqlite3-dev \
	cmocka:libcmocka-dev libdebuginfod:libdebuginfod-dev libpq:libpq-dev
export PKG_DEBS

# Debian packages the build and the tests need (make deps installs the missing ones).
DEB_PKGS = gcc make pkg-config libdw-dev libelf-dev libunwind-dev libpcre2-dev libncurses-dev \
	libarchive-dev libzstd-dev liblzma-dev zlib1g-dev libdeflate-dev libdebuginfod-dev libjansson-dev \
	libcmocka-dev liblz4-dev libsqlite3-dev elfutils gdb tmux jq zstd xz-utils lz4 gzip \
	debuginfod openjdk-17-jdk-headless clang libclang-rt-14-dev hyperfine time g++ \
	procps file lldb libc6-dbg zip bzip2 sqlite3 groff-base man-db postgresql libpq-dev graphviz
export DEB_PKGS

ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-7s %s\n'
endif

# -Wformat-nonliteral: nothing read from a dump may ever become a format
# string (unit tests, which build formats on purpose, are exempt).
# -Werror where developers and CI build; not in a release build (RELEASE=1,
# and make install), where a newer compiler's new warning must not stop it.
WARN = -Wall -Wextra -Wno-trigraphs -Wno-unused-parameter -Wshadow -Wformat=2 -Wformat-nonliteral
ifneq ($(filter install,$(MAKECMDGOALS)),)
RELEASE ?= 1
endif
ifndef RELEASE
WARN += -Werror
endif
OPT ?= -O2 -g
CFLAGS_BASE = -std=gnu11 $(OPT) $(WARN) -D_GNU_SOURCE -MMD -MP -I.

ifdef FUZZ
# libFuzzer build (make fuzz): clang, coverage + ASan + UBSan on every module.
CC = clang
WARN := $(filter-out -Werror,$(WARN))
CFLAGS_BASE += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -DMORTEM_FUZZING
BUILD = build/fuzz
else ifdef SANITIZE
CFLAGS_BASE += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD = build/san
else ifdef RELEASE
BUILD = build/release
else
BUILD = build/out
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Loaded with dlopen when first needed, not linked into mortem: libpq for
# triage --db postgresql:// (analyzer/triage/pqlib.h), libarchive for
# triage's archives (analyzer/triage/arlib.h). With all they pull in they
# cost every run about 13 ms of loader work. Their headers are used as
# usual; the unit tests link them (test_triage writes archives).
DLOPEN_PKGS = libpq libarchive
DLOPEN_LIBS = $(shell pkg-config --libs $(DLOPEN_PKGS) 2>/dev/null)
# libthread_db: thread-local errno in cores; libstdc++: __cxa_demangle for C++ frames;
# libdebuginfod (header from libdebuginfod-dev) is loaded with dlopen, only when
# DEBUGINFOD_URLS is set (parsers/native/debugfind.h).
PKG_LIBS = $(shell pkg-config --libs $(filter-out $(DLOPEN_PKGS),$(PKGS)) 2>/dev/null) \
	-lpthread -lthread_db -lstdc++ -ldl
ALL_CFLAGS = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)

# $(BUILD)/CFLAGS holds the compile and link commands' flags (as git's
# GIT-CFLAGS does); it is rewritten only when they change (cmp against a
# fresh copy: with make 4.3, comparing $(file <) of the record with the flags
# in make found them unequal for some build directories, /tmp/mortem/b among
# them, when they were the same, and everything was rebuilt every time),
# and everything built depends on it, so a change of CC, OPT, CFLAGS,
# SANITIZE... rebuilds all.
FLAGS_NOW = $(strip $(CC) $(ALL_CFLAGS) | $(LDFLAGS) $(PKG_LIBS) $(DLOPEN_LIBS))
# lib_check MODULES: a shell command that names every missing module with its
# Debian package and fails (pkg-config --cflags ... 2>/dev/null would say nothing).
lib_check = command -v pkg-config >/dev/null || { echo "mortem: pkg-config not found (Debian package pkg-config); run make deps" >&2; exit 1; }; \
	pkg-config --exists $(1) 2>/dev/null || { for m in $(1); do pkg-config --exists $$m 2>/dev/null && continue; \
	d=; for p in $(PKG_DEBS); do [ "$${p%%:*}" = $$m ] && d=$${p\#*:}; done; \
	echo "mortem: missing library $$m$${d:+ (Debian package $$d)}; run make deps" >&2; done; exit 1; }

SRC_DIRS = analyzer parsers signatures tui
SRCS = $(sort $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c $(d)/*/*.c)))
OBJS = $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS = $(filter-out $(BUILD)/analyzer/main.o,$(OBJS))
GEN_DIR = $(BUILD)/gen
# signatures/*.rules are compiled into the binary as $(GEN_DIR)/builtin_rules.c
RULE_FILES = $(sort $(wildcard signatures/*.rules))
OBJS += $(GEN_DIR)/builtin_rules.o

UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS = $(sort $(wildcard tests/lib/*.c))
HELPER_BINS = $(HELPER_SRCS:tests/lib/%.c=$(BUILD)/tests/lib/%)

.PHONY: all deps demo check check-layers unit scenario bench fuzz fuzz-build fuzz-bins install clean FORCE
all: mortem

# Always compare: ./mortem must be the binary of THIS build (plain or
# sanitized), whatever the timestamps left by the other one.
mortem: $(BUILD)/mortem FORCE
	$(Q)cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }

$(BUILD)/mortem: $(OBJS)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS) -Wl,-z,now -o $@ $(OBJS) $(PKG_LIBS)

$(BUILD)/CFLAGS: FORCE
	@$(call lib_check,$(PKGS) libdebuginfod)
	@mkdir -p $(@D) && printf '%s\n' '$(subst ','\'',$(FLAGS_NOW))' > $@.now && \
	{ if cmp -s $@.now $@; then rm -f $@.now; else mv -f $@.now $@; fi; }

$(BUILD)/%.o: %.c $(BUILD)/CFLAGS
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(GEN_DIR)/builtin_rules.c: $(RULE_FILES) signatures/embed.awk
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)awk -f signatures/embed.awk $(RULE_FILES) < /dev/null > $@.tmp && mv $@.tmp $@

$(GEN_DIR)/builtin_rules.o: $(GEN_DIR)/builtin_rules.c $(BUILD)/CFLAGS
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Unit tests: each tests/unit/test_X.c links with every module but main.
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@$(call lib_check,$(TEST_PKGS))
	@mkdir -p $(dir $@)
	$(say) TEST $@
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-format-nonliteral $(shell pkg-config --cflags $(TEST_PKGS)) -o $@ $< $(LIB_OBJS) \
		$(PKG_LIBS) $(DLOPEN_LIBS) $(shell pkg-config --libs $(TEST_PKGS)) $(LDFLAGS)

# Benchmark programs: bench/X.c links with every module but main.
$(BUILD)/bench/%: bench/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(say) BENCH $@
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS) $(LDFLAGS)

$(BUILD)/tests/lib/%: tests/lib/%.c $(BUILD)/CFLAGS
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< -Wl,--as-needed $(PKG_LIBS) $(LDFLAGS)

# Fuzz targets: one per parser in parsers/registry.h (tests/fuzz/fuzz_parser.c
# with -DPARSER_SYM), plus one per other tests/fuzz/fuzz_*.c. Built with FUZZ=1.
FUZZ_SKIP = live
FUZZ_PARSERS = $(filter-out $(FUZZ_SKIP),$(shell sed -n 's/.*X(\([a-z0-9_]*\)_parser).*/\1/p' parsers/registry.h))
FUZZ_EXTRA = $(filter-out parser common,$(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS = $(FUZZ_PARSERS:%=$(BUILD)/fuzz/parser-%) $(FUZZ_EXTRA:%=$(BUILD)/fuzz/%)
FUZZ_LINK = $(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined

$(BUILD)/fuzz/parser-%: tests/fuzz/fuzz_parser.c tests/fuzz/fuzz_common.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(say) FUZZ $@
	$(Q)$(FUZZ_LINK) -DPARSER_SYM=$*_parser -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(say) FUZZ $@
	$(Q)$(FUZZ_LINK) -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

fuzz-build:
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
fuzz-bins: $(FUZZ_BINS)
	@echo $(FUZZ_BINS) > $(BUILD)/fuzz/targets

deps:
	@sh tests/deps.sh

# The include rules of LAYERS alone (make check runs them too: tests/scenario/layers.sh).
check-layers:
	@sh tests/check-layers.sh

demo: deps
	@$(MAKE) --no-print-directory mortem
	@sh tests/demo.sh

check: deps
	@$(MAKE) --no-print-directory mortem $(UNIT_BINS) $(HELPER_BINS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh

unit: mortem $(UNIT_BINS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) ONLY=unit sh tests/run.sh

scenario: mortem $(HELPER_BINS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) ONLY=scenario sh tests/run.sh

BENCH_BINS = $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))

bench: deps
	@$(MAKE) --no-print-directory mortem $(BENCH_BINS)
	@BUILD=$(BUILD) sh bench/run.sh

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

# Installs the release build ($(BUILD) is build/release: RELEASE=1 unless set).
install: $(BUILD)/mortem
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mortem/signatures $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/mortem $(DESTDIR)$(PREFIX)/bin/mortem
	for f in signatures/*.rules; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/mortem/signatures/ || true; done
	install -m 644 doc/mortem.1 $(DESTDIR)$(PREFIX)/share/man/man1/mortem.1

clean:
	rm -rf build mortem

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
