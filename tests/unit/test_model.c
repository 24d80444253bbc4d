/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_model: collector/model.c aggregation from synthetic event sequences:
 * nesting, self versus inclusive time, the dispatcher around a syscall,
 * per-thread stacks, missing returns and overflows counted as drops,
 * filters, the process tree and message flows.
 */
#include <stdlib.h>
#include <string.h>

#include "collector/backend.h"
#include "collector/model.h"
#include "tests/harness.h"

#define BSD_OPEN XT_ROOT_ID(XT_FAMILY_BSD, 5)
#define MACH_MSG XT_ROOT_ID(XT_FAMILY_MACH, -47)
enum { F_DISP = 1, F_A = 2, F_B = 3, F_C = 4 };

static struct xt_event ev(uint32_t type, uint64_t ts, uint32_t host_tid, int32_t id)
{
	struct xt_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts_ns = ts;
	e.host_tid = host_tid;
	e.tid = host_tid + 100;
	e.pid = 2;
	e.id = id;
	return e;
}

static struct xt_event sys(uint32_t type, uint64_t ts, uint32_t host_tid, int family,
			   int number, int error)
{
	struct xt_event e = ev(type, ts, host_tid, number);

	e.family = family;
	e.a[1] = (uint64_t)(int64_t)error;
	return e;
}

static void feed(struct xt_model *m, struct xt_event e)
{
	EXPECT_EQ(xt_model__feed(m, &e, true), 0);
}

static const struct xt_edge *edge(struct xt_model *m, uint32_t caller, uint32_t callee,
				  uint32_t root)
{
	size_t n;
	const struct xt_edge *e = xt_model__edges(m, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].caller == caller && e[i].callee == callee && e[i].root == root)
			return &e[i];
	return NULL;
}

/*
 * A syscall as the trap front-end makes it: the dispatcher is a function
 * frame around it (the syscall ends at the latest when that frame pops).
 */
static void enter_sys(struct xt_model *m, uint64_t ts, uint32_t thr, int family, int number)
{
	feed(m, ev(XT_EV_FUNC_ENTRY, ts - 1, thr, F_DISP));
	feed(m, sys(XT_EV_SYSCALL_ENTRY, ts, thr, family, number, 0));
}

static void leave_sys(struct xt_model *m, uint64_t ts, uint32_t thr, int family, int number)
{
	feed(m, sys(XT_EV_SYSCALL_RETURN, ts, thr, family, number, 0));
	feed(m, ev(XT_EV_FUNC_RETURN, ts + 1, thr, F_DISP));
}

/* disp { syscall open { A { B } } }  on one thread */
static void open_call(struct xt_model *m, uint64_t t, uint32_t thr, int error)
{
	feed(m, ev(XT_EV_FUNC_ENTRY, t + 0, thr, F_DISP));
	feed(m, sys(XT_EV_SYSCALL_ENTRY, t + 10, thr, XT_FAMILY_BSD, 5, 0));
	feed(m, ev(XT_EV_FUNC_ENTRY, t + 20, thr, F_A));
	feed(m, ev(XT_EV_FUNC_ENTRY, t + 30, thr, F_B));
	feed(m, ev(XT_EV_FUNC_RETURN, t + 60, thr, F_B));
	feed(m, ev(XT_EV_FUNC_RETURN, t + 80, thr, F_A));
	feed(m, sys(XT_EV_SYSCALL_RETURN, t + 110, thr, XT_FAMILY_BSD, 5, error));
	feed(m, ev(XT_EV_FUNC_RETURN, t + 120, thr, F_DISP));
}

TEST(nesting_self_and_inclusive_time)
{
	struct xt_model *m = xt_model__new();
	const struct xt_edge *e;
	size_t n;

	ASSERT_TRUE(m);
	open_call(m, 1000, 7, 0);
	ASSERT_EQ(xt_model__finish(m), 0);
	e = edge(m, 0, BSD_OPEN, BSD_OPEN);	/* the syscall as a whole */
	ASSERT_TRUE(e);
	EXPECT_EQ(e->calls, 1);
	EXPECT_EQ(e->incl_ns, 100);
	EXPECT_EQ(e->self_ns, 40);		/* 100 - A's 60 */
	e = edge(m, BSD_OPEN, F_A, BSD_OPEN);	/* the handler, called by its syscall */
	ASSERT_TRUE(e);
	EXPECT_EQ(e->incl_ns, 60);
	EXPECT_EQ(e->self_ns, 30);
	e = edge(m, F_A, F_B, BSD_OPEN);
	ASSERT_TRUE(e);
	EXPECT_EQ(e->incl_ns, 30);
	EXPECT_EQ(e->self_ns, 30);
	/* the dispatcher is outside the syscall: under "(kernel)", its self excludes it */
	e = edge(m, XT_ROOT_KERNEL, F_DISP, XT_ROOT_KERNEL);
	ASSERT_TRUE(e);
	EXPECT_EQ(e->incl_ns, 120);
	EXPECT_EQ(e->self_ns, 20);
	EXPECT_TRUE(edge(m, 0, XT_ROOT_KERNEL, XT_ROOT_KERNEL) != NULL);
	const struct xt_sysstat *s = xt_model__sys(m, &n);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(s[0].count, 1);
	EXPECT_EQ(s[0].errors, 0);
	EXPECT_EQ(s[0].total_ns, 100);
	EXPECT_EQ(s[0].hist[6], 1);		/* [64, 128) */
	EXPECT_STREQ(s[0].name, "open");
	for (int k = 0; k < XT_DROP_MAX; k++)
		EXPECT_EQ(xt_model__meta(m)->drops[k], 0);
	xt_model__free(m);
}

TEST(nodes_sum_their_edges_and_stacks_are_exact)
{
	struct xt_model *m = xt_model__new();
	const struct xt_node *nd;
	const struct xt_stack *st;
	size_t n, ns;

	ASSERT_TRUE(m);
	open_call(m, 0, 7, 2);
	open_call(m, 1000, 7, 0);
	ASSERT_EQ(xt_model__finish(m), 0);
	nd = xt_model__nodes(m, &n);
	for (size_t i = 0; i < n; i++)
		if (nd[i].id == F_B) {
			EXPECT_EQ(nd[i].calls, 2);
			EXPECT_EQ(nd[i].incl_ns, 60);
		}
	EXPECT_EQ(xt_model__sys(m, &ns)[0].errors, 1);
	/* calling-context tree: open -> A -> B, parents first */
	st = xt_model__stacks(m, &ns);
	bool found = false;
	for (size_t i = 0; i < ns; i++) {
		EXPECT_TRUE(st[i].parent <= i);
		if (st[i].id == F_B && st[i].parent && st[st[i].parent - 1].id == F_A) {
			uint32_t a = st[i].parent - 1;

			found = st[a].parent && st[st[a].parent - 1].id == BSD_OPEN &&
				st[i].calls == 2 && st[i].self_ns == 60;
		}
	}
	EXPECT_TRUE(found);
	xt_model__free(m);
}

TEST(threads_have_their_own_stacks)
{
	struct xt_model *m = xt_model__new();
	const struct xt_edge *e;

	ASSERT_TRUE(m);
	/* two threads interleaved, same functions: no cross-talk, no drops */
	enter_sys(m, 1, 1, XT_FAMILY_BSD, 5);
	enter_sys(m, 5, 2, XT_FAMILY_MACH, -47);
	feed(m, ev(XT_EV_FUNC_ENTRY, 10, 1, F_A));
	feed(m, ev(XT_EV_FUNC_ENTRY, 12, 2, F_A));
	feed(m, ev(XT_EV_FUNC_RETURN, 20, 1, F_A));
	feed(m, ev(XT_EV_FUNC_RETURN, 50, 2, F_A));
	leave_sys(m, 30, 1, XT_FAMILY_BSD, 5);
	leave_sys(m, 60, 2, XT_FAMILY_MACH, -47);
	ASSERT_EQ(xt_model__finish(m), 0);
	e = edge(m, BSD_OPEN, F_A, BSD_OPEN);
	ASSERT_TRUE(e);
	EXPECT_EQ(e->incl_ns, 10);
	e = edge(m, MACH_MSG, F_A, MACH_MSG);
	ASSERT_TRUE(e);
	EXPECT_EQ(e->incl_ns, 38);
	EXPECT_EQ(xt_model__meta(m)->drops[XT_DROP_STACK_UNDERFLOW], 0);
	EXPECT_STREQ(xt_model__node_name(m, MACH_MSG), "mach_msg2_trap");
	xt_model__free(m);
}

TEST(first_calls_before_the_thread_is_bound_pair_up)
{
	struct xt_model *m = xt_model__new();
	struct xt_event a = ev(XT_EV_FUNC_ENTRY, 0, 9, F_A);

	ASSERT_TRUE(m);
	a.tid = 0;		/* no simulated thread yet */
	a.pid = 0;
	feed(m, a);
	feed(m, ev(XT_EV_FUNC_RETURN, 10, 9, F_A));	/* bound now: tid 109 */
	ASSERT_EQ(xt_model__finish(m), 0);
	EXPECT_TRUE(edge(m, XT_ROOT_KERNEL, F_A, XT_ROOT_KERNEL) != NULL);
	EXPECT_EQ(xt_model__meta(m)->drops[XT_DROP_STACK_UNDERFLOW], 0);
	xt_model__free(m);
}

TEST(missing_returns_are_drops)
{
	struct xt_model *m = xt_model__new();
	const struct xt_edge *e;

	ASSERT_TRUE(m);
	enter_sys(m, 1, 1, XT_FAMILY_BSD, 5);
	feed(m, ev(XT_EV_FUNC_ENTRY, 10, 1, F_A));
	feed(m, ev(XT_EV_FUNC_ENTRY, 20, 1, F_B));
	feed(m, ev(XT_EV_FUNC_ENTRY, 25, 1, F_C));
	/* C's and B's returns were lost */
	feed(m, ev(XT_EV_FUNC_RETURN, 40, 1, F_A));
	feed(m, ev(XT_EV_FUNC_RETURN, 41, 1, F_C));	/* a return without an entry */
	leave_sys(m, 50, 1, XT_FAMILY_BSD, 5);
	feed(m, sys(XT_EV_SYSCALL_RETURN, 60, 1, XT_FAMILY_BSD, 5, 0));	/* entry lost */
	ASSERT_EQ(xt_model__finish(m), 0);
	EXPECT_EQ(xt_model__meta(m)->drops[XT_DROP_STACK_UNDERFLOW], 4);
	e = edge(m, F_A, F_B, BSD_OPEN);	/* closed where its caller returned */
	ASSERT_TRUE(e);
	EXPECT_EQ(e->incl_ns, 20);
	size_t n;
	const struct xt_sysstat *s = xt_model__sys(m, &n);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(s[0].count, 1);
	xt_model__free(m);
}

TEST(deeper_than_the_shadow_stack_is_an_overflow)
{
	struct xt_model *m = xt_model__new();
	const int deep = XT_MAX_DEPTH + 2;

	ASSERT_TRUE(m);
	enter_sys(m, 1, 1, XT_FAMILY_BSD, 5);
	for (int i = 0; i < deep; i++)
		feed(m, ev(XT_EV_FUNC_ENTRY, 10 + i, 1, F_A));
	for (int i = 0; i < deep; i++)
		feed(m, ev(XT_EV_FUNC_RETURN, 100 + i, 1, F_A));
	leave_sys(m, 200, 1, XT_FAMILY_BSD, 5);
	ASSERT_EQ(xt_model__finish(m), 0);
	/* the dispatcher takes one slot: 3 of the 50 do not fit */
	EXPECT_EQ(xt_model__meta(m)->drops[XT_DROP_STACK_OVERFLOW], 3);
	EXPECT_EQ(xt_model__meta(m)->drops[XT_DROP_STACK_UNDERFLOW], 0);
	ASSERT_TRUE(edge(m, F_A, F_A, BSD_OPEN) != NULL);
	EXPECT_EQ(edge(m, F_A, F_A, BSD_OPEN)->calls, XT_MAX_DEPTH - 2);
	size_t n;
	const struct xt_sysstat *s = xt_model__sys(m, &n);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(s[0].count, 1);
	xt_model__free(m);
}

TEST(filters_select_family_and_depth)
{
	struct xt_model *m = xt_model__new();
	struct xt_filter f = { .pid = -1, .family = XT_FAMILY_MACH, .number = INT32_MIN };
	size_t n;

	ASSERT_TRUE(m);
	xt_model__set_filter(m, &f);
	open_call(m, 0, 1, 0);
	ASSERT_EQ(xt_model__finish(m), 0);
	xt_model__sys(m, &n);
	EXPECT_EQ(n, 0);
	xt_model__edges(m, &n);
	EXPECT_EQ(n, 0);
	xt_model__free(m);

	m = xt_model__new();
	ASSERT_TRUE(m);
	f = (struct xt_filter){ .pid = -1, .number = INT32_MIN, .max_depth = 1 };
	xt_model__set_filter(m, &f);
	open_call(m, 0, 1, 0);
	ASSERT_EQ(xt_model__finish(m), 0);
	EXPECT_TRUE(edge(m, BSD_OPEN, F_A, BSD_OPEN) != NULL);
	EXPECT_TRUE(edge(m, F_A, F_B, BSD_OPEN) == NULL);	/* depth 2 */
	xt_model__free(m);
}

TEST(process_tree_and_flows)
{
	struct xt_model *m = xt_model__new();
	struct xt_event e;
	const struct xt_proc *p;
	const struct xt_flow *fl;
	size_t n;

	ASSERT_TRUE(m);
	e = ev(XT_EV_PROC_CREATE, 0, 1, 0);	/* pid 2 attached under launchd */
	e.a[0] = 1;
	e.a[1] = 1;
	feed(m, e);
	e = ev(XT_EV_PROC_CREATE, 10, 1, 0);	/* pid 3 forked from 2 */
	e.pid = 3;
	e.a[0] = 2;
	e.a[1] = 2;
	feed(m, e);
	e = ev(XT_EV_PROC_EXEC, 20, 2, 0);
	e.pid = 3;
	strcpy(e.str, "/bin/child");
	feed(m, e);
	e = ev(XT_EV_MSG_SEND, 25, 1, 0);
	e.a[0] = 77;
	feed(m, e);
	e = ev(XT_EV_MSG_RECEIVE, 27, 2, 0);
	e.pid = 3;
	e.a[0] = 77;
	feed(m, e);
	e = ev(XT_EV_PROC_EXIT, 30, 2, 0);
	e.pid = 3;
	e.a[0] = 3 << 8;
	feed(m, e);
	ASSERT_EQ(xt_model__finish(m), 0);
	p = xt_model__procs(m, &n);
	ASSERT_EQ(n, 2);
	EXPECT_EQ(p[0].pid, 2);
	EXPECT_EQ(p[0].how, 1);
	EXPECT_EQ(p[1].pid, 3);
	EXPECT_EQ(p[1].ppid, 2);
	EXPECT_EQ(p[1].how, 2);
	ASSERT_EQ(p[1].nexecs, 1);
	EXPECT_STREQ(p[1].execs[0], "/bin/child");
	EXPECT_STREQ(p[1].comm, "/bin/child");
	EXPECT_TRUE(p[1].exited);
	EXPECT_EQ(p[1].status, 3 << 8);
	fl = xt_model__flows(m, &n);
	ASSERT_EQ(n, 3);		/* fork, exec, msg */
	EXPECT_EQ(fl[0].kind, XT_FLOW_FORK);
	EXPECT_EQ(fl[2].kind, XT_FLOW_MSG);
	EXPECT_EQ(fl[2].from_tid, 101);
	EXPECT_EQ(fl[2].to_tid, 102);
	EXPECT_EQ(fl[2].to_ts - fl[2].from_ts, 2);
	xt_model__free(m);
}

TEST(output_is_sorted)
{
	struct xt_model *m = xt_model__new();
	const struct xt_edge *e;
	size_t n;

	ASSERT_TRUE(m);
	enter_sys(m, 1, 1, XT_FAMILY_MACH, -47);
	feed(m, ev(XT_EV_FUNC_ENTRY, 2, 1, F_C));
	feed(m, ev(XT_EV_FUNC_RETURN, 3, 1, F_C));
	leave_sys(m, 4, 1, XT_FAMILY_MACH, -47);
	open_call(m, 10, 1, 0);
	ASSERT_EQ(xt_model__finish(m), 0);
	e = xt_model__edges(m, &n);
	for (size_t i = 1; i < n; i++)
		EXPECT_TRUE(e[i - 1].root < e[i].root ||
			    (e[i - 1].root == e[i].root && (e[i - 1].caller < e[i].caller ||
			     (e[i - 1].caller == e[i].caller && e[i - 1].callee < e[i].callee))));
	xt_model__free(m);
}
