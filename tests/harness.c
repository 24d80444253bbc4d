/* SPDX-License-Identifier: BSD-2-Clause */
/* harness.c: runs the TEST cases of one test binary (see harness.h). */
#include <stdio.h>
#include <string.h>

#include "tests/harness.h"

#define TH_MAX 512

static struct { const char *name; th_fn fn; } th_cases[TH_MAX];
static int th_ncases;
int th_failed_now;

void th_register(const char *name, th_fn fn)
{
	if (th_ncases < TH_MAX) {
		th_cases[th_ncases].name = name;
		th_cases[th_ncases].fn = fn;
		th_ncases++;
	}
}

void th_fail(const char *file, int line, const char *what)
{
	th_failed_now = 1;
	fprintf(stdout, "    %s:%d: %s\n", file, line, what);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < th_ncases; i++) {
		if (argc > 1 && strcmp(argv[1], th_cases[i].name) != 0)
			continue;
		th_failed_now = 0;
		th_cases[i].fn();
		printf("  %-50s %s\n", th_cases[i].name, th_failed_now ? "NG" : "OK");
		fflush(stdout);
		if (th_failed_now)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
