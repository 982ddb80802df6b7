/*
 * cmd-log.c — `plsync log`: the op history, all of it or one record's.
 *
 * Each op is printed as it is read (a store may hold millions): --json
 * writes each one inside the array's frame (pl_json_array_item).
 */
#include <string.h>

#include "agent.h"

struct log_ctx {
	int               as_json;
	pl_json_array_out out;
};

static int log_cb(const pl_op *op, const pl_oid *id, void *payload)
{
	struct log_ctx *x = payload;
	char when[32], hex[PL_OID_HEXSZ + 1];

	pl_hlc_fmt(when, op->hlc);
	pl_oid_fmt(hex, id);
	if (x->as_json) {
		json_t *o = json_pack("{ss ss sI ss sI ss ss ss ss sO}", "id", hex, "node", op->node,
		                      "seq", (json_int_t)op->seq, "time", when, "hlc", (json_int_t)op->hlc,
		                      "actor", op->actor, "op", op->type == PL_OP_PUT ? "put" : "del",
		                      "kind", op->kind, "rec", op->rec,
		                      "fields", op->fields ? op->fields : json_object());
		int rc;
		if (o && op->note)
			json_object_set_new(o, "note", json_string(op->note));
		rc = o ? pl_json_array_item(&x->out, o) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(o);
		return rc;
	}
	/* every string here may come from another node: through the terminal renderer */
	printf("%s/%llu  %s  ", op->node, (unsigned long long)op->seq, when);
	pl_term_fputs(stdout, op->actor);
	printf("  %s ", op->type == PL_OP_PUT ? "put" : "del");
	pl_term_fputs(stdout, op->kind);
	putchar(' ');
	pl_term_fputs(stdout, op->rec);
	if (op->fields) {
		json_t *flat = fields_flatten(op->fields);
		size_t n;
		const char **keys = pl_json_keys(flat, &n);
		for (size_t i = 0; keys && i < n; i++) {
			json_t *v = json_object_get(flat, keys[i]);
			char *t = fields_text(v);
			int quote = !json_is_null(v) && t && strpbrk(t, " \t");
			putchar(' ');
			pl_term_fputs(stdout, keys[i]);
			fputs(quote ? "=\"" : "=", stdout);
			pl_term_fputs(stdout, json_is_null(v) ? "(unset)" : t ? t : "");
			if (quote)
				putchar('"');
			free(t);
		}
		free(keys);
		json_decref(flat);
	}
	if (op->note) {
		fputs("  # ", stdout);
		pl_term_fputs(stdout, op->note);
	}
	printf("\n");
	return ferror(stdout) ? pl_error_from_errno("writing the log") : 0;
}

static int cmd_log(cli *c, int argc, char **argv)
{
	int as_json = 0, npos, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	struct log_ctx x = { 0 };
	char **pos;

	if ((rc = opts_parse(&cmd_log_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos > 1) {
		free(pos);
		return cli_usage(&cmd_log_entry, "at most one record id");
	}
	x.as_json = as_json;
	x.out = (pl_json_array_out)PL_JSON_ARRAY_OUT_INIT(stdout);
	if (npos == 1) {
		pl_record *r = NULL;
		if (pl_store_get(&r, c->store, pos[0])) {
			free(pos);
			return cli_fail(c);
		}
		pl_record_free(r);
	}
	rc = pl_store_log(c->store, npos ? pos[0] : NULL, log_cb, &x) ? cli_fail(c) : EXIT_OK;
	if (!rc && as_json)
		rc = pl_json_array_end(&x.out) ? cli_fail(c) : EXIT_OK;
	free(pos);
	return rc;
}

const cmd_entry cmd_log_entry = {
	.name = "log",
	.synopsis = "log [ID] [--json]",
	.summary = "show the op history (of one record, or all)",
	.help =
	"Prints ops oldest first, one per line: NODE/SEQ, time (the op's hybrid logical\n"
	"clock as RFC 3339 UTC), actor, put/del, kind, record id, and the fields the op\n"
	"set. With ID, only that record's ops, in clock order; without, every op in the\n"
	"store by node and seq. --json prints an array of ops with their ids.\n"
	"\n"
	"Examples:\n"
	"  plsync log\n"
	"  plsync log LIN01-7K3Q2 --json\n",
	.needs_store = 1,
	.exec = cmd_log,
};
