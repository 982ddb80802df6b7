/*
 * cmd-show.c — `plsync-audit show`: a record as it stood at a time, folded
 * from only the ops whose clock is at or before it (pl_audit_show).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "plsync/audit.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/op.h"
#include "plsync/store.h"
#include "plsync/text.h"

static void print_flat(const char *prefix, const json_t *obj, size_t w)
{
	json_t *v;
	size_t n;
	const char **keys = pl_json_keys(obj, &n);

	if (!keys)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[256];
		v = json_object_get(obj, keys[i]);
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", keys[i]);
		if (json_is_object(v)) {
			print_flat(path, v, w);
			continue;
		}
		fputs("  ", stdout);
		{
			char *p = pl_term_escape(path);
			printf("%-*s ", (int)w, p ? p : "?");
			free(p);
		}
		print_value(v);
		fputc('\n', stdout);
	}
	free(keys);
}

static int cmd_show(cli *c, int argc, char **argv)
{
	const char *pos[2], *at_text = NULL;
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { "at", 1, &at_text, NULL }, { NULL, 0, NULL, NULL } };
	pl_store *cache = NULL;
	pl_record *r = NULL;
	uint64_t at;
	char when[32], t[32];

	if ((rc = audit_args(&cmd_show_entry, argc, argv, specs, 2, pos)))
		return rc;
	if (!at_text)
		return cli_usage(&cmd_show_entry, "--at TIME is required (RFC 3339 or YYYY-MM-DD)");
	if (pl_audit_parse_time(&at, at_text))
		return cli_usage(&cmd_show_entry, "%s", pl_error_last()->message);
	if (pl_merge_cache_open(&cache, pos[0]) || pl_audit_show(&r, cache, pos[1], at)) {
		pl_store_free(cache);
		return cli_fail_code(EXIT_FAIL);
	}
	pl_store_free(cache);
	pl_hlc_fmt(when, at << 16);
	if (r->deleted) {
		pl_hlc_fmt(t, r->updated);
		rc = cli_error(EXIT_FAIL, "record %s was deleted at %s (as of %s); 'plsync-audit log' shows its history, "
		               "--at an earlier time what it held", r->id, t, when);
		pl_record_free(r);
		return rc;
	}
	if (as_json) {
		json_t *j = pl_merge_state_json(r);
		rc = !j || pl_json_write(stdout, j) ? cli_fail_code(EXIT_FAIL) : 0;
		json_decref(j);
	} else {
		term(r->kind);
		putchar(' ');
		term(r->id);
		printf(" as of %s\n", when);
		printf("  %-24s %s\n", "owner", r->owner);
		pl_hlc_fmt(t, r->created);
		printf("  %-24s %s\n", "created", t);
		pl_hlc_fmt(t, r->updated);
		printf("  %-24s %s\n", "updated", t);
		print_flat("", r->fields, 24);
	}
	pl_record_free(r);
	return rc;
}

const cmd_entry cmd_show_entry = {
	.name = "show",
	.synopsis = "show REPO ID --at TIME [--json]",
	.summary = "a record as it stood at a time",
	.help =
	"Shows record ID as it stood at TIME: only ops whose clock is at or before\n"
	"TIME are folded.\n"
	"\n"
	"Options:\n"
	"  --at TIME   required. RFC 3339 (2026-09-14T10:30:00Z,\n"
	"              2026-09-14T10:30:00.250-05:00) or a date, 2026-09-14, meaning\n"
	"              the END of that day in UTC (23:59:59.999Z)\n"
	"  --json      the record the way main's state/ files are written\n"
	"\n"
	"A record deleted by TIME is an error (exit 1) that says when it was\n"
	"deleted; log shows its history, an earlier --at what it held.\n"
	"\n"
	"Example:\n"
	"  plsync-audit show /srv/git/plsync.git LIN01-7K3Q2 --at 2026-09-30\n",
	.exec = cmd_show,
};
