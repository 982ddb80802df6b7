/*
 * workflow.c — what the workflow and report commands share: the dataset
 * read from the store (every live record of every kind), the injectable
 * "today" (--today, else $PLSYNC_TODAY, else the clock), and output files
 * that are removed again when writing them fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workflow.h"

int dataset_load(json_t **out, pl_store *st)
{
	return pl_dataset_load(out, st);
}

int today_get(char out[11], const char *opt)
{
	return pl_date_today(out, opt);
}

void stamp_get(char out[32], const char *opt)
{
	const char *env = getenv("PLSYNC_TODAY");
	char day[11];
	time_t now;
	struct tm tm;

	if ((opt && *opt) || (env && *env)) {
		if (today_get(day, opt) == 0) {
			snprintf(out, 32, "%s", day);
			return;
		}
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int entry_get(pl_record **out, pl_store *st, const char *id)
{
	pl_record *r = NULL;
	int rc;

	*out = NULL;
	if ((rc = pl_store_get(&r, st, id)))
		return rc;
	if (r->deleted) {
		rc = pl_error_set(PL_EINVALID, "pd_entry %s was deleted; 'plsync log %s' shows its history",
		                  id, id);
		pl_record_free(r);
		return rc;
	}
	if (strcmp(r->kind, "pd_entry")) {
		rc = pl_error_set(PL_EINVALID, "%s is a %s, not a pd_entry; 'plsync ls pd_entry' lists the entries",
		                  id, r->kind);
		pl_record_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int out_open(FILE **f, const char *path)
{
	if (!path || !strcmp(path, "-")) {
		*f = stdout;
		return 0;
	}
	if (!(*f = fopen(path, "w")))
		return pl_error_from_errno(path);
	return 0;
}

int out_close(FILE *f, const char *path, int failed)
{
	if (f == stdout)
		return failed;
	if (fclose(f) != 0 && !failed)
		failed = pl_error_from_errno(path);
	if (failed)
		unlink(path);
	return failed;
}

void scope_label(char *buf, size_t sz, const cli *c)
{
	char *name = NULL;
	const char *node = pl_store_node(c->store);

	config_get(&name, c->dir, "core.name");
	if (name && *name)
		snprintf(buf, sz, "%s (%s)", name, node);
	else
		snprintf(buf, sz, "%s", node);
	free(name);
}
