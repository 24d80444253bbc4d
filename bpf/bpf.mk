# SPDX-License-Identifier: BSD-2-Clause
# bpf/bpf.mk: BPF programs -> objects -> skeletons, the decoder's generated
# tables, and the tests that need libbpf or collector code (included by the
# top Makefile).
#   $(OUTPUT)/vmlinux.h          from the running kernel's BTF (VMLINUX_BTF=)
#   $(OUTPUT)/bpf/<n>.bpf.o      clang -target bpf
#   $(OUTPUT)/<n>.skel.h         bpftool gen skeleton (struct <n>_bpf)
#   $(GEN)/decode_tables.h       Darwin names for collector/decode.c
# Collector objects that include a skeleton build after BPF_SKELS and link
# with BPF_LIBS; -MMD records the rest.

VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_CLANG   ?= clang
BPFTOOL     ?= bpftool
BPF_ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_MULTIARCH := $(shell $(CC) -dumpmachine 2>/dev/null)
# libbpf 1.1's usdt.bpf.h includes <asm/...> from the multiarch directory (NOTES.md).
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
               -MMD -MP -iquote . -I$(OUTPUT) -I/usr/include/$(BPF_MULTIARCH)
BPF_LIBS    := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS   := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

.PHONY: bpf
bpf: $(BPF_SKELS)

$(OUTPUT)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && $(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

# -- collector/decode.c's name tables, generated from constants.tsv ---------------
DECODE_TABLES := $(GEN)/decode_tables.h
GENERATED += $(DECODE_TABLES)
$(DECODE_TABLES): $(SIM)/tables/constants.tsv scripts/gen_decode_tables.awk
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && awk -f scripts/gen_decode_tables.awk $< > $@.tmp && mv $@.tmp $@

# -- tests ------------------------------------------------------------------------
# test_decode links the decoder and formatter, not only libxnusim: its own rule
# (an explicit rule wins over the generic tests/% pattern).
DECODE_TEST_DEPS := collector/decode.c collector/trace_fmt.c
$(OUTPUT)/tests$(OUTPUT_SAN)/unit/test_decode: tests/unit/test_decode.c $(DECODE_TEST_DEPS) \
		tests/harness.c tests/harness.h $(DECODE_TABLES) $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< $(DECODE_TEST_DEPS) tests/harness.c -o $@ \
		$(PROG_LDFLAGS) -lxnusim

# tests/bpf/<n>.c: the bpf backend against workloads (tests/run.sh runs them;
# they print SKIP unless root).
BPF_TEST_DEPS := collector/backend_bpf.c collector/model.c collector/log.c $(DECODE_TEST_DEPS)
BPF_TESTS     := $(patsubst tests/bpf/%.c,$(OUTPUT)/tests$(OUTPUT_SAN)/bpf/%,$(wildcard tests/bpf/*.c))
tests: $(BPF_TESTS)

$(OUTPUT)/tests$(OUTPUT_SAN)/bpf/%: tests/bpf/%.c $(BPF_TEST_DEPS) $(BPF_SKELS) $(LIBXNUSIM) \
		$(DECODE_TABLES) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) -I$(OUTPUT) $< $(BPF_TEST_DEPS) -o $@ \
		$(PROG_LDFLAGS) -lxnusim $(BPF_LIBS)

# -- bench/bpf/<n>.c: the tracer's own cost (scripts/bench.sh runs them) -------------
BPF_BENCHES := $(patsubst bench/bpf/%.c,$(OUTPUT)/bench/bpf/%,$(wildcard bench/bpf/*.c))
bench: $(BPF_BENCHES)
$(OUTPUT)/bench/bpf/%: bench/bpf/%.c $(BPF_TEST_DEPS) $(BPF_SKELS) $(LIBXNUSIM) \
		$(DECODE_TABLES) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) -I$(OUTPUT) $< $(BPF_TEST_DEPS) -o $@ \
		$(PROG_LDFLAGS) -lxnusim $(BPF_LIBS)
