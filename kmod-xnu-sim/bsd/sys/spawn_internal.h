/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawn_internal.h: the structures posix_spawn (BSD 244) copies in from user
 * space: the argument descriptor, the attributes and the file actions, in
 * the LP64 layouts libsystem_kernel and XNU agree on.  Shared by the kernel
 * (kern_spawn.c) and the user-side stubs (libsyscall/exec_stubs.c), which
 * build them as libc does.  Corresponds to bsd/sys/spawn_internal.h.
 */
#ifndef XS_SYS_SPAWN_INTERNAL_H
#define XS_SYS_SPAWN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "darwin/struct_spawn.h"

/* struct _posix_spawn_args_desc (LP64): nine {size, pointer} pairs. */
struct xs_posix_spawn_args_desc {
	uint64_t attr_size;
	uint64_t attrp;			/* struct _posix_spawnattr * */
	uint64_t file_actions_size;
	uint64_t file_actions;		/* struct _posix_spawn_file_actions * */
	uint64_t port_actions_size;
	uint64_t port_actions;
	uint64_t mac_extensions_size;
	uint64_t mac_extensions;
	uint64_t coal_info_size;
	uint64_t coal_info;
	uint64_t persona_info_size;
	uint64_t persona_info;
	uint64_t posix_cred_info_size;
	uint64_t posix_cred_info;
	uint64_t subsystem_root_path_size;
	uint64_t subsystem_root_path;
	uint64_t conclave_id_size;
	uint64_t conclave_id;
};

/* struct _posix_spawnattr (LP64 user layout, 248 bytes). */
struct xs_posix_spawnattr {
	int16_t psa_flags;		/* POSIX_SPAWN_* */
	int16_t flags_padding;
	uint32_t psa_sigdefault;	/* sigset_t */
	uint32_t psa_sigmask;
	int32_t psa_pgroup;
	int32_t psa_binprefs[4];
	int32_t psa_pcontrol;
	int32_t psa_apptype;
	uint64_t psa_cpumonitor_percent;
	uint64_t psa_cpumonitor_interval;
	uint64_t psa_reserved;
	int16_t psa_jetsam_flags;
	int16_t short_padding;
	int32_t psa_priority;
	int32_t psa_memlimit_active;
	int32_t psa_memlimit_inactive;
	uint64_t psa_qos_clamp;
	int32_t psa_darwin_role;
	int32_t psa_thread_limit;
	uint64_t psa_max_addr;
	uint8_t psa_no_smt;
	uint8_t psa_tecs;
	uint8_t pad0[2];
	int32_t psa_platform;
	int32_t psa_subcpuprefs[4];
	uint32_t psa_options;
	uint32_t psa_port_soft_limit;
	uint32_t psa_port_hard_limit;
	uint32_t psa_filedesc_soft_limit;
	uint32_t psa_filedesc_hard_limit;
	uint32_t psa_crash_behavior;
	int32_t psa_dataless_iopolicy;
	uint32_t pad1;
	uint64_t psa_crash_behavior_deadline;
	uint8_t psa_launch_type;
	uint8_t pad2;
	uint16_t psa_sec_flags;
	uint32_t psa_crash_count;
	uint32_t psa_throttle_timeout;
	uint32_t psa_kqworkloop_soft_limit;
	uint32_t psa_kqworkloop_hard_limit;
	uint32_t pad3;
	uint64_t psa_ports[7];		/* user pointers; the kernel never reads them */
};

/* The kernel copies in only the bytes before the trailing pointer block. */
#define XS_PSA_KERNEL_SIZE offsetof(struct xs_posix_spawnattr, psa_ports)

#define XS_PATH_MAX 1024

/* _psfa_action_t: one fixed-size file action record (1040 bytes). */
struct xs_psfa_action {
	int32_t psfaa_type;		/* PSFA_* */
	int32_t psfaa_filedes;		/* union with psfaa_fileport */
	union {
		struct {
			int32_t psfao_oflag;
			uint16_t psfao_mode;
			char psfao_path[XS_PATH_MAX];
		} __attribute__((packed)) psfaa_openargs;
		struct {
			int32_t psfad_newfiledes;
		} psfaa_dup2args;
		struct {
			char psfac_path[XS_PATH_MAX];
		} psfaa_chdirargs;
		uint8_t psfaa_union_pad[1032];
	} u;
};

/* struct _posix_spawn_file_actions: a header, then psfa_act_count records. */
struct xs_posix_spawn_file_actions {
	int32_t psfa_act_alloc;
	int32_t psfa_act_count;
	struct xs_psfa_action psfa_act_acts[];
};

/* PSF_ACTIONS_SIZE(x): the byte size the kernel insists on for x actions. */
#define XS_PSF_ACTIONS_SIZE(x) \
	(sizeof(struct xs_posix_spawn_file_actions) + (size_t)(x) * sizeof(struct xs_psfa_action))

#define XS_SPAWN_CHECK(type, field, tsv) \
	_Static_assert(offsetof(struct type, field) == XS_STRUCT_SPAWN__##tsv, #type "." #field)
_Static_assert(sizeof(struct xs_posix_spawn_args_desc) ==
	       XS_STRUCT_SPAWN__sizeof_struct__posix_spawn_args_desc, "args_desc");
_Static_assert(sizeof(struct xs_posix_spawnattr) ==
	       XS_STRUCT_SPAWN__sizeof_struct__posix_spawnattr, "spawnattr");
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_sigdefault, posix_spawnattr_psa_sigdefault);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_sigmask, posix_spawnattr_psa_sigmask);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_pgroup, posix_spawnattr_psa_pgroup);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_pcontrol, posix_spawnattr_psa_pcontrol);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_jetsam_flags, posix_spawnattr_psa_jetsam_flags);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_qos_clamp, posix_spawnattr_psa_qos_clamp);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_no_smt, posix_spawnattr_psa_no_smt);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_platform, posix_spawnattr_psa_platform);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_options, posix_spawnattr_psa_options);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_crash_behavior_deadline,
	       posix_spawnattr_psa_crash_behavior_deadline);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_sec_flags, posix_spawnattr_psa_sec_flags);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_kqworkloop_hard_limit,
	       posix_spawnattr_psa_kqworkloop_hard_limit);
XS_SPAWN_CHECK(xs_posix_spawnattr, psa_ports, posix_spawnattr_psa_ports);
_Static_assert(sizeof(struct xs_psfa_action) == XS_STRUCT_SPAWN__sizeof__psfa_action_t, "psfa");
_Static_assert(offsetof(struct xs_psfa_action, u.psfaa_openargs.psfao_mode) ==
	       XS_STRUCT_SPAWN__psfa_action_t_psfao_mode, "psfao_mode");
_Static_assert(offsetof(struct xs_psfa_action, u.psfaa_openargs.psfao_path) ==
	       XS_STRUCT_SPAWN__psfa_action_t_psfao_path, "psfao_path");
_Static_assert(offsetof(struct xs_psfa_action, u.psfaa_dup2args.psfad_newfiledes) ==
	       XS_STRUCT_SPAWN__psfa_action_t_psfad_newfiledes, "psfad_newfiledes");
_Static_assert(offsetof(struct xs_psfa_action, u.psfaa_chdirargs.psfac_path) ==
	       XS_STRUCT_SPAWN__psfa_action_t_psfac_path, "psfac_path");
_Static_assert(offsetof(struct xs_posix_spawn_file_actions, psfa_act_acts) ==
	       XS_STRUCT_SPAWN__posix_spawn_file_actions_header, "psfa header");

#endif /* XS_SYS_SPAWN_INTERNAL_H */
