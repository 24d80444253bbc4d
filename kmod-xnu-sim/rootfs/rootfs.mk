# SPDX-License-Identifier: BSD-2-Clause
# rootfs.mk: the simulated root file system (included by the top Makefile).
# The programs behind /bin/sh, /usr/bin/true and /usr/bin/false, then
# OUTPUT/rootfs with Mach-O images (mkmacho) bound to them and to every
# example, and the manifest the kernel fills its root from at boot.

ROOTFS       := $(OUTPUT)/rootfs
ROOTFS_BIN   := $(OUTPUT)/rootfs-bin
ROOTFS_SRCS  := $(wildcard $(SIM)/rootfs/bin/*.c)
ROOTFS_PROGS := $(patsubst $(SIM)/rootfs/bin/%.c,$(ROOTFS_BIN)/%,$(ROOTFS_SRCS))
ROOTFS_FILES := $(wildcard $(SIM)/rootfs/etc/*)

.PHONY: rootfs
rootfs: $(ROOTFS)/manifest.tsv
all: rootfs
tests: rootfs

$(ROOTFS_BIN)/%: $(SIM)/rootfs/bin/%.c $(LIBXNUSIM) | $(GENERATED)
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(PROG_CFLAGS) $< -o $@ $(PROG_LDFLAGS) -lxnusim

$(ROOTFS)/manifest.tsv: $(SIM)/rootfs/manifest.tsv $(SIM)/rootfs/mkrootfs.sh \
		$(OUTPUT)/bin/mkmacho $(ROOTFS_PROGS) $(ROOTFS_FILES) $(EXAMPLES)
	$(call msg,ROOTFS,$(ROOTFS))
	$(Q)$(SIM)/rootfs/mkrootfs.sh $(OUTPUT) $<
