# SPDX-License-Identifier: BSD-2-Clause
# kmod.mk: the kernel-module build of the simulated kernel (included by the
# top Makefile).  docs/kmod.md describes it.
#   make kmod        $(OUTPUT)/kmod/xnusim.ko against Debian's kernel headers,
#                    and the static test program that drives it
#   make test-kmod   boot Debian's kernel in QEMU (TCG), load the module, run
#                    the test program (tests/kmod/run-qemu.sh)
# KMOD_KVER=6.1.0-NN-amd64 picks the kernel; by default the one
# linux-headers-amd64 depends on (the recipe in NOTES.md).

KMOD_OUT    := $(OUTPUT)/kmod
KMOD_BUILD  := $(KMOD_OUT)/build
KMOD_SRC    := $(SIM)/osl/linux
KMOD_KVER   ?= $(shell apt-cache depends linux-headers-amd64 2>/dev/null | \
		 sed -n 's/^ *Depends: linux-headers-//p' | head -n 1)
KMOD_KDIR    = /usr/src/linux-headers-$(KMOD_KVER)

# Everything Kbuild compiles, mirrored into $(KMOD_BUILD) as symlinks: Kbuild
# writes objects beside their sources, and the source tree stays clean.
KMOD_MIRROR := $(CORE_SRCS) $(wildcard $(KMOD_SRC)/*.c)

# The static test program: libsyscall (freestanding, probes compiled out) over
# an ioctl backend instead of the in-process core.
KMOD_UOBJ    := $(KMOD_OUT)/user
KMOD_LIBSYS  := $(patsubst %.c,$(KMOD_UOBJ)/%.o,$(LIBSYS_SRCS) $(wildcard $(KMOD_SRC)/user/*_core.c)) \
		$(KMOD_UOBJ)/gen/init_sysent.o
KMOD_UHOST   := $(patsubst %.c,$(KMOD_UOBJ)/%.o,$(filter-out %_core.c,$(wildcard $(KMOD_SRC)/user/*.c)))
KMOD_TESTS   := $(patsubst tests/kmod/%.c,$(KMOD_OUT)/%,$(wildcard tests/kmod/*.c))

.PHONY: kmod kmod-module kmod-tests test-kmod
kmod: kmod-module kmod-tests
kmod-tests: $(KMOD_TESTS)

kmod-module: $(GEN_SRCS) | $(GENERATED)
	$(Q)test -f $(KMOD_KDIR)/Makefile || { echo "kmod: no kernel headers in" \
		"'$(KMOD_KDIR)' (make deps as root installs linux-headers-amd64)" >&2; exit 1; }
	$(Q)mkdir -p $(KMOD_BUILD)/gen && cd $(KMOD_BUILD) && \
		find . -xtype l -delete && \
		for f in $(KMOD_MIRROR); do mkdir -p $$(dirname $$f) && ln -sfn $(CURDIR)/$$f $$f; done && \
		for f in $(GEN_SRCS); do ln -sfn $(abspath $$f) gen/$$(basename $$f); done && \
		ln -sfn $(CURDIR)/$(KMOD_SRC)/Kbuild Kbuild
	$(call msg,KBUILD,$(KMOD_OUT)/xnusim.ko)
	$(Q)$(MAKE) --no-print-directory -C $(KMOD_KDIR) M=$(abspath $(KMOD_BUILD)) \
		XS_REPO=$(CURDIR) XS_GEN=$(abspath $(GEN)) \
		LDFLAGS_MODULE="-T $(CURDIR)/$(KMOD_SRC)/xs_funcs.lds" \
		$(if $(filter 1,$(V)),V=1) modules
	$(Q)cmp -s $(KMOD_BUILD)/xnusim.ko $(KMOD_OUT)/xnusim.ko || \
		cp $(KMOD_BUILD)/xnusim.ko $(KMOD_OUT)/xnusim.ko

$(KMOD_UOBJ)/gen/%.o: $(GEN)/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -DXS_NO_TRACE -c $< -o $@
$(KMOD_UOBJ)/$(SIM)/libsyscall/%.o: $(SIM)/libsyscall/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -DXS_NO_TRACE -c $< -o $@
$(KMOD_UOBJ)/$(KMOD_SRC)/user/%_core.o: $(KMOD_SRC)/user/%_core.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CORE_CFLAGS) -DXS_NO_TRACE -c $< -o $@
$(KMOD_UOBJ)/$(KMOD_SRC)/user/%.o: $(KMOD_SRC)/user/%.c | $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) -c $< -o $@
$(KMOD_UOBJ)/libxnusim-kmod.a: $(KMOD_LIBSYS) $(KMOD_UHOST)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# Static: the guest's initramfs has busybox and nothing else.
$(KMOD_TESTS): $(KMOD_OUT)/%: tests/kmod/%.c tests/harness.c tests/harness.h $(KMOD_UOBJ)/libxnusim-kmod.a \
		| $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) -static $< tests/harness.c -o $@ \
		$(KMOD_UOBJ)/libxnusim-kmod.a

test-kmod: deps
	$(Q)$(MAKE) --no-print-directory kmod
	$(Q)OUTPUT=$(OUTPUT) KMOD_KVER=$(KMOD_KVER) tests/kmod/run-qemu.sh
