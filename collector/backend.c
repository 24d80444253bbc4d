/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * backend.c: picks a backend by name and forwards the lifecycle calls.
 * "auto" is bpf when it opens (root, BTF, the skeleton loads), else inproc;
 * the caller learns why through err_msg and warns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collector/backend_bpf.h"
#include "collector/backend_internal.h"

/*
 * The bpf backend (collector/backend_bpf.c), behind the common vtable.  Weak,
 * so an xnutrace built without BPF support (no clang/bpftool) still links
 * and says so.
 */
#pragma weak xt_bpf_backend__open
#pragma weak xt_bpf_backend__attach
#pragma weak xt_bpf_backend__poll
#pragma weak xt_bpf_backend__collect
#pragma weak xt_bpf_backend__destroy

struct bpf_adapter {
	struct xt_backend b;
	struct xt_bpf_backend *impl;
};

static int bpf_attach(struct xt_backend *b)
{
	return xt_bpf_backend__attach(((struct bpf_adapter *)b)->impl);
}

static int bpf_poll(struct xt_backend *b, int timeout_ms)
{
	return xt_bpf_backend__poll(((struct bpf_adapter *)b)->impl, timeout_ms);
}

static int bpf_collect(struct xt_backend *b, struct xt_model *m)
{
	return xt_bpf_backend__collect(((struct bpf_adapter *)b)->impl, m);
}

static void bpf_destroy(struct xt_backend *b)
{
	xt_bpf_backend__destroy(((struct bpf_adapter *)b)->impl);
	free(b);
}

static const struct xt_backend_ops bpf_ops = {
	.name = "bpf",
	.attach = bpf_attach,
	.poll = bpf_poll,
	.collect = bpf_collect,
	.destroy = bpf_destroy,
};

static struct xt_backend *xt_backend_bpf__open(const struct xt_backend_opts *opts,
					       const char **err_msg)
{
	struct bpf_adapter *a = calloc(1, sizeof(*a));

	if (!a) {
		*err_msg = "out of memory";
		errno = ENOMEM;
		return NULL;
	}
	a->impl = xt_bpf_backend__open(opts, err_msg);
	if (!a->impl) {
		int e = errno;

		free(a);
		errno = e;
		return NULL;
	}
	a->b.ops = &bpf_ops;
	a->b.opts = *opts;
	return &a->b;
}

static const char *auto_reason;	/* why "auto" fell back to inproc */

const char *xt_backend__auto_reason(void)
{
	return auto_reason;
}

struct xt_backend *xt_backend__open(const char *name, const struct xt_backend_opts *opts,
				    const char **err_msg)
{
	static const char *const no_bpf = "the bpf backend is not built into this xnutrace";
	const char *msg = NULL;
	struct xt_backend *b;

	auto_reason = NULL;
	if (err_msg)
		*err_msg = NULL;
	if (!name || strcmp(name, "inproc") == 0)
		return xt_backend_inproc__open(opts, err_msg);
	if (strcmp(name, "bpf") == 0) {
		if (!xt_bpf_backend__open) {
			if (err_msg)
				*err_msg = no_bpf;
			errno = ENOTSUP;
			return NULL;
		}
		return xt_backend_bpf__open(opts, err_msg ? err_msg : &msg);
	}
	if (strcmp(name, "auto") == 0) {
		if (xt_bpf_backend__open) {
			b = xt_backend_bpf__open(opts, &msg);
			if (b)
				return b;
			auto_reason = msg ? msg : "the bpf backend did not open";
		} else {
			auto_reason = no_bpf;
		}
		return xt_backend_inproc__open(opts, err_msg);
	}
	if (err_msg)
		*err_msg = "unknown backend (auto, bpf, inproc)";
	errno = EINVAL;
	return NULL;
}

int xt_backend__attach(struct xt_backend *b)
{
	return b->ops->attach(b);
}

int xt_backend__poll(struct xt_backend *b, int timeout_ms)
{
	return b->ops->poll(b, timeout_ms);
}

int xt_backend__collect(struct xt_backend *b, struct xt_model *m)
{
	return b->ops->collect(b, m);
}

const char *xt_backend__name(const struct xt_backend *b)
{
	return b->ops->name;
}

void xt_backend__destroy(struct xt_backend *b)
{
	if (b)
		b->ops->destroy(b);
}
