/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signals_sigsys: nosys slots and invalid Mach traps kill the caller with
 * SIGSYS (and a core flag in its kernel exit status); enosys does not.
 * Also the rest of the minimal signal model: ignored signals are dropped,
 * default-fatal ones from another process kill at the next return to user
 * mode, stop/continue, and a signal interrupts a blocked thread.
 */
#include <pthread.h>

#include "tests/sim/proc_child.h"

#define sigset_t xs_sigset_t
#define mode_t xs_mode_t
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#undef sigset_t
#undef mode_t
#include "kmod-xnu-sim/include/xnusim/libsyscall.h"
#include "darwin/signal.h"	/* from here on SIG* are Darwin's */
#undef sigset_t

#include "tests/harness.h"

static void report_self(int64_t v0)
{
	struct pc_report r = { 0 };

	r.pid = xnu_getpid();
	r.ppid = xnu_getppid();
	r.value[0] = v0;
	pc_report_send(&r);
}

static void child_mode(const char *mode)
{
	uint64_t rv[2];

	report_self(0);
	if (strcmp(mode, "nosys63") == 0)
		xnu_bsd_trap(63, NULL, 0, rv);
	else if (strcmp(mode, "nosys_vfork") == 0)
		xnu_bsd_trap(66, NULL, 0, rv);		/* old vfork: nosys */
	else if (strcmp(mode, "nosys_range") == 0)
		xnu_bsd_trap(600, NULL, 0, rv);		/* >= nsysent: sysent[63] */
	else if (strcmp(mode, "mach_m1") == 0)
		xnu_mach_trap(-1, NULL, 0);
	else if (strcmp(mode, "mach_m127") == 0)
		xnu_mach_trap(-127, NULL, 0);
	else if (strcmp(mode, "enosys") == 0) {
		int e8 = xnu_bsd_trap(8, NULL, 0, rv), e391 = xnu_bsd_trap(391, NULL, 0, rv);

		report_self(e8 == ENOSYS && e391 == ENOSYS ? 1 : -1);
		xnu_exit(0);
	} else if (strcmp(mode, "spin") == 0) {
		for (;;)
			xnu_getpid();	/* each return to user mode takes signals */
	}
	xnu_exit(99);	/* the trap should not have returned */
}
PC_CHILD_MODES(child_mode)

/* Run mode in a child; host wait status and the kernel's recorded status. */
static void run_child(const char *mode, int *host_st, int *kern_st, int *pid)
{
	struct pc_child c;
	struct pc_report r;

	*host_st = *kern_st = *pid = -1;
	if (pc_spawn(mode, &c) != 0)
		return;
	if (pc_read_report(&c, &r) == 0)
		*pid = r.pid;
	*host_st = pc_wait(&c);
	if (xs_proc_exit_status(*pid, 0, kern_st) != 0)
		*kern_st = -1;
}

static void expect_sigsys_death(const char *mode)
{
	int st, kst, pid;

	run_child(mode, &st, &kst, &pid);
	EXPECT_TRUE(pid >= 2);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(WTERMSIG(st), pc_host_SIGSYS);
	EXPECT_EQ(kst, SIGSYS | 0x80);	/* W_EXITCODE(0, 12) | WCOREFLAG */
}

TEST(nosys_slot_63_kills_with_sigsys)
{
	expect_sigsys_death("nosys63");
}

TEST(nosys_old_vfork_kills_with_sigsys)
{
	expect_sigsys_death("nosys_vfork");
}

TEST(out_of_range_bsd_number_kills_with_sigsys)
{
	expect_sigsys_death("nosys_range");
}

TEST(invalid_mach_trap_m1_kills_with_sigsys)
{
	expect_sigsys_death("mach_m1");
}

TEST(invalid_mach_trap_m127_kills_with_sigsys)
{
	expect_sigsys_death("mach_m127");
}

TEST(enosys_returns_enosys_and_lives)
{
	struct pc_child c;
	struct pc_report r0, r1;
	int st;

	ASSERT_EQ(pc_spawn("enosys", &c), 0);
	ASSERT_EQ(pc_read_report(&c, &r0), 0);
	EXPECT_EQ(pc_read_report(&c, &r1), 0);
	st = pc_wait(&c);
	EXPECT_EQ(r1.value[0], 1);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* And in this process: no signal is left pending. */
	uint64_t rv[2];
	EXPECT_EQ(xnu_bsd_trap(8, NULL, 0, rv), ENOSYS);
	EXPECT_EQ(osl_current_thread()->uthread.uu_siglist, 0u);
}

TEST(ignored_signals_are_dropped)
{
	struct proc *p = xs_current_proc();
	struct thread *th = osl_current_thread();

	xs_psignal(p, SIGCHLD);
	xs_psignal(p, SIGURG);
	xs_psignal_thread(th, SIGWINCH);
	xs_psignal(p, 0);	/* out of range: ignored */
	xs_psignal(p, 32);
	EXPECT_EQ(th->uthread.uu_siglist, 0u);
	EXPECT_EQ(p->p_siglist, 0u);
	EXPECT_EQ(xnu_getpid(), p->p_pid);	/* and we live through an AST check */
}

/* Start a spinning child; returns its proc (found by pid) or NULL. */
static struct proc *spawn_spinner(struct pc_child *c, int *pid)
{
	struct pc_report r;

	if (pc_spawn("spin", c) != 0 || pc_read_report(c, &r) != 0)
		return NULL;
	*pid = r.pid;
	return xs_proc_find(r.pid);
}

TEST(sigterm_from_another_process_kills_at_return)
{
	struct pc_child c;
	struct proc *p;
	int pid, st, kst = -1;

	p = spawn_spinner(&c, &pid);
	ASSERT_TRUE(p != NULL);
	xs_psignal(p, SIGTERM);
	st = pc_wait(&c);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == pc_host_SIGTERM);
	EXPECT_EQ(xs_proc_exit_status(pid, 0, &kst), 0);
	EXPECT_EQ(kst, SIGTERM);	/* no core flag for SIGTERM */
}

TEST(sigstop_then_sigcont_then_sigkill)
{
	struct pc_child c;
	struct proc *p;
	int pid, st, kst = -1, i;

	p = spawn_spinner(&c, &pid);
	ASSERT_TRUE(p != NULL);
	xs_psignal(p, SIGSTOP);
	for (i = 0; i < 2000 && p->p_stat != SSTOP; i++)
		usleep(1000);
	EXPECT_EQ(p->p_stat, SSTOP);
	xs_psignal(p, SIGCONT);
	EXPECT_EQ(p->p_stat, SRUN);
	xs_psignal(p, SIGTSTP);
	for (i = 0; i < 2000 && p->p_stat != SSTOP; i++)
		usleep(1000);
	EXPECT_EQ(p->p_stat, SSTOP);
	xs_psignal(p, SIGKILL);	/* a stopped process still dies */
	st = pc_wait(&c);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == pc_host_SIGKILL);
	EXPECT_EQ(xs_proc_exit_status(pid, 0, &kst), 0);
	EXPECT_EQ(kst, SIGKILL);
}

struct blocker {
	struct osl_lock *lock;
	struct osl_event *ev;
	struct thread *th;
	volatile int started;
	int result;
};

static void *block_thread(void *arg)
{
	struct blocker *b = arg;

	xs_thread_attach_current(0);
	b->th = osl_current_thread();
	osl_lock_lock(b->lock);
	b->started = 1;
	b->result = xs_thread_block_on(b->ev, b->lock, 0, "test");
	osl_lock_unlock(b->lock);
	/* Take the signal back before any trap would deliver it. */
	b->th->uthread.uu_siglist = 0;
	b->th->ast = 0;
	return NULL;
}

TEST(signal_interrupts_a_blocked_thread)
{
	struct blocker b = { 0 };
	pthread_t t;
	int i;

	b.lock = xs_kalloc(sizeof(*b.lock));
	b.ev = xs_kalloc(sizeof(*b.ev));
	ASSERT_TRUE(b.lock && b.ev);
	osl_lock_init(b.lock);
	ASSERT_EQ(pthread_create(&t, NULL, block_thread, &b), 0);
	for (i = 0; i < 2000 && !(b.started && b.th && b.th->wait_event); i++)
		usleep(1000);
	ASSERT_TRUE(b.th != NULL && b.th->wait_event == b.ev);
	EXPECT_STREQ(b.th->wait_reason, "test");
	osl_lock_lock(b.lock);
	xs_psignal_thread(b.th, SIGUSR1);
	osl_lock_unlock(b.lock);
	pthread_join(t, NULL);
	EXPECT_EQ(b.result, THREAD_INTERRUPTED);
	xs_kfree(b.lock, sizeof(*b.lock));
	xs_kfree(b.ev, sizeof(*b.ev));
}

TEST(deadline_without_signal_times_out)
{
	struct osl_lock *lock = xs_kalloc(sizeof(*lock));
	struct osl_event *ev = xs_kalloc(sizeof(*ev));

	ASSERT_TRUE(lock && ev);
	osl_lock_init(lock);
	osl_lock_lock(lock);
	EXPECT_EQ(xs_thread_block_on(ev, lock, osl_absolute_time() + 20000000, "t"),
		  THREAD_TIMED_OUT);
	osl_lock_unlock(lock);
	xs_kfree(lock, sizeof(*lock));
	xs_kfree(ev, sizeof(*ev));
}

TEST(ux_exception_translation)
{
	EXPECT_EQ(xs_ux_exception(EXC_SYSCALL, 1, 0), SIGSYS);
	EXPECT_EQ(xs_ux_exception(EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, 0), SIGSEGV);
	EXPECT_EQ(xs_ux_exception(EXC_BAD_ACCESS, KERN_PROTECTION_FAILURE, 0), SIGBUS);
	EXPECT_EQ(xs_ux_exception(EXC_BREAKPOINT, 0, 0), SIGTRAP);
	EXPECT_EQ(xs_ux_exception(99, 0, 0), 0);
}
