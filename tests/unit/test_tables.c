/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tables: the generated sysent[558] and mach_trap_table[128] against
 * the vendored TSVs, read at run time (run from the repository root), slot
 * by slot: name, argument count, return type, kdebug id, status, handler.
 */
#include <stdio.h>
#include <string.h>

#include "tests/harness.h"

#include "kmod-xnu-sim/bsd/sys/sysent.h"
#include "kmod-xnu-sim/osfmk/kern/syscall_sw.h"

#define MAXCOL 32
#define LINE 4096

struct tsv {
	FILE *f;
	char head[LINE], line[LINE];
	char *hcol[MAXCOL], *col[MAXCOL];
	int nhead, ncol;
};

static int split(char *s, char **out)
{
	int n = 0;

	s[strcspn(s, "\r\n")] = '\0';
	for (char *p = s; n < MAXCOL; n++) {
		out[n] = p;
		p = strchr(p, '\t');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	return n;
}

static int tsv_open(struct tsv *t, const char *path)
{
	t->f = fopen(path, "r");
	if (!t->f || !fgets(t->head, sizeof(t->head), t->f))
		return -1;
	t->nhead = split(t->head, t->hcol);
	return 0;
}

static int tsv_next(struct tsv *t)
{
	if (!fgets(t->line, sizeof(t->line), t->f))
		return 0;
	t->ncol = split(t->line, t->col);
	return 1;
}

static const char *get(struct tsv *t, const char *name)
{
	for (int i = 0; i < t->nhead && i < t->ncol; i++)
		if (strcmp(t->hcol[i], name) == 0)
			return t->col[i];
	return "";
}

/* strtol(s, NULL, 0) without <stdlib.h>, whose types clash with the kernel's. */
static long num(const char *s)
{
	long v = 0, sign = 1;
	int base = 10;

	if (*s == '-') {
		sign = -1;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0' :
			(*s >= 'a' && *s <= 'f') ? *s - 'a' + 10 :
			(*s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return sign * v;
}

/* The stub a slot really holds on macOS RELEASE ("nosys(old)" -> "nosys"). */
static void effective_name(struct tsv *t, char *out, size_t len)
{
	const char *guard = get(t, "if_guard_false");

	if (strcmp(get(t, "status"), get(t, "status_macos_release")) != 0 && strcmp(guard, "-"))
		snprintf(out, len, "%.*s", (int)strcspn(guard, "("), guard);
	else
		snprintf(out, len, "%s", get(t, "name"));
}

TEST(sysent_matches_tsv_for_all_558_slots)
{
	struct tsv t;
	int rows = 0, bad = 0;

	ASSERT_EQ(tsv_open(&t, "kmod-xnu-sim/tables/bsd-syscalls.tsv"), 0);
	while (tsv_next(&t)) {
		long n = num(get(&t, "number"));
		const char *st = get(&t, "status_macos_release");
		char name[64];
		const struct sysent *e;
		int stub;

		if (n < 0 || n >= XS_NSYSENT) {
			bad++;
			continue;
		}
		e = &xs_sysent[n];
		rows++;
		effective_name(&t, name, sizeof(name));
		stub = strcmp(name, "nosys") == 0 || strcmp(name, "enosys") == 0;
		bad += !EXPECT_EQ(e->sy_kdebug, num(get(&t, "kdebug_debugid")));
		bad += !EXPECT_EQ(e->sy_kdebug, 0x040C0000 + 4 * n);
		if (strcmp(st, "indirect") == 0) {
			bad += !EXPECT_EQ(e->sy_status, XS_SY_INDIRECT);
			bad += !EXPECT_TRUE(e->sy_call == xs_nosys);
			continue;
		}
		if (stub) {	/* nosys, enosys, and "old" slots holding either */
			int en = strcmp(name, "enosys") == 0;

			bad += !EXPECT_STREQ(e->sy_name, name);
			bad += !EXPECT_EQ(e->sy_status, en ? XS_SY_ENOSYS : XS_SY_NOSYS);
			bad += !EXPECT_TRUE(e->sy_call == (en ? xs_enosys : xs_nosys));
			bad += !EXPECT_EQ(e->sy_narg, 0);
			bad += !EXPECT_EQ(e->sy_return_type, _SYSCALL_RET_INT_T);
			continue;
		}
		bad += !EXPECT_STREQ(st, "implemented");
		bad += !EXPECT_STREQ(e->sy_name, name);
		bad += !EXPECT_EQ(e->sy_status, XS_SY_IMPLEMENTED);
		bad += !EXPECT_EQ(e->sy_narg, num(get(&t, "nargs")));
		bad += !EXPECT_EQ(e->sy_return_type, num(get(&t, "sy_return_type_val")));
		bad += !EXPECT_EQ(e->sy_arg_bytes, num(get(&t, "sy_arg_bytes32")));
		bad += !EXPECT_TRUE(e->sy_call != xs_nosys && e->sy_call != xs_enosys);
		if (bad > 20)
			break;
	}
	fclose(t.f);
	EXPECT_EQ(rows, XS_NSYSENT);
	EXPECT_EQ(bad, 0);
}

TEST(sysent_known_slots)
{
	EXPECT_STREQ(xs_sysent[SYS_invalid].sy_name, "nosys");		/* 63 */
	EXPECT_TRUE(xs_sysent[SYS_invalid].sy_call == xs_nosys);
	EXPECT_STREQ(xs_sysent[66].sy_name, "nosys");			/* vfork is gone */
	EXPECT_EQ(xs_sysent[SYS_syscall].sy_status, XS_SY_INDIRECT);
	EXPECT_STREQ(xs_sysent[3].sy_name, "read");
	EXPECT_EQ(xs_sysent[3].sy_return_type, _SYSCALL_RET_SSIZE_T);
	EXPECT_EQ(xs_sysent[199].sy_return_type, _SYSCALL_RET_OFF_T);		/* lseek */
	EXPECT_EQ(xs_sysent[197].sy_return_type, _SYSCALL_RET_ADDR_T);		/* mmap */
	EXPECT_EQ(xs_sysent[197].sy_narg, 6);
	EXPECT_EQ(xs_sysent[372].sy_return_type, _SYSCALL_RET_UINT64_T);	/* thread_selfid */
	EXPECT_STREQ(xs_sysent[6].sy_name, "sys_close");
	EXPECT_EQ(xs_sysent[3].sy_kdebug, 0x040C000C);
}

TEST(mach_trap_table_matches_tsv_for_all_128_slots)
{
	struct tsv t;
	int rows = 0, bad = 0;

	ASSERT_EQ(tsv_open(&t, "kmod-xnu-sim/tables/mach-traps.tsv"), 0);
	while (tsv_next(&t)) {
		long i = num(get(&t, "table_index"));
		int valid = strcmp(get(&t, "status"), "kern_invalid") != 0;
		const struct mach_trap *e;

		if (i < 0 || i >= XS_MACH_TRAP_TABLE_COUNT) {
			bad++;
			continue;
		}
		e = &xs_mach_trap_table[i];
		rows++;
		bad += !EXPECT_EQ(num(get(&t, "number_x16")), -i);
		bad += !EXPECT_STREQ(e->mach_trap_name, get(&t, "name"));
		bad += !EXPECT_EQ(e->mach_trap_arg_count, num(get(&t, "nargs")));
		bad += !EXPECT_EQ(e->mach_trap_u32_words, num(get(&t, "u32_words")));
		bad += !EXPECT_EQ(e->mach_trap_returns_port,
				  strcmp(get(&t, "returns_port"), "yes") == 0);
		bad += !EXPECT_EQ(e->mach_trap_valid, valid);
		bad += !EXPECT_EQ(e->mach_trap_kdebug, num(get(&t, "kdebug_debugid")));
		bad += !EXPECT_EQ(e->mach_trap_kdebug, 0x010C0000 + 4 * i);
		if (!valid)
			bad += !EXPECT_TRUE(e->mach_trap_function == NULL);
		if (bad > 20)
			break;
	}
	fclose(t.f);
	EXPECT_EQ(rows, XS_MACH_TRAP_TABLE_COUNT);
	EXPECT_EQ(bad, 0);
}

TEST(mach_trap_known_slots)
{
	EXPECT_STREQ(xs_mach_trap_table[47].mach_trap_name, "mach_msg2_trap");
	EXPECT_EQ(xs_mach_trap_table[47].mach_trap_arg_count, 8);
	EXPECT_EQ(xs_mach_trap_table[47].mach_trap_u32_words, 16);
	EXPECT_STREQ(xs_mach_trap_table[31].mach_trap_name, "mach_msg_trap");
	EXPECT_STREQ(xs_mach_trap_table[45].mach_trap_name, "task_for_pid");
	EXPECT_EQ(xs_mach_trap_table[45].mach_trap_kdebug, 0x010C00B4);
	EXPECT_EQ(xs_mach_trap_table[59].mach_trap_arg_count, 0);	/* swtch_pri quirk */
	EXPECT_TRUE(xs_mach_trap_table[28].mach_trap_returns_port);	/* task_self_trap */
	EXPECT_EQ(xs_mach_trap_table[0].mach_trap_valid, 0);
	EXPECT_EQ(xs_mach_trap_table[3].mach_trap_valid, 0);		/* -3 is a fast path */
	EXPECT_EQ(xs_mach_trap_table[17].mach_trap_valid, 0);
}

TEST(unmodeled_stubs_answer_without_signal)
{
	int32_t rv[2] = { 0, 0 };

	EXPECT_EQ(xs_unmodeled(NULL, NULL, rv), ENOSYS);
	EXPECT_EQ(xs_enosys(NULL, NULL, rv), ENOSYS);
	EXPECT_EQ(xs_unmodeled_trap(NULL), KERN_NOT_SUPPORTED);
}
