/*
 * workflow.c — what the workflow and report commands share: the dataset
 * read from the store (every live record of every kind), the injectable
 * "today" (--today, else $PLSYNC_TODAY, else the clock), the hints this
 * program adds to a refused workflow step (the rules themselves are in
 * domain/workflow.c), and output files that are removed again when writing
 * them fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "workflow.h"

int dataset_load(json_t **out, pl_store *st)
{
	return pl_dataset_load(out, st);
}

int today_get(char out[11], const char *opt)
{
	return pl_date_today(out, opt);
}

const char *stamp_get(char buf[11], const char *opt)
{
	const char *env = getenv("PLSYNC_TODAY");

	if (((opt && *opt) || (env && *env)) && today_get(buf, opt) == 0)
		return buf;
	return NULL;
}

/* The library's message, then this program's hint for it. */
static int fail_with(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail_with(const char *fmt, ...)
{
	const pl_error *e = pl_error_last();
	char hint[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hint, sizeof(hint), fmt, ap);
	va_end(ap);
	return cli_error(e->code == PL_EUSAGE ? EXIT_USAGE : EXIT_FAIL, "%s%s", e->message, hint);
}

int workflow_fail(const cli *c, const pl_workflow_options *o, const pl_workflow_result *r)
{
	const char *field = pl_role_field(o->role);

	if (o->role > PL_ROLE_BUDGET &&
	    (r->reason == PL_WORKFLOW_NO_APPROVER || r->reason == PL_WORKFLOW_NOT_APPROVER))
		return fail_with("; the district names it: plsync set RULE approvers.%s=STAFF_ID",
		                 pl_role_key(o->role));
	switch (r->reason) {
	case PL_WORKFLOW_DELETED:       return fail_with("; 'plsync log %s' shows its history", o->id);
	case PL_WORKFLOW_NOT_ENTRY:     return fail_with("; 'plsync ls pd_entry' lists the entries");
	case PL_WORKFLOW_REJECTED:      return fail_with(" (make a new request with 'plsync request')");
	case PL_WORKFLOW_NO_APPROVER:   return fail_with("; record it first: plsync set %s %s=STAFF_ID", r->staff, field);
	case PL_WORKFLOW_NOT_APPROVER:
		return fail_with(", or if the staff record is wrong: plsync set %s %s=%s", r->staff, field, o->by);
	case PL_WORKFLOW_COMPLETED:     return fail_with("; to correct it: plsync set %s hours=H", r->id);
	case PL_WORKFLOW_UNAPPROVED:
		return fail_with(" (plsync approve %s --as %s --by STAFF)", r->id, pl_role_key(r->needs));
	case PL_WORKFLOW_NOT_COMPLETED: return fail_with(" (first: plsync complete %s --hours H)", r->id);
	case PL_WORKFLOW_NO_CONFLICT:   return fail_with("; use 'plsync set' to change it");
	default:                        return cli_fail(c);
	}
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
