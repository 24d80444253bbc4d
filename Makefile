# SPDX-License-Identifier: BSD-2-Clause
# xnutrace: one Makefile for the simulator, BPF programs, collector and viz.
#   make            build everything          make test     all tests
#   make demo       the main job              make bench    side-by-side ratios
#   make V=1        full commands             make SANITIZE=1 test   ASan + UBSan
#   make install PREFIX=/usr/local            make deps     install packages

SHELL    := /bin/bash
SANITIZE ?= 0
# A sanitizer build is a separate tree, so it never replaces normal binaries.
ifeq ($(SANITIZE),1)
OUTPUT   ?= .output-san
else
OUTPUT   ?= .output
endif
PREFIX   ?= /usr/local
CC       ?= gcc

ifeq ($(V),1)
  Q :=
  msg :=
else
  Q := @
  msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

GEN      := $(OUTPUT)/gen
SIM      := kmod-xnu-sim
GCC_INC  := $(shell $(CC) -print-file-name=include)

# -- flags -----------------------------------------------------------------
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -MMD -MP -fPIC -iquote . -I$(GEN) \
               -I$(SIM)/include -fno-strict-aliasing
ifeq ($(SANITIZE),1)
  OUTPUT_SAN  := -san
  SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
  SAN_FLAGS   :=
endif
# The core outside osl/ is freestanding: no libc headers are reachable.
CORE_CFLAGS := $(BASE_CFLAGS) $(SAN_FLAGS) -ffreestanding -nostdinc -isystem $(GCC_INC) \
               -isystem $(OUTPUT)/sdt
OSL_CFLAGS  := $(BASE_CFLAGS) $(SAN_FLAGS) -D_GNU_SOURCE -pthread
PROG_CFLAGS := $(BASE_CFLAGS) $(SAN_FLAGS) -D_GNU_SOURCE -pthread
LDFLAGS_SO  := -shared -pthread $(SAN_FLAGS)
LIBDIR      := $(OUTPUT)/lib$(OUTPUT_SAN)
PROG_LDFLAGS = $(SAN_FLAGS) -pthread -L$(LIBDIR) -Wl,-rpath,$(abspath $(LIBDIR))

# -- sources ---------------------------------------------------------------
CORE_SRCS := $(shell find $(SIM)/osfmk $(SIM)/bsd $(SIM)/security -name '*.c' 2>/dev/null | sort)
OSL_SRCS  := $(shell find $(SIM)/osl/user -name '*.c' 2>/dev/null | sort)
LIBSYS_SRCS := $(shell find $(SIM)/libsyscall -name '*.c' 2>/dev/null | sort)
GEN_SRCS  := $(GEN)/init_sysent.c $(GEN)/syscall_sw.c
DARWIN_H  := $(GEN)/darwin/errno.h
SDT_H     := $(OUTPUT)/sdt/sys/sdt.h
SDT_SYS   := $(dir $(firstword $(wildcard /usr/include/$(shell $(CC) -dumpmachine)/sys/sdt.h /usr/include/sys/sdt.h)))

# One object tree per variant: traced (default) and probes compiled out.
define objs
$(patsubst %.c,$(OUTPUT)/$(1)/%.o,$(CORE_SRCS) $(OSL_SRCS) $(LIBSYS_SRCS)) \
$(patsubst $(GEN)/%.c,$(OUTPUT)/$(1)/gen/%.o,$(GEN_SRCS))
endef
OBJ_TRACE   := obj$(OUTPUT_SAN)
OBJ_NOTRACE := obj-notrace$(OUTPUT_SAN)
LIB_OBJS         := $(call objs,$(OBJ_TRACE))
LIB_OBJS_NOTRACE := $(call objs,$(OBJ_NOTRACE))
LIBXNUSIM         := $(LIBDIR)/libxnusim.so
LIBXNUSIM_NOTRACE := $(LIBDIR)/libxnusim-notrace.so

TOOL_SRCS    := $(wildcard $(SIM)/tools/*.c)
TOOLS        := $(patsubst $(SIM)/tools/%.c,$(OUTPUT)/bin/%,$(TOOL_SRCS))
EXAMPLE_SRCS := $(wildcard examples/*/*.c)
EXAMPLES     := $(patsubst examples/%.c,$(OUTPUT)/examples/%,$(EXAMPLE_SRCS))
TEST_SRCS    := $(wildcard tests/unit/test_*.c tests/sim/*.c)
TESTS        := $(patsubst tests/%.c,$(OUTPUT)/tests$(OUTPUT_SAN)/%,$(TEST_SRCS))
TPROG_SRCS   := $(wildcard tests/progs/*.c)
TPROGS       := $(patsubst tests/progs/%.c,$(OUTPUT)/progs$(OUTPUT_SAN)/%,$(TPROG_SRCS))
BENCH_SRCS   := $(wildcard bench/*.c)
BENCHES      := $(patsubst bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS)) \
                $(patsubst bench/%.c,$(OUTPUT)/bench/%-notrace,$(BENCH_SRCS))

.PHONY: all lib tools examples tests test demo bench deps install clean check-layering fuzz fuzzers
all: lib tools examples

lib: $(LIBXNUSIM) $(LIBXNUSIM_NOTRACE)
tools: $(TOOLS)
examples: $(EXAMPLES)
tests: $(TESTS) $(TPROGS)

# -- generated sources -------------------------------------------------------
$(GEN)/init_sysent.c: $(SIM)/tables/bsd-syscalls.tsv scripts/gen_sysent.awk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && awk -f scripts/gen_sysent.awk $< > $@
$(GEN)/syscall_sw.c: $(SIM)/tables/mach-traps.tsv scripts/gen_mach_traps.awk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && awk -f scripts/gen_mach_traps.awk $< > $@
$(DARWIN_H): $(SIM)/tables/constants.tsv scripts/gen_darwin_headers.awk
	$(call msg,GEN,$(GEN)/darwin/)
	$(Q)rm -rf $(GEN)/darwin && mkdir -p $(GEN)/darwin && \
		awk -v dir=$(GEN)/darwin -f scripts/gen_darwin_headers.awk $<
# Debian's <sys/sdt.h> is plain macros; stage it where -nostdinc code finds it.
$(SDT_H):
	$(Q)mkdir -p $(@D) && ln -sf $(SDT_SYS)/sdt.h $(SDT_SYS)/sdt-config.h $(@D)/

GENERATED := $(DARWIN_H) $(SDT_H)

# -- objects -----------------------------------------------------------------
$(OUTPUT)/$(OBJ_TRACE)/$(SIM)/osl/%.o: $(SIM)/osl/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(OSL_CFLAGS) -c $< -o $@
$(OUTPUT)/$(OBJ_NOTRACE)/$(SIM)/osl/%.o: $(SIM)/osl/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(OSL_CFLAGS) -DXS_NO_TRACE -c $< -o $@
$(OUTPUT)/$(OBJ_TRACE)/$(SIM)/libsyscall/%.o: $(SIM)/libsyscall/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -c $< -o $@
$(OUTPUT)/$(OBJ_NOTRACE)/$(SIM)/libsyscall/%.o: $(SIM)/libsyscall/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -DXS_NO_TRACE -c $< -o $@
$(OUTPUT)/$(OBJ_TRACE)/%.o: %.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -c $< -o $@
$(OUTPUT)/$(OBJ_NOTRACE)/%.o: %.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -DXS_NO_TRACE -c $< -o $@
$(OUTPUT)/$(OBJ_TRACE)/gen/%.o: $(GEN)/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -c $< -o $@
$(OUTPUT)/$(OBJ_NOTRACE)/gen/%.o: $(GEN)/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -DXS_NO_TRACE -c $< -o $@

# The idle copy (docs/tracepoints.md): the core built with XS_NO_TRACE, its
# globals renamed xs_idle__* (scripts/mkidle.sh) and hidden; traps run it
# while no probe is wanted.  Both libraries bind their own calls directly
# (-Bsymbolic-functions: nothing interposes on them), so the idle copy and
# libxnusim-notrace.so call alike and make bench compares code, not linkage.
IDLE_OBJS := $(filter-out $(OUTPUT)/$(OBJ_NOTRACE)/$(SIM)/osl/% \
               $(OUTPUT)/$(OBJ_NOTRACE)/$(SIM)/libsyscall/%,$(LIB_OBJS_NOTRACE))
IDLE_LIB  := $(OUTPUT)/$(OBJ_NOTRACE)/libxnusim-idle.a
$(IDLE_LIB): $(IDLE_OBJS) scripts/mkidle.sh
	$(call msg,AR,$@)
	$(Q)scripts/mkidle.sh $@ $(IDLE_OBJS)
$(LIBXNUSIM): $(LIB_OBJS) $(IDLE_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(LDFLAGS_SO) -Wl,-Bsymbolic-functions -o $@ $(LIB_OBJS) \
		-Wl,--exclude-libs,$(notdir $(IDLE_LIB)) \
		-Wl,--whole-archive $(IDLE_LIB) -Wl,--no-whole-archive -lrt
$(LIBXNUSIM_NOTRACE): $(LIB_OBJS_NOTRACE)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(LDFLAGS_SO) -Wl,-Bsymbolic-functions -o $@ $^ -lrt

# -- programs ------------------------------------------------------------------
$(OUTPUT)/bin/%: $(SIM)/tools/%.c $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< -o $@ $(PROG_LDFLAGS) -lxnusim
$(OUTPUT)/examples/%: examples/%.c $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< -o $@ $(PROG_LDFLAGS) -lxnusim
$(OUTPUT)/tests$(OUTPUT_SAN)/%: tests/%.c tests/harness.c tests/harness.h $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< tests/harness.c -o $@ $(PROG_LDFLAGS) -lxnusim
# test_mach_loader signs and parses images that mkmacho writes at test time.
$(OUTPUT)/tests$(OUTPUT_SAN)/unit/test_mach_loader: $(OUTPUT)/bin/mkmacho

# Workloads that test scripts run (not tests themselves).
$(OUTPUT)/progs$(OUTPUT_SAN)/%: tests/progs/%.c $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< -o $@ $(PROG_LDFLAGS) -lxnusim
$(OUTPUT)/bench/%-notrace: bench/%.c $(LIBXNUSIM_NOTRACE) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< -o $@ $(PROG_LDFLAGS) -lxnusim-notrace
$(OUTPUT)/bench/%: bench/%.c $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< -o $@ $(PROG_LDFLAGS) -lxnusim

# -- fuzzing (clang + libFuzzer; the whole library built with the fuzzer's
#    coverage and ASan + UBSan) ---------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -MMD -MP -fPIC \
                -iquote . -I$(GEN) -I$(SIM)/include -fno-strict-aliasing \
                -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_CORE_CFLAGS := $(FUZZ_CFLAGS) -ffreestanding -nostdinc \
                -isystem $(shell $(FUZZ_CC) -print-file-name=include 2>/dev/null) -isystem $(OUTPUT)/sdt
FUZZ_OBJS    := $(call objs,obj-fuzz)
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS      := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 30

$(OUTPUT)/obj-fuzz/$(SIM)/osl/%.o: $(SIM)/osl/%.c | $(GENERATED)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -pthread -c $< -o $@
$(OUTPUT)/obj-fuzz/%.o: %.c | $(GENERATED)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CORE_CFLAGS) -c $< -o $@
$(OUTPUT)/obj-fuzz/gen/%.o: $(GEN)/%.c | $(GENERATED)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CORE_CFLAGS) -c $< -o $@
$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS) | $(GENERATED)
	$(call msg,FUZZLD,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -fsanitize=fuzzer \
		$< $(FUZZ_OBJS) -o $@ -pthread -lrt

fuzzers: $(FUZZERS)
# make fuzz FUZZ_SECONDS=300: run every fuzzer that long, from its seed corpus.
fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzzers
	$(Q)set -o pipefail; for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p $(OUTPUT)/corpus/$$n; \
		echo "== $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(OUTPUT)/corpus/$$n $$(test -d tests/fuzz/seeds/$$n && echo tests/fuzz/seeds/$$n) \
			2>&1 | tail -n 15 || exit 1; \
	done

# -- bpf/ and collector/ keep their rules in their own fragments ----------------
-include bpf/bpf.mk
-include collector/collector.mk
-include viz/viz.mk
-include $(SIM)/rootfs/rootfs.mk
-include $(SIM)/osl/linux/kmod.mk

# -- top-level jobs ------------------------------------------------------------
deps:
	$(Q)scripts/install-deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)OUTPUT=$(OUTPUT) SANITIZE=$(SANITIZE) tests/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OUTPUT=$(OUTPUT) scripts/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCHES)
	$(Q)OUTPUT=$(OUTPUT) scripts/bench.sh

check-layering:
	$(Q)scripts/check-layering.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/xnusim
	install -m 0755 $(LIBXNUSIM) $(LIBXNUSIM_NOTRACE) $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(SIM)/include/xnusim/*.h $(DESTDIR)$(PREFIX)/include/xnusim/

clean:
	rm -rf $(OUTPUT)

.DELETE_ON_ERROR:
.SECONDARY:
-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
