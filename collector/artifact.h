/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * artifact.h: the versioned JSON trace artifact (docs/artifact.md), the one
 * seam between the collector, viz and the tests.  Written and read with
 * jansson, never by hand.
 */
#ifndef XT_COLLECTOR_ARTIFACT_H
#define XT_COLLECTOR_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>

struct xt_model;

#define XT_ARTIFACT_FORMAT "xnutrace"

struct xt_artifact_opts {
	bool normalise;		/* drop times, the timeline and run-specific metadata */
	bool compact;		/* one line (default: indented) */
};

/*
 * Write a finished model to path ("-" is stdout).  0 or -errno; the file is
 * written to a temporary name and renamed, so a reader never sees half of it.
 */
int xt_artifact__write(const struct xt_model *m, const char *path,
		       const struct xt_artifact_opts *opts);

/*
 * Read and validate an artifact: format, version, every required field and
 * its type.  Returns an owned, finished model (xt_model__free), or NULL with
 * errno set (EINVAL for content, the system's for I/O) and err (may be NULL;
 * size errlen) saying what is wrong and where ("processes[2].pid: expected
 * an integer").
 */
struct xt_model *xt_artifact__read(const char *path, char *err, size_t errlen);

#endif /* XT_COLLECTOR_ARTIFACT_H */
