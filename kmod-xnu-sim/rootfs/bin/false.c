/* SPDX-License-Identifier: BSD-2-Clause */
/* false: /usr/bin/false of the simulated root file system (exit status 1). */
#include "xnusim/libsyscall.h"

int main(void)
{
	xnu_exit(1);
}
