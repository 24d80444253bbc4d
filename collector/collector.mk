# SPDX-License-Identifier: BSD-2-Clause
# collector/collector.mk: the xnutrace command and its tests (included by the
# top Makefile).  Objects under $(OUTPUT)/collector[-san]/; -MMD -MP.
#   $(OUTPUT)/bin/xnutrace              the command
#   $(OUTPUT)/tests/unit/test_model     model aggregation (no libbpf, no machine)
#   $(OUTPUT)/tests/unit/test_artifact  artifact round trip and bad input

COLLECTOR_CFLAGS := $(PROG_CFLAGS) -I$(OUTPUT) $(shell pkg-config --cflags jansson libbpf 2>/dev/null)
COLLECTOR_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson) \
                    $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -ldl
COLLECTOR_OUT    := $(OUTPUT)/collector$(OUTPUT_SAN)
COLLECTOR_SRCS   := $(wildcard collector/*.c)
COLLECTOR_OBJS   := $(patsubst collector/%.c,$(COLLECTOR_OUT)/%.o,$(COLLECTOR_SRCS))
# Everything but main: what the unit tests link.
COLLECTOR_LIB_OBJS := $(filter-out $(COLLECTOR_OUT)/main.o $(COLLECTOR_OUT)/backend_bpf.o,$(COLLECTOR_OBJS))
XNUTRACE         := $(OUTPUT)/bin/xnutrace

all: $(XNUTRACE)
tests: $(OUTPUT)/tests$(OUTPUT_SAN)/unit/test_model $(OUTPUT)/tests$(OUTPUT_SAN)/unit/test_artifact

# backend_bpf.c includes the generated skeletons.
$(COLLECTOR_OUT)/%.o: collector/%.c | $(GENERATED) $(BPF_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(COLLECTOR_CFLAGS) -c $< -o $@

$(XNUTRACE): $(COLLECTOR_OBJS) $(LIBXNUSIM)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(COLLECTOR_OBJS) -o $@ $(PROG_LDFLAGS) -lxnusim $(COLLECTOR_LIBS)

# The unit tests link the collector's library objects (no libbpf: backend_bpf.o
# is left out, and backend.c's references to it are weak).
$(OUTPUT)/tests$(OUTPUT_SAN)/unit/test_model $(OUTPUT)/tests$(OUTPUT_SAN)/unit/test_artifact: \
$(OUTPUT)/tests$(OUTPUT_SAN)/unit/%: tests/unit/%.c tests/harness.c tests/harness.h $(COLLECTOR_LIB_OBJS) $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(COLLECTOR_CFLAGS) $< tests/harness.c $(COLLECTOR_LIB_OBJS) -o $@ \
		$(PROG_LDFLAGS) -lxnusim $(COLLECTOR_LIBS)
