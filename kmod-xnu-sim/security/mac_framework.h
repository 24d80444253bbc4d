/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mac_framework.h: the MAC Framework (MACF) hooks the model calls.  In XNU
 * these ask the loaded policies (Sandbox, AMFI, ...), which are closed
 * source; here every hook allows, but is a real function so a call graph
 * shows where XNU consults policy.  Corresponds to security/mac_framework.h.
 */
#ifndef XS_SECURITY_MAC_FRAMEWORK_H
#define XS_SECURITY_MAC_FRAMEWORK_H

#include <stdint.h>

struct ucred;
struct fileglob;
struct vnode;
struct componentname;

/* security/mac_file.c */
int xs_mac_file_check_create(const struct ucred *cred);
void xs_mac_file_notify_close(const struct ucred *cred, struct fileglob *fg);
int xs_mac_file_check_fcntl(const struct ucred *cred, struct fileglob *fg, int cmd);
int xs_mac_file_check_mmap(const struct ucred *cred, struct fileglob *fg, int prot,
			   int flags, uint64_t file_pos, int *maxprot);

/* security/mac_process.c */
struct proc;
int xs_mac_proc_check_map_anon(struct proc *p, uint64_t addr, uint64_t size, int prot,
			       int flags, int *maxprot);
int xs_mac_proc_check_mprotect(struct proc *p, uint64_t addr, uint64_t size, int prot);
int xs_mac_proc_check_get_task(const struct ucred *cred, struct proc *target, int flavor);

/* security/mac_vfs.c */
int xs_mac_vnode_check_open(const struct ucred *cred, struct vnode *vp, int acc_mode);
int xs_mac_vnode_check_create(const struct ucred *cred, struct vnode *dvp,
			      struct componentname *cnp);
int xs_mac_vnode_check_lookup(const struct ucred *cred, struct vnode *dvp,
			      struct componentname *cnp);
int xs_mac_vnode_check_read(const struct ucred *cred, struct vnode *vp);
int xs_mac_vnode_check_write(const struct ucred *cred, struct vnode *vp);
int xs_mac_vnode_check_stat(const struct ucred *cred, struct vnode *vp);
int xs_mac_vnode_check_unlink(const struct ucred *cred, struct vnode *dvp, struct vnode *vp);
int xs_mac_vnode_check_chdir(const struct ucred *cred, struct vnode *vp);
struct cs_blob;
struct image_params;
int xs_mac_vnode_check_signature(struct vnode *vp, struct cs_blob *cs_blob,
				 struct image_params *imgp, unsigned int *cs_flags,
				 unsigned int *signer_type, int flags, unsigned int platform);

#endif /* XS_SECURITY_MAC_FRAMEWORK_H */
