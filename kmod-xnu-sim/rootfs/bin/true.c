/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * true: /usr/bin/true of the simulated root file system.  Ends through the
 * simulated exit(2), so its parent's wait4 sees status 0.
 */
#include "xnusim/libsyscall.h"

int main(void)
{
	xnu_exit(0);
}
