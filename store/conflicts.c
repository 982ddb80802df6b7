/*
 * conflicts.c — a record's open conflicts: for each field its concurrent
 * heads set to different values, the candidates listed by (hlc, node),
 * highest (the winner) first, so that every replica lists them alike.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "store-int.h"

static int cand_cmp(json_t *a, json_t *b)
{
	return pl_rstate__clock_cmp((uint64_t)json_integer_value(json_object_get(a, "hlc")),
	                            json_string_value(json_object_get(a, "node")),
	                            (uint64_t)json_integer_value(json_object_get(b, "hlc")),
	                            json_string_value(json_object_get(b, "node")));
}

/*
 * A field's candidates by (hlc, node), highest first: not in head order,
 * which is arrival order, so that every replica (the merge, audit verify
 * folding in another order) writes the same conflicts file.
 */
static void cands_sort(json_t *cands)
{
	for (size_t i = 1; i < json_array_size(cands); i++) {
		json_t *c = json_incref(json_array_get(cands, i));
		size_t j = i;
		for (; j > 0 && cand_cmp(json_array_get(cands, j - 1), c) < 0; j--)
			json_array_set(cands, j, json_array_get(cands, j - 1));
		json_array_set(cands, j, c);
		json_decref(c);
	}
}

int pl_store_conflicts(json_t **out, pl_store *st, const pl_record *r)
{
	json_t *byfield = json_object(), *res = NULL;
	const char *path;
	json_t *cands;
	int rc = 0;

	*out = NULL;
	if (r->nheads < 2)
		goto done;
	for (size_t i = 0; i < r->nheads; i++) {
		unsigned char *buf = NULL;
		size_t len;
		pl_op *op = NULL;
		json_t *flat;
		const char *p;
		json_t *v;
		char hex[PL_OID_HEXSZ + 1], when[32];

		if ((rc = pl_store_op_by_id(&buf, &len, st, &r->heads[i])) ||
		    (rc = pl_op_decode(&op, buf, len, &st->opts.limits))) {
			free(buf);
			goto done;
		}
		free(buf);
		pl_oid_fmt(hex, &r->heads[i]);
		pl_hlc_fmt(when, op->hlc);
		flat = json_object();
		if (op->fields)
			pl_json_flatten(flat, op->fields);
		json_object_foreach(flat, p, v) {
			json_t *list = json_object_get(byfield, p);
			if (!list) {
				list = json_array();
				json_object_set_new(byfield, p, list);
			}
			json_array_append_new(list, json_pack("{sO ss ss ss ss sI}", "value", v, "op", hex,
			                                      "node", op->node, "actor", op->actor, "time", when,
			                                      "hlc", (json_int_t)op->hlc));
		}
		json_decref(flat);
		pl_op_free(op);
	}
	res = json_object();
	json_object_foreach(byfield, path, cands) {
		int differ = 0;
		for (size_t i = 1; i < json_array_size(cands); i++)
			if (!json_equal(json_object_get(json_array_get(cands, 0), "value"),
			                json_object_get(json_array_get(cands, i), "value")))
				differ = 1;
		if (!differ)
			continue;
		/* the winner is the state's value: highest (hlc, node), listed first */
		cands_sort(cands);
		for (size_t i = 0; i < json_array_size(cands); i++)
			json_object_set_new(json_array_get(cands, i), "winner", json_boolean(i == 0));
		json_object_set(res, path, cands);
	}
	if (!json_object_size(res)) {
		json_decref(res);
		res = NULL;
	}
done:
	json_decref(byfield);
	if (rc) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}
