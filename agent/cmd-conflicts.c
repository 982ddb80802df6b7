/*
 * cmd-conflicts.c — `plsync conflicts` and `plsync resolve`: concurrent
 * changes to one field, and the change that settles them.
 *
 * A conflict is two or more heads of a record (ops no other op saw) that
 * set one field to different values. The value shown everywhere is the
 * winner by (hlc, node); the others are kept and listed here until a change
 * names every head in its base — which any local change does.
 */
#include <string.h>

#include "workflow.h"

struct conf_ctx {
	pl_store *st;
	json_t   *out;   /* array of {id, kind, fields} */
	int       rc;
};

static int conf_cb(const pl_record *r, void *payload)
{
	struct conf_ctx *x = payload;
	json_t *c = NULL;
	int rc;

	if (r->nheads < 2)
		return 0;
	if ((rc = pl_store_conflicts(&c, x->st, r)))
		return rc;
	if (c)
		json_array_append_new(x->out, json_pack("{ss ss so}", "id", r->id, "kind", r->kind, "fields", c));
	return 0;
}

/* Record `only`'s conflict, or every record's (those pl_store_conflicted names). */
static int collect(pl_store *st, const char *only, json_t **out)
{
	struct conf_ctx x = { st, json_array(), 0 };
	json_t *ids = NULL;
	int rc = 0;

	if (!only && (rc = pl_store_conflicted(&ids, st, NULL)))
		goto done;
	for (size_t i = 0; !rc && i < (only ? 1 : json_array_size(ids)); i++) {
		pl_record *r = NULL;
		if ((rc = pl_store_get(&r, st, only ? only : json_string_value(json_array_get(ids, i)))) == 0)
			rc = conf_cb(r, &x);
		pl_record_free(r);
	}
done:
	json_decref(ids);
	if (rc) {
		json_decref(x.out);
		return rc;
	}
	*out = x.out;
	return 0;
}

/* The strings here come from other nodes: each goes through the terminal renderer. */
static void print_conflicts(const json_t *list)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i), *fields = json_object_get(c, "fields"), *cands;
		const char *path;
		pl_term_fputs(stdout, json_string_value(json_object_get(c, "kind")));
		putchar(' ');
		pl_term_fputs(stdout, json_string_value(json_object_get(c, "id")));
		putchar('\n');
		json_object_foreach(fields, path, cands) {
			fputs("  ", stdout);
			pl_term_fputs(stdout, path);
			putchar('\n');
			for (size_t j = 0; j < json_array_size(cands); j++) {
				json_t *k = json_array_get(cands, j);
				char *t = fields_text(json_object_get(k, "value")), *e = pl_term_escape(t ? t : "");
				size_t csz = (e ? strlen(e) : 0) + 21; /* never cut: padded to 20 columns */
				char *cell = malloc(csz);
				printf("    %s %s  by ", json_is_true(json_object_get(k, "winner")) ? "*" : " ",
				       cell ? pl_term_cell(cell, csz, e ? e : "", 20, 0) : e ? e : "");
				free(cell);
				pl_term_fputs(stdout, json_string_value(json_object_get(k, "actor")));
				printf(" on %s at %s\n", json_string_value(json_object_get(k, "node")),
				       json_string_value(json_object_get(k, "time")));
				free(e);
				free(t);
			}
		}
	}
}

static int cmd_conflicts(cli *c, int argc, char **argv)
{
	int as_json = 0, npos, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	json_t *list = NULL;
	char **pos;

	if ((rc = opts_parse(&cmd_conflicts_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos > 1) {
		free(pos);
		return cli_usage(&cmd_conflicts_entry, "at most one record id");
	}
	rc = collect(c->store, npos ? pos[0] : NULL, &list);
	free(pos);
	if (rc)
		return cli_fail(c);
	if (as_json)
		rc = pl_json_write(stdout, list) ? cli_fail(c) : EXIT_OK;
	else if (!json_array_size(list))
		printf("no open conflicts\n");
	else
		print_conflicts(list);
	json_decref(list);
	return rc;
}

static int cmd_resolve(cli *c, int argc, char **argv)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	opt_spec specs[] = { { "note", 1, &o.note, NULL }, { NULL, 0, NULL, NULL } };
	pl_workflow_result r = { 0 };
	char **pos;
	int npos, rc;

	if ((rc = opts_parse(&cmd_resolve_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 2) {
		free(pos);
		return cli_usage(&cmd_resolve_entry, "give the record id and the settled field=value pairs");
	}
	o.id = pos[0];
	/* a record with no open conflict is said before a bad field=value */
	if (fields_parse(&o.fields, npos - 1, pos + 1)) {
		pl_error saved = *pl_error_last();
		rc = pl_workflow_resolve(c->store, c->actor, &o, &r) ? workflow_fail(c, &o, &r) :
		     cli_error(saved.code == PL_EUSAGE ? EXIT_USAGE : EXIT_FAIL, "%s", saved.message);
	} else if (pl_workflow_resolve(c->store, c->actor, &o, &r)) {
		rc = workflow_fail(c, &o, &r);
	} else {
		printf("resolved %s; 'plsync sync' sends the resolution to the district\n", pos[0]);
		rc = EXIT_OK;
	}
	json_decref(o.fields);
	free(pos);
	return rc;
}

const cmd_entry cmd_conflicts_entry = {
	.name = "conflicts",
	.synopsis = "conflicts [ID] [--json]",
	.summary = "list records whose fields were changed concurrently to different values",
	.help =
	"Two changes to one record that did not see each other (made on different\n"
	"nodes between syncs) are concurrent. Where they set one field to different\n"
	"values, that is a conflict: every replica shows the same winner (the higher\n"
	"clock, then node), marked *, and the other values are kept and listed here\n"
	"until `plsync resolve` (or any change to the record) settles them.\n"
	"\n"
	"Examples:\n"
	"  plsync conflicts\n"
	"  plsync conflicts E100 --json\n",
	.needs_store = 1,
	.exec = cmd_conflicts,
};

const cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.synopsis = "resolve ID [--note TEXT] field=value...",
	.summary = "settle a conflict with the value that should stand",
	.help =
	"Records a change to ID whose base names every concurrent head, with the\n"
	"given field values. After the next sync and district merge the conflict is\n"
	"gone everywhere. Only the node that created the record (or DISTRICT) may\n"
	"resolve it.\n"
	"\n"
	"Example:\n"
	"  plsync resolve LIN01-7K3Q2 hours=6.5 --note \"agreed with the principal\"\n",
	.needs_store = 1,
	.exec = cmd_resolve,
};
