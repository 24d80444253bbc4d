/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ast.c: asynchronous system traps, the work a thread does on its way back
 * to user mode.  Only AST_BSD (signal delivery) exists yet.
 * Corresponds to osfmk/kern/ast.c.
 */
#include "kmod-xnu-sim/bsd/sys/proc_internal.h"
#include "kmod-xnu-sim/osfmk/kern/exception.h"
#include "kmod-xnu-sim/osfmk/kern/thread.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"

/* ast_taken_user proper: run the pending ASTs of th. */
static void xs_ast_taken_user_internal(struct thread *th)
{
	XS_FUNC(ast_taken_user);

	if (th->ast & AST_BSD || xs_thread_signal_pending(th))
		xs_bsd_ast(th);	/* may not return: a fatal signal */
}

/*
 * Routine:    xs_ast_taken_user
 * Purpose:    Every trap front-end calls this last.  XNU's return path
 *             (thread_exception_return) only calls ast_taken_user when an
 *             AST is pending, so the check comes first and a trap with
 *             nothing pending shows no ast node in a call graph.
 * Conditions: Current thread, nothing locked.  May not return.
 */
void xs_ast_taken_user(void)
{
	struct thread *th = osl_current_thread();

	if (!th || !th->task)
		return;
	if (!__atomic_load_n(&th->ast, __ATOMIC_SEQ_CST) && !xs_thread_signal_pending(th))
		return;
	xs_ast_taken_user_internal(th);
}
