/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sh: /bin/sh of the simulated root file system, deliberately tiny.  It
 * runs `sh -c 'COMMAND'` or `sh SCRIPT [ARGS]` (how the kernel starts a #!
 * script: argv = interpreter, its words, the script's path, the caller's
 * arguments).  Each line is split on blanks ("double quotes" group words;
 * $1..$9 and $0 expand to the script's arguments; # starts a comment).
 * Builtins: echo, exit [N], cd DIR.  Anything else is posix_spawn'd (PATH:
 * /bin, /usr/bin, /usr/local/bin) and waited for.  Every call it makes is a
 * simulated one: reading the script, writing, spawning, waiting.
 */
#include <stdbool.h>
#include <stddef.h>

#include "xnusim/libsyscall.h"
#include "xnusim/spawn.h"

extern char **environ;

/* A user program, but kept free of libc headers like the rest of kmod-xnu-sim/. */
static size_t sh_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int sh_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int sh_atoi(const char *s)
{
	int v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

#define MAXWORDS 64
#define MAXLINE  1024
#define O_RDONLY_DARWIN 0

static char **script_argv;	/* $0.. */
static int script_argc;

static void out(const char *s)
{
	(void)xnu_write(1, s, sh_strlen(s));
}

/* Split line into words in place (expanding $N into buf).  Returns the count. */
static int split(char *line, char **w, char *buf, size_t blen)
{
	int n = 0;
	size_t used = 0;
	char *p = line;

	while (*p && n < MAXWORDS - 1) {
		bool quoted = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		w[n++] = buf + used;
		while (*p && (quoted || (*p != ' ' && *p != '\t')) && used + 1 < blen) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
			} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
				int k = p[1] - '0';
				const char *v = k < script_argc ? script_argv[k] : "";

				while (*v && used + 1 < blen)
					buf[used++] = *v++;
				p += 2;
			} else {
				buf[used++] = *p++;
			}
		}
		buf[used++] = '\0';
	}
	w[n] = NULL;
	return n;
}

/* Run one line; returns its status (exit's N ends the shell). */
static int run_line(char *line)
{
	char buf[4 * MAXLINE], *w[MAXWORDS];
	int n = split(line, w, buf, sizeof(buf)), status = 0, err;
	int32_t pid;

	if (n == 0)
		return 0;
	if (sh_strcmp(w[0], "exit") == 0)
		xnu_exit(n > 1 ? sh_atoi(w[1]) : 0);
	if (sh_strcmp(w[0], "echo") == 0) {
		for (int i = 1; i < n; i++) {
			out(w[i]);
			out(i + 1 < n ? " " : "");
		}
		out("\n");
		return 0;
	}
	if (sh_strcmp(w[0], "cd") == 0)
		return n > 1 && xnu_chdir(w[1]) == 0 ? 0 : 1;
	err = xnu_posix_spawnp(&pid, w[0], NULL, NULL, w, environ);
	if (err) {
		out("sh: ");
		out(w[0]);
		out(": cannot run\n");
		return 127;
	}
	if (xnu_wait4(pid, &status, 0, NULL) < 0)
		return 1;
	return (status >> 8) & 0xff;
}

/* Read the script through the simulated VFS and run its lines. */
static int run_file(const char *path)
{
	static char text[64 * 1024];
	int fd = xnu_open(path, O_RDONLY_DARWIN), status = 0;
	long n, len = 0;
	char *line, *nl;

	if (fd < 0) {
		out("sh: cannot open script\n");
		return 127;
	}
	while (len < (long)sizeof(text) - 1 &&
	       (n = xnu_read(fd, text + len, sizeof(text) - 1 - (size_t)len)) > 0)
		len += n;
	xnu_close(fd);
	text[len] = '\0';
	for (line = text; *line; line = nl) {
		for (nl = line; *nl && *nl != '\n'; nl++)
			;
		if (*nl)
			*nl++ = '\0';
		status = run_line(line);
	}
	return status;
}

int main(int argc, char **argv)
{
	char line[MAXLINE];

	if (argc >= 3 && sh_strcmp(argv[1], "-c") == 0) {
		script_argv = argv + 3;	/* sh -c CMD [NAME [ARGS]]: $0 is NAME */
		script_argc = argc - 3;
		size_t n = sh_strlen(argv[2]);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		for (size_t i = 0; i < n; i++)
			line[i] = argv[2][i];
		line[n] = '\0';
		xnu_exit(run_line(line));
	}
	if (argc >= 2) {
		script_argv = argv + 1;
		script_argc = argc - 1;
		xnu_exit(run_file(argv[1]));
	}
	out("usage: sh -c COMMAND | sh SCRIPT [ARGS]\n");
	xnu_exit(2);
}
