/*
 * cmd-blame.c — `plsync-audit blame`: for each current field of a record
 * (dotted path), the op that set it, git blame style (pl_audit_blame).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "plsync/audit.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "plsync/text.h"

/* A value padded to vw columns (display width), never cut. */
static void print_padded(const char *v, size_t vw)
{
	size_t w = pl_term_width(v);
	fputs(v, stdout);
	while (w++ < vw)
		putchar(' ');
}

static int cmd_blame(cli *c, int argc, char **argv)
{
	json_t *b, *e;
	size_t w = 5;
	int rc;

	if ((rc = audit_record(&b, &cmd_blame_entry, argc, argv, pl_audit_blame)) >= 0)
		return rc;
	printf("%s\n", json_is_true(json_object_get(b, "deleted")) ? ": deleted; the fields it had:" : "");
	{
		/* one line per field, git blame style: path, value, who, when, where */
		json_t *fields = json_object_get(b, "fields");
		size_t n, vw = 1;
		const char **keys = pl_json_keys(fields, &n);
		char **vals = calloc(n + 1, sizeof(*vals));
		if (!keys || !vals) {
			free(keys);
			free(vals);
			json_decref(b);
			return cli_fail_code(EXIT_FAIL);
		}
		for (size_t i = 0; i < n; i++) {
			vals[i] = value_text(json_object_get(json_object_get(fields, keys[i]), "value"));
			if (strlen(keys[i]) > w)
				w = strlen(keys[i]);
			if (vals[i] && pl_term_width(vals[i]) > vw)
				vw = pl_term_width(vals[i]) > 30 ? 30 : pl_term_width(vals[i]);
		}
		for (size_t i = 0; i < n; i++) {
			char *key = pl_term_escape(keys[i]);
			e = json_object_get(fields, keys[i]);
			printf("%-*s  ", (int)w, key ? key : "?");
			print_padded(vals[i] ? vals[i] : "?", vw);
			fputs("  set by ", stdout);
			free(key);
			term(str(e, "actor"));
			printf(" at %s, %s/%" PRId64 ", op %.12s, commit %.12s, merge %.12s\n", str(e, "time"), str(e, "node"),
			       (int64_t)json_integer_value(json_object_get(e, "seq")), str(e, "op"),
			       json_is_string(json_object_get(e, "commit")) ? str(e, "commit") : "?",
			       json_is_string(json_object_get(e, "merge")) ? str(e, "merge") : "?");
			free(vals[i]);
		}
		free(vals);
		free(keys);
	}
	json_decref(b);
	return 0;
}

const cmd_entry cmd_blame_entry = {
	.name = "blame",
	.synopsis = "blame REPO ID [--json]",
	.summary = "for each current field of a record, the op that set it",
	.help =
	"Shows, for each current field of record ID (a dotted path), its value and\n"
	"the op that set it: actor, time, node/seq, op id, the node commit that\n"
	"carried it and the merge that consolidated it. For a deleted record, the\n"
	"fields it had.\n"
	"\n"
	"Options:\n"
	"  --json   the same as JSON: id, kind, owner, deleted, fields\n"
	"\n"
	"Example:\n"
	"  plsync-audit blame /srv/git/plsync.git LIN01-7K3Q2 --json\n",
	.exec = cmd_blame,
};
