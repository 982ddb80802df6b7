/*
 * cmd-show.c — `plsync show`: one record, as text or canonical JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static int cmd_show(cli *c, int argc, char **argv)
{
	int as_json = 0, npos, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	char **pos, when[32];
	pl_record *r = NULL;

	if ((rc = opts_parse(&cmd_show_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1) {
		free(pos);
		return cli_usage(&cmd_show_entry, npos ? "one record at a time" : "which record?");
	}
	rc = pl_store_get(&r, c->store, pos[0]);
	free(pos);
	if (rc)
		return cli_fail(c);
	if (r->deleted) {
		rc = cli_error(EXIT_FAIL, "record %s was deleted; 'plsync log %s' shows its history", r->id, r->id);
		pl_record_free(r);
		return rc;
	}
	if (as_json) {
		json_t *j = record_json(r);
		rc = pl_json_write(stdout, j) ? cli_fail(c) : EXIT_OK;
		json_decref(j);
	} else {
		json_t *flat = fields_flatten(r->fields);
		const char *k;
		json_t *v;
		size_t w = 5;

		/* ids, names and values may come from another node: escaped for the terminal */
		pl_term_fputs(stdout, r->kind);
		putchar(' ');
		pl_term_fputs(stdout, r->id);
		printf("\n  %-24s %s\n", "owner", r->owner);
		pl_hlc_fmt(when, r->created);
		printf("  %-24s %s\n", "created", when);
		pl_hlc_fmt(when, r->updated);
		printf("  %-24s %s\n", "updated", when);
		json_object_foreach(flat, k, v)
			if (strlen(k) > w)
				w = strlen(k);
		size_t n;
		const char **keys = pl_json_keys(flat, &n);
		for (size_t i = 0; i < n; i++) {
			char *t = fields_text(json_object_get(flat, keys[i])), *key = pl_term_escape(keys[i]);
			printf("  %-24s ", key ? key : "?");
			pl_term_fputs(stdout, t ? t : "");
			putchar('\n');
			free(key);
			free(t);
		}
		free(keys);
		json_decref(flat);
		rc = EXIT_OK;
	}
	pl_record_free(r);
	return rc;
}

const cmd_entry cmd_show_entry = {
	.name = "show",
	.synopsis = "show ID [--json]",
	.summary = "print one record",
	.help =
	"Prints the current fields of record ID, one per line, nested fields with dots.\n"
	"--json prints canonical JSON (sorted keys, one field per line):\n"
	"{\"id\", \"kind\", \"owner\", \"created\", \"updated\", \"fields\"}.\n"
	"\n"
	"Example:\n"
	"  plsync show E100\n"
	"  plsync show LIN01-7K3Q2 --json\n",
	.needs_store = 1,
	.exec = cmd_show,
};
