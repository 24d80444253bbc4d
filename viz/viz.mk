# SPDX-License-Identifier: BSD-2-Clause
# viz/: call graphs (Graphviz), diffs, flame graphs and the HTML report, as
# their own binary, $(OUTPUT)/bin/xnutrace-viz (`xnutrace graph|diff|flame|
# html` exec it, so the collector never links Graphviz).  viz reads
# artifacts through the collector's model and artifact reader, which this
# fragment compiles into its own object tree (no libbpf in them).

VIZ_OBJDIR   := $(OUTPUT)/viz$(OUTPUT_SAN)
VIZ_BIN      := $(OUTPUT)/bin/xnutrace-viz
VIZ_SRCS     := viz/sbuf.c viz/style.c viz/graph.c viz/diff.c viz/flame.c viz/html.c \
                viz/render.c viz/main.c
VIZ_COLL     := collector/model.c collector/artifact.c collector/log.c
VIZ_LIBOBJS  := $(patsubst %.c,$(VIZ_OBJDIR)/%.o,$(filter-out viz/main.c,$(VIZ_SRCS)) $(VIZ_COLL))
VIZ_TESTDIR  := $(OUTPUT)/tests$(OUTPUT_SAN)
VIZ_HAVE_GVC := $(shell pkg-config --exists libgvc libcgraph 2>/dev/null && echo 1)
VIZ_HAVE_JSON := $(shell pkg-config --exists jansson 2>/dev/null && echo 1)

# style.c is pure: its test builds without Graphviz.
$(VIZ_TESTDIR)/unit/test_style: tests/unit/test_style.c tests/harness.c viz/style.c \
		tests/harness.h viz/style.h
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) tests/unit/test_style.c tests/harness.c \
		viz/style.c -o $@ $(SAN_FLAGS) -lm

ifeq ($(VIZ_HAVE_GVC)$(VIZ_HAVE_JSON),11)
VIZ_CFLAGS  := $(PROG_CFLAGS) $(shell pkg-config --cflags libgvc libcgraph jansson)
VIZ_LDLIBS  := $(shell pkg-config --libs libgvc libcgraph jansson) -lxnusim -lm

all: $(VIZ_BIN)
tests: $(VIZ_TESTDIR)/unit/test_viz_graph

$(VIZ_OBJDIR)/%.o: %.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(VIZ_CFLAGS) -c $< -o $@

$(VIZ_BIN): $(VIZ_OBJDIR)/viz/main.o $(VIZ_LIBOBJS) $(LIBXNUSIM)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(filter %.o,$^) -o $@ $(PROG_LDFLAGS) $(VIZ_LDLIBS)

# Graph building, diffs, flame graphs and rendering, from models built in the test.
$(VIZ_TESTDIR)/unit/test_viz_graph: tests/unit/test_viz_graph.c tests/harness.c \
		$(VIZ_LIBOBJS) $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(VIZ_CFLAGS) tests/unit/test_viz_graph.c tests/harness.c \
		$(VIZ_LIBOBJS) -o $@ $(PROG_LDFLAGS) $(VIZ_LDLIBS)

# The tool that wrote the committed golden artifacts (and the bench's big graph).
VIZ_MKART := $(VIZ_OBJDIR)/mkartifact
all: $(VIZ_MKART)
$(VIZ_MKART): tests/golden/viz/mkartifact.c tests/viz_fixture.h $(VIZ_LIBOBJS) $(LIBXNUSIM) \
		| $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(VIZ_CFLAGS) $< $(VIZ_LIBOBJS) -o $@ $(PROG_LDFLAGS) $(VIZ_LDLIBS)

# libFuzzer over the artifact reader: the collector's model and artifact
# code built with the fuzzer's coverage and ASan + UBSan, linked with the
# library's fuzz objects, not -lxnusim (in a SANITIZE=1 build that is GCC's
# ASan runtime, which cannot share a process with clang's).
# VIZ_FUZZ_EXTRA: extra compiler flags for the collector objects.
VIZ_FUZZ_EXTRA ?=
VIZ_FUZZ_OBJS := $(patsubst %.c,$(OUTPUT)/obj-fuzz/viz/%.o,$(VIZ_COLL))
$(OUTPUT)/obj-fuzz/viz/collector/%.o: collector/%.c | $(GENERATED)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) $(VIZ_FUZZ_EXTRA) -D_GNU_SOURCE \
		$(shell pkg-config --cflags jansson) -c $< -o $@
$(OUTPUT)/fuzz/fuzz_artifact: tests/fuzz/fuzz_artifact.c $(VIZ_FUZZ_OBJS) $(FUZZ_OBJS) \
		| $(GENERATED)
	$(call msg,FUZZLD,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -fsanitize=fuzzer \
		$< $(VIZ_FUZZ_OBJS) $(FUZZ_OBJS) -o $@ -pthread -lrt \
		$(shell pkg-config --libs jansson)
else
# Without Graphviz the generic test rule must not try to link this test.
$(VIZ_TESTDIR)/unit/test_viz_graph:
	$(Q)mkdir -p $(@D) && printf '#!/bin/sh\necho "test_viz_graph: viz not built (no libgvc)"\necho "0 passed, 0 failed"\n' > $@ && chmod +x $@
$(info viz: libgvc/libcgraph or jansson not found by pkg-config: skipping viz/ \
	(apt-get install libgraphviz-dev libjansson-dev))
endif
