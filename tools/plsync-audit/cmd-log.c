/*
 * cmd-log.c — `plsync-audit log`: the whole history of one record as merged
 * into main, oldest first (pl_audit_log): each op's time, actor, node/seq,
 * op id, what it changed (before -> after), the node commit that carried it
 * and the merge that consolidated it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "plsync/audit.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/store.h"

/* The "after" of change `field` in ch, as text, or NULL. */
static const char *after_of(json_t *ch, const char *field)
{
	for (size_t k = 0; k < json_array_size(ch); k++) {
		json_t *x = json_array_get(ch, k);
		const char *f = json_string_value(json_object_get(x, "field"));
		if (f && !strcmp(f, field))
			return json_string_value(json_object_get(x, "after"));
	}
	return NULL;
}

/* Who gave an approval or rejection in this op (approvals.<role>.via): the
 * approver under their own login, or someone who recorded it for them. */
static void print_via(json_t *o, json_t *ch)
{
	static const char *const roles[] = { "supervisor", "budget" };
	char f[64];

	for (size_t i = 0; i < 2; i++) {
		const char *via, *by, *dec;
		snprintf(f, sizeof(f), "approvals.%s.via", roles[i]);
		if (!(via = after_of(ch, f)))
			continue;
		snprintf(f, sizeof(f), "approvals.%s.by", roles[i]);
		by = after_of(ch, f);
		snprintf(f, sizeof(f), "approvals.%s.decision", roles[i]);
		dec = after_of(ch, f);
		printf("  who    %s %s ", roles[i], dec ? dec : "decided");
		if (!strcmp(via, "login")) {
			fputs("by ", stdout);
			term(by ? by : "?");
			fputs(" under their own login\n", stdout);
		} else {
			fputs("for ", stdout);
			term(by ? by : "?");
			fputs(", recorded by ", stdout);
			term(str(o, "actor"));
			fputs(" (not the approver's own login)\n", stdout);
		}
	}
}

static int cmd_log(cli *c, int argc, char **argv)
{
	json_t *log, *ops;
	int rc;

	if ((rc = audit_record(&log, &cmd_log_entry, argc, argv, pl_audit_log)) >= 0)
		return rc;
	ops = json_object_get(log, "ops");
	printf(": %zu op%s in main%s\n", json_array_size(ops),
	       json_array_size(ops) == 1 ? "" : "s", json_is_true(json_object_get(log, "deleted")) ? ", deleted now" : "");
	for (size_t i = 0; i < json_array_size(ops); i++) {
		json_t *o = json_array_get(ops, i), *ch = json_object_get(o, "changes");
		printf("\n%s/%" PRId64 "  %s  ", str(o, "node"), (int64_t)json_integer_value(json_object_get(o, "seq")),
		       str(o, "time"));
		term(str(o, "actor"));
		printf("  %s\n", str(o, "effect"));
		printf("  op     %s\n", str(o, "op"));
		printf("  commit %s\n", json_is_string(json_object_get(o, "commit")) ? str(o, "commit") : "(unknown)");
		printf("  merge  %s\n", json_is_string(json_object_get(o, "merge")) ? str(o, "merge") : "(unknown)");
		if (json_object_get(o, "note")) {
			fputs("  note   ", stdout);
			term(str(o, "note"));
			putchar('\n');
		}
		for (size_t k = 0; k < json_array_size(ch); k++) {
			json_t *x = json_array_get(ch, k);
			fputs("  ", stdout);
			term(str(x, "field"));
			fputs(": ", stdout);
			print_value(json_object_get(x, "before"));
			fputs(" -> ", stdout);
			print_value(json_object_get(x, "after"));
			fputc('\n', stdout);
		}
		print_via(o, ch);
	}
	json_decref(log);
	return 0;
}

const cmd_entry cmd_log_entry = {
	.name = "log",
	.synopsis = "log REPO ID [--json]",
	.summary = "the whole history of a record as merged into main",
	.help =
	"Shows the whole history of record ID as merged into main, oldest first:\n"
	"each op's time, actor, node/seq, op id, every field it set as before ->\n"
	"after (the record folded in clock order, as every replica folds it), the\n"
	"node commit that carried it and the merge commit that consolidated it.\n"
	"An approval or rejection says who gave it: \"by E200 under their own\n"
	"login\" (the approver's web session) or \"for E200, recorded by ACTOR\"\n"
	"(approvals.<role>.via: login or recorded).\n"
	"Ops not merged yet are not in main and not shown.\n"
	"\n"
	"Options:\n"
	"  --json   the history as JSON: id, kind, owner, deleted, ops\n"
	"\n"
	"Example:\n"
	"  plsync-audit log /srv/git/plsync.git LIN01-7K3Q2\n",
	.exec = cmd_log,
};
