/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * viz_fixture.h: recordings for the viz tests, built by feeding ordered
 * events through xt_model__feed (so they carry exact stacks, nodes, edges
 * and statistics exactly as the inproc backend's would), with the real
 * function registry of libxnusim.so (ids, names, XNU paths).
 *
 * A spec is lines; leading spaces give the depth:
 *	"@1 2 x3"           a syscall root: family, number, repeated 3 times
 *	" fork1 400"        a function and its self time in ns
 * Header-only (static), included by one test or tool each.
 */
#ifndef XS_TESTS_VIZ_FIXTURE_H
#define XS_TESTS_VIZ_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/model.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

#define FX_MAX 256

struct fx_node {
	int depth, kid[32], nkids;
	char name[64];
	unsigned long self;
	int family, number, repeat;
};

struct fx {
	struct xt_model *m;
	uint64_t ts;
	int pid;
};

static uint32_t fx_fid(const char *name)
{
	const struct xs_func *f = xs_func_registry_find(name);

	return f ? f->xf_id : 0;
}

static int fx_event(struct fx *x, int type, int family, int id)
{
	struct xt_event ev = { 0 };

	ev.ts_ns = x->ts;
	ev.tid = 100 + x->pid;
	ev.type = type;
	ev.machine = 1;
	ev.pid = x->pid;
	ev.family = family;
	ev.id = id;
	return xt_model__feed(x->m, &ev, true);
}

static int fx_run(struct fx *x, struct fx_node *n, int at);

/* As on arm64: sleh_synchronous -> handle_svc -> unix_syscall | mach_syscall -> root. */
static int fx_dispatch(struct fx *x, struct fx_node *n, int at)
{
	const char *d[3] = { "sleh_synchronous", "handle_svc",
			     n[at].family == XT_FAMILY_MACH ? "mach_syscall" : "unix_syscall" };
	int err = 0, k;

	for (k = 0; k < 3 && !err; k++, x->ts += 20)
		err = fx_event(x, XT_EV_FUNC_ENTRY, 0, (int)fx_fid(d[k]));
	if (!err)
		err = fx_run(x, n, at);
	for (k = 2; k >= 0 && !err; k--, x->ts += 20)
		err = fx_event(x, XT_EV_FUNC_RETURN, 0, (int)fx_fid(d[k]));
	return err;
}

static int fx_run(struct fx *x, struct fx_node *n, int at)
{
	struct fx_node *v = &n[at];
	bool root = v->name[0] == '@';
	int err = root ? fx_event(x, XT_EV_SYSCALL_ENTRY, v->family, v->number)
		       : fx_event(x, XT_EV_FUNC_ENTRY, 0, (int)fx_fid(v->name));
	unsigned long chunk = v->self / (unsigned long)(v->nkids + 1);

	for (int k = 0; k < v->nkids && !err; k++) {
		x->ts += chunk;
		err = fx_run(x, n, v->kid[k]);
	}
	x->ts += v->self - chunk * (unsigned long)v->nkids;
	if (err)
		return err;
	return root ? fx_event(x, XT_EV_SYSCALL_RETURN, v->family, v->number)
		    : fx_event(x, XT_EV_FUNC_RETURN, 0, (int)fx_fid(v->name));
}

/* Feed one spec (see above) as process pid.  0 or -errno (-ENOENT: unknown name). */
static int fx_feed(struct xt_model *m, int pid, const char *spec)
{
	static struct fx_node n[FX_MAX];
	int nn = 0, stack[64], sp = 0, err = 0;
	struct fx x = { m, 1000, pid };
	const char *p = spec;

	while (*p && nn < FX_MAX) {
		struct fx_node *v = &n[nn];
		int depth = 0;

		memset(v, 0, sizeof(*v));
		while (*p == ' ')
			depth++, p++;
		v->depth = depth;
		v->repeat = 1;
		if (*p == '@') {
			sscanf(p, "@%d %d x%d", &v->family, &v->number, &v->repeat);
			snprintf(v->name, sizeof(v->name), "@");
			v->self = 100;
		} else {
			sscanf(p, "%63s %lu", v->name, &v->self);
			if (!fx_fid(v->name))
				return -ENOENT;
		}
		while (sp && n[stack[sp - 1]].depth >= depth)
			sp--;
		if (sp)
			n[stack[sp - 1]].kid[n[stack[sp - 1]].nkids++] = nn;
		stack[sp++] = nn++;
		p = strchr(p, '\n');
		p = p ? p + 1 : "";
	}
	for (int i = 0; i < nn && !err; i++)
		if (n[i].depth == 0)
			for (int r = 0; r < n[i].repeat && !err; r++)
				err = fx_dispatch(&x, n, i);
	return err;
}

/* A model with the registry, metadata and the given process's spec fed. */
static struct xt_model *fx_model(const char *arch, const char *command, const char *spec)
{
	struct xt_model *m = xt_model__new();
	struct xt_meta *mt;
	uint32_t count = xs_func_registry_count();

	if (!m)
		return NULL;
	xs_func_registry_init();
	count = xs_func_registry_count();
	for (uint32_t id = 1; id <= count; id++) {
		const struct xs_func *f = xs_func_registry_get(id);

		if (xt_model__add_func(m, id, f->xf_name, xs_func_xnu_path(f))) {
			xt_model__free(m);
			return NULL;
		}
	}
	if (fx_feed(m, 2, spec) || xt_model__finish(m)) {
		xt_model__free(m);
		return NULL;
	}
	mt = xt_model__meta(m);
	free(mt->backend);
	free(mt->arch);
	free(mt->command);
	mt->backend = strdup("inproc");
	mt->arch = strdup(arch);
	mt->command = strdup(command);
	mt->machine = 1;
	mt->funcs_registered = count;
	return m;
}

/* fork + exec and posix_spawn: the same job two ways (paths as in XNU). */
static const char fx_fork_spec[] =
	"@1 2 x4\n"
	" cloneproc 300\n"
	"  forkproc 200\n"
	"   zalloc_flags 40\n"
	"   fdt_fork 120\n"
	"    fileproc_alloc_init 30\n"
	"     zalloc_flags 40\n"
	"  fork_create_child 400\n"
	"   task_create_internal 300\n"
	"    ipc_space_create 150\n"
	"     zalloc_flags 40\n"
	"    zalloc_flags 40\n"
	"   vm_map_fork 900\n"
	"    vm_map_fork_copy 1600\n"
	"     zalloc_flags 40\n"
	"    vm_map_fork_share 300\n"
	"   thread_create_internal 250\n"
	"    zalloc_flags 40\n"
	"   uthread_init 60\n"
	"@1 59 x4\n"
	" exec_mach_imgact 500\n"
	"  load_machfile 700\n"
	"   vm_map_enter 300\n"
	"    zalloc_flags 40\n"
	"  fdt_exec 80\n"
	"  execsigs 40\n"
	"@1 5 x10\n"
	" open1 200\n"
	"  namei 300\n"
	"   VNOP_LOOKUP 150\n"
	"  vn_open_auth 120\n"
	"   VNOP_OPEN 80\n"
	"  falloc_withinit 90\n"
	"   fileproc_alloc_init 30\n"
	"    zalloc_flags 40\n"
	"@2 -47 x6\n"
	" mach_msg2_trap 150\n"
	"  ipc_kmsg_alloc 90\n"
	"   zalloc_flags 40\n"
	"  ipc_kmsg_send 200\n";

static const char fx_spawn_spec[] =
	"@1 244 x4\n"
	" fork_create_child 350\n"
	"  task_create_internal 300\n"
	"   ipc_space_create 150\n"
	"    zalloc_flags 40\n"
	"   zalloc_flags 40\n"
	"  thread_create_internal 250\n"
	"   zalloc_flags 40\n"
	"  uthread_init 60\n"
	" exec_mach_imgact 500\n"
	"  load_machfile 700\n"
	"   vm_map_enter 300\n"
	"    zalloc_flags 40\n"
	"  fdt_exec 80\n"
	"  execsigs 40\n"
	"@1 5 x10\n"
	" open1 200\n"
	"  namei 300\n"
	"   VNOP_LOOKUP 150\n"
	"  vn_open_auth 120\n"
	"   VNOP_OPEN 80\n"
	"  falloc_withinit 90\n"
	"   fileproc_alloc_init 30\n"
	"    zalloc_flags 40\n"
	"@2 -47 x6\n"
	" mach_msg2_trap 150\n"
	"  ipc_kmsg_alloc 90\n"
	"   zalloc_flags 40\n"
	"  ipc_kmsg_send 200\n";

#endif /* XS_TESTS_VIZ_FIXTURE_H */
