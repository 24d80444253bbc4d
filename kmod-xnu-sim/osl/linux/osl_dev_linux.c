// SPDX-License-Identifier: BSD-2-Clause
/*
 * osl_dev_linux.c: xnusim.ko itself.  /dev/xnusim (a misc device) with an
 * ioctl per operation (xnusim_ioctl.h): boot a machine, attach the calling
 * process, the arm64 and x86_64 trap instructions, and queries.  Also the
 * module's start (number the function registry, as the user-space build's
 * library constructor does) and the reaping of processes that end without
 * a simulated exit.  Platform layer: the trap vector (XNU's
 * fleh_synchronous / hi64_syscall) and the machine's power button.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/mach/thread_status.h"
#include "kmod-xnu-sim/osl/linux/osl_kcore.h"
#include "kmod-xnu-sim/osl/linux/osl_linux_internal.h"
#include "kmod-xnu-sim/osl/linux/xnusim_ioctl.h"

static_assert(sizeof(struct arm_saved_state64) == XNUSIM_ARM64_STATE_SIZE, "arm64 state");
static_assert(sizeof(struct x86_saved_state64) == XNUSIM_X86_64_STATE_SIZE, "x86_64 state");

static unsigned int arena_mb = 64;
module_param(arena_mb, uint, 0644);
MODULE_PARM_DESC(arena_mb, "arena of each simulated machine, MiB (vmalloc'd at boot)");
extern bool osl_kdebug;
module_param_named(debug, osl_kdebug, bool, 0644);
MODULE_PARM_DESC(debug, "print the simulated kernel's osl_log lines");

void osl_kctx_destroy_all(void);

/* One open file: a handle on (at most) one machine, shared across fork. */
struct osl_kfile {
	struct mutex kf_lock;		/* BOOT */
	struct osl_kmachine *kf_km;	/* set once */
};

static struct osl_kmachine *kf_machine(struct file *f)
{
	struct osl_kfile *kf = f->private_data;

	return smp_load_acquire(&kf->kf_km);
}

/* ---- BOOT and ATTACH ------------------------------------------------------ */

static long boot_fn(struct osl_kctx *c, void *arg)
{
	struct osl_kmachine *km = c->kc_km;

	osl_kcore_machine_setup(km->km_machine, km->km_id, km->km_arch, ktime_get_ns());
	if (osl_kcore_boot())
		return -EIO;
	c->kc_pid = 1;	/* xs_bsd_init bound us to launchd */
	return 0;
}

static long ioc_boot(struct file *f, void __user *argp)
{
	struct osl_kfile *kf = f->private_data;
	struct xnusim_ioc_boot b;
	struct osl_kmachine *km;
	long rc;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if (b.arch != XNUSIM_ARCH_ARM64_ID && b.arch != XNUSIM_ARCH_X86_64_ID)
		return -EINVAL;
	mutex_lock(&kf->kf_lock);
	rc = -EBUSY;
	if (kf->kf_km)
		goto out;
	rc = -ENOMEM;
	km = osl_kmachine_create(b.arch, (size_t)READ_ONCE(arena_mb) << 20);
	if (!km)
		goto out;
	rc = osl_kcall(km, f, boot_fn, NULL);
	if (rc) {
		osl_kmachine_put(km);
		rc = rc < 0 ? rc : -EIO;
		goto out;
	}
	smp_store_release(&kf->kf_km, km);
	b.machine_id = km->km_id;
	rc = copy_to_user(argp, &b, sizeof(b)) ? -EFAULT : 0;
out:
	mutex_unlock(&kf->kf_lock);
	return rc;
}

static long attach_fn(struct osl_kctx *c, void *arg)
{
	int pid = osl_kcore_attach(osl_host_pid(), arg);

	if (pid < 0)	/* Darwin errnos 1..34 are Linux's too */
		return -pid <= 34 ? pid : -EIO;
	c->kc_pid = pid;
	return pid;
}

static long ioc_attach(struct file *f, void __user *argp)
{
	struct osl_kmachine *km = kf_machine(f);
	struct xnusim_ioc_attach a;
	long rc;

	if (!km)
		return -ENXIO;
	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	a.comm[sizeof(a.comm) - 1] = '\0';
	rc = osl_kcall(km, f, attach_fn, a.comm);
	if (rc < 0)
		return rc;
	a.pid = (s32)rc;
	return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
}

/* ---- The trap instruction --------------------------------------------------- */

struct trap_arg {
	u32 arch;
	void *state;
};

static long trap_fn(struct osl_kctx *c, void *arg)
{
	struct trap_arg *t = arg;
	int rc = t->arch == XNUSIM_ARCH_ARM64_ID ? osl_kcore_trap_arm64(t->state)
						 : osl_kcore_trap_x86_64(t->state);

	return rc ? -ESRCH : 0;	/* no simulated process runs on this Linux process */
}

/*
 * The kernel ended the process.  Its Linux counterpart dies of the same
 * signal, with the default action whatever handler it installed (the
 * user-space build resets it too); an exit code is the caller's to _exit.
 */
static void terminate_linux(int darwin_status)
{
	int sig = darwin_status & 0x7f, hsig = osl_signal_to_linux(sig);

	if (sig == 0 || sig == 0x7f || !hsig)
		return;
	if (hsig == SIGSTOP || hsig == SIGTSTP || hsig == SIGCONT || hsig == SIGCHLD ||
	    hsig == SIGURG || hsig == SIGWINCH)
		return;	/* no default death: the caller exits with 128 + sig */
	spin_lock_irq(&current->sighand->siglock);
	current->sighand->action[hsig - 1].sa.sa_handler = SIG_DFL;
	spin_unlock_irq(&current->sighand->siglock);
	force_sig(hsig);
}

static long ioc_trap(struct file *f, void __user *argp, u32 arch)
{
	struct osl_kmachine *km = kf_machine(f);
	size_t size = arch == XNUSIM_ARCH_ARM64_ID ? XNUSIM_ARM64_STATE_SIZE
						   : XNUSIM_X86_64_STATE_SIZE;
	u64 state[XNUSIM_ARM64_STATE_SIZE / sizeof(u64)];
	struct trap_arg t = { arch, state };
	struct osl_kctx *c;
	long rc;

	if (!km)
		return -ENXIO;
	if ((u32)km->km_arch != arch)
		return -EINVAL;
	if (copy_from_user(state, argp, size))
		return -EFAULT;
	atomic64_inc(&km->km_traps);
	rc = osl_kcall(km, f, trap_fn, &t);
	c = osl_kctx_current();
	if (c && c->kc_exited) {
		terminate_linux(c->kc_exit_status);
		return XNUSIM_TRAP_EXITED | (c->kc_exit_status & 0xffff);
	}
	if (rc)
		return rc;
	return copy_to_user(argp, state, size) ? -EFAULT : 0;
}

/* ---- Queries ------------------------------------------------------------------ */

static long query_fn(struct osl_kctx *c, void *arg)
{
	struct xnusim_ioc_query *q = arg;

	q->pid = osl_kcore_current_pid();
	q->tid = osl_kcore_current_tid();
	return 0;
}

static long ioc_query(struct file *f, void __user *argp)
{
	struct osl_kmachine *km = kf_machine(f);
	struct xnusim_ioc_query q;
	long rc;

	memset(&q, 0, sizeof(q));
	q.nfuncs = xs_func_registry_count();
	q.probes_on = osl_ktrace_enabled_mask();
	if (km) {
		q.machine_id = km->km_id;
		q.arch = km->km_arch;
		q.broken = atomic_read(&km->km_broken);
		q.arena_pages = km->km_npages;
		spin_lock(&km->km_alloc_lock);
		q.arena_free = km->km_free;
		spin_unlock(&km->km_alloc_lock);
		q.last_exit_host_pid = READ_ONCE(km->km_last_exit_host_pid);
		q.last_exit_pid = READ_ONCE(km->km_last_exit_pid);
		q.last_exit_status = READ_ONCE(km->km_last_exit_status);
		q.traps = atomic64_read(&km->km_traps);
		if (!q.broken) {
			rc = osl_kcall(km, f, query_fn, &q);
			if (rc)
				return rc;
		}
	}
	return copy_to_user(argp, &q, sizeof(q)) ? -EFAULT : 0;
}

static long ioc_func(void __user *argp)
{
	struct xnusim_ioc_func fn;
	const struct xs_func *xf;

	if (copy_from_user(&fn, argp, sizeof(fn)))
		return -EFAULT;
	xf = xs_func_registry_get(fn.id);
	if (!xf)
		return -ENOENT;
	strscpy(fn.name, xf->xf_name, sizeof(fn.name));
	strscpy(fn.path, xs_func_xnu_path(xf), sizeof(fn.path));
	return copy_to_user(argp, &fn, sizeof(fn)) ? -EFAULT : 0;
}

static long xnusim_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case XNUSIM_IOC_BOOT:
		return ioc_boot(f, argp);
	case XNUSIM_IOC_ATTACH:
		return ioc_attach(f, argp);
	case XNUSIM_IOC_TRAP_ARM64:
		return ioc_trap(f, argp, XNUSIM_ARCH_ARM64_ID);
	case XNUSIM_IOC_TRAP_X86_64:
		return ioc_trap(f, argp, XNUSIM_ARCH_X86_64_ID);
	case XNUSIM_IOC_QUERY:
		return ioc_query(f, argp);
	case XNUSIM_IOC_FUNC:
		return ioc_func(argp);
	default:
		return -ENOTTY;
	}
}

/* ---- The file ----------------------------------------------------------------- */

static int xnusim_open(struct inode *inode, struct file *f)
{
	struct osl_kfile *kf = kzalloc(sizeof(*kf), GFP_KERNEL);

	if (!kf)
		return -ENOMEM;
	mutex_init(&kf->kf_lock);
	f->private_data = kf;
	return 0;
}

static long host_died_fn(struct osl_kctx *c, void *arg)
{
	/* Reaped from outside, as the user-space build's runner does: no thread of ours. */
	c->kc_th = NULL;
	c->kc_pid = 0;
	return osl_kcore_host_died(task_tgid_vnr(current), SIGKILL);
}

/*
 * Every close, including the ones exit makes.  A process that ends while
 * it runs a simulated process (killed, crashed, or _exit without exit(2))
 * is reaped like a killed one: the user-space build's xs_proc_host_died.
 */
static int xnusim_flush(struct file *f, fl_owner_t id)
{
	struct osl_kmachine *km = kf_machine(f);

	if (!(current->flags & PF_EXITING))
		return 0;
	if (km && !atomic_read(&km->km_broken))
		(void)osl_kcall(km, f, host_died_fn, NULL);
	osl_kctx_exit();
	return 0;
}

static int xnusim_release(struct inode *inode, struct file *f)
{
	struct osl_kfile *kf = f->private_data;

	osl_kmachine_put(kf->kf_km);
	kfree(kf);
	return 0;
}

static int xnusim_mmap(struct file *f, struct vm_area_struct *vma)
{
	return osl_kmachine_mmap(kf_machine(f), vma);
}

static const struct file_operations xnusim_fops = {
	.owner = THIS_MODULE,
	.open = xnusim_open,
	.flush = xnusim_flush,
	.release = xnusim_release,
	.unlocked_ioctl = xnusim_ioctl,
	.mmap = xnusim_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice xnusim_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xnusim",
	.fops = &xnusim_fops,
	.mode = 0666,
};

/* ---- The function registry ---------------------------------------------------- */

/*
 * Number the XS_FUNC entries as xs_func_registry_init would: by name,
 * equal names sharing an id.  Done here because that routine sorts on its
 * stack (32 KiB, twice a kernel stack); once numbered it is a no-op.
 */
/*
 * Weak: modpost reads the objects before the final link, where
 * xs_funcs.lds defines them; a missing script leaves an empty registry.
 */
extern struct xs_func __start_xs_funcs[] __weak;
extern struct xs_func __stop_xs_funcs[] __weak;

static int func_cmp(const void *a, const void *b)
{
	return strcmp((*(struct xs_func *const *)a)->xf_name,
		      (*(struct xs_func *const *)b)->xf_name);
}

static int osl_registry_init(void)
{
	size_t n = __start_xs_funcs ? __stop_xs_funcs - __start_xs_funcs : 0;
	struct xs_func **v;
	u32 id = 0;

	if (n == 0) {
		pr_warn("xnusim: no function registry (xs_funcs.lds not linked?)\n");
		return 0;
	}
	v = kvmalloc_array(n, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = &__start_xs_funcs[i];
	sort(v, n, sizeof(*v), func_cmp, NULL);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(v[i - 1]->xf_name, v[i]->xf_name) != 0)
			id++;
		v[i]->xf_id = id;
	}
	kvfree(v);
	return 0;
}

static int __init xnusim_init(void)
{
	int err = osl_registry_init();

	if (err)
		return err;
	osl_sync_init();
	err = misc_register(&xnusim_dev);
	if (err)
		return err;
	pr_info("xnusim: /dev/xnusim ready, %u modeled functions\n", xs_func_registry_count());
	return 0;
}

static void __exit xnusim_exit(void)
{
	misc_deregister(&xnusim_dev);
	osl_kctx_destroy_all();
}

module_init(xnusim_init);
module_exit(xnusim_exit);
MODULE_DESCRIPTION("xnutrace: a simulated XNU kernel, traps through /dev/xnusim");
MODULE_AUTHOR("xnutrace");
/* The project is BSD-2-Clause; the tracepoint API needs a GPL-compatible tag. */
MODULE_LICENSE("Dual BSD/GPL");
