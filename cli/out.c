/*
 * out.c — a command's --out FILE, written whole or not at all: the output
 * goes to a temporary file beside FILE, renamed over it once every byte is
 * written and closed. A failed write leaves FILE as it was (an earlier
 * report or transcript is never lost half-overwritten). No FILE, or "-",
 * is standard output.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void tmp_name(char *buf, size_t sz, const char *path)
{
	snprintf(buf, sz, "%s.tmp%ld", path, (long)getpid());
}

int cli_out_open(FILE **f, const char *path)
{
	char tmp[4096];

	if (!path || !strcmp(path, "-")) {
		*f = stdout;
		return 0;
	}
	tmp_name(tmp, sizeof(tmp), path);
	if (!(*f = fopen(tmp, "w")))
		return pl_error_from_errno(tmp);
	return 0;
}

int cli_out_close(FILE *f, const char *path, int failed)
{
	char tmp[4096];

	if (f == stdout)
		return failed;
	tmp_name(tmp, sizeof(tmp), path);
	if (fclose(f) != 0 && !failed)
		failed = pl_error_from_errno(path);
	if (!failed && rename(tmp, path) != 0)
		failed = pl_error_from_errno(path);
	if (failed)
		unlink(tmp);
	return failed;
}
