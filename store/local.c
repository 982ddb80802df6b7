/*
 * local.c — this node's changes: pl_write_change and pl_store_change.
 *
 * A change goes: checks of the actor and note; the record (create: a valid
 * id, its form, not there yet; set/del: there, visible, of that kind) and
 * the ownership rule; the schema's one pass over the raw fields
 * (pl_schema_prepare: coerced, validated, references checked); the op,
 * stamped and encoded; applied and stored. Nothing is written unless all
 * of it passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/text.h"
#include "store-int.h"

/*
 * The next op of this node on record `id` (type, fields, note and base
 * already set in *op): stamped (version, node, seq, prev, clock, actor,
 * kind), encoded within the op size limit, and its id. *enc is malloc'd.
 * The clock is past `after` (the record's newest op clock), so a change
 * that saw the record's heads wins over them whatever their clocks (an op
 * from a clock years ahead pins a field only until the next change).
 */
static int local_op(pl_write *w, pl_op *op, const pl_kind_def *k, char *id, uint64_t after,
                    unsigned char **enc, size_t *len, pl_oid *oid)
{
	int rc;

	op->v = PL_OP_VERSION;
	op->node = w->st->node;
	op->seq = w->seq + 1;
	op->has_prev = w->seq > 0;
	op->prev = w->head;
	op->hlc = pl_hlc_next(w->hlc, pl_hlc_wall_ms());
	if (after && op->hlc <= after)
		op->hlc = after == UINT64_MAX ? after : after + 1;
	op->actor = (char *)w->actor;
	op->kind = (char *)k->name;
	op->rec = id;
	if ((rc = pl_op_encode(enc, len, op)))
		return rc;
	if (*len > w->st->opts.limits.max_op)
		return pl_error_set(PL_EINVALID, "%s %s: the change is %zu bytes, over the %zu-byte op limit",
		                    k->name, id, *len, w->st->opts.limits.max_op);
	return pl_op_id(oid, *enc, *len);
}

/* The op is stored: it is this node's last. */
static void local_done(pl_write *w, const pl_op *op, const pl_oid *oid)
{
	w->seq = op->seq;
	w->head = *oid;
	/* as far as a received op would move it: a change stamped past a
	 * record's far-future clock does not drag the node's clock there */
	w->hlc = pl_hlc_recv_bounded(w->hlc, op->hlc, pl_hlc_wall_ms());
	w->dirty = 1;
}

/* What the schema's references check needs to word a deferred refusal. */
static void change_label(pl_write *w, const pl_change *c, const char *id, const pl_kind_def *k)
{
	w->where = c->where;
	w->rec = id;
	w->rkind = k->name;
}

/* The day a local change is made on: its HLC's UTC date (the clock the
 * store reads, so a test moves it with the clock, not with the schema). */
static void change_day(char out[32], const pl_write *w)
{
	pl_hlc_fmt(out, pl_hlc_next(w->hlc, pl_hlc_wall_ms()));
	out[10] = '\0';
}

/*
 * Create a record new to this store (`given` is its id, else one is made
 * from the next seq): the fields through the schema's one pass, the op, and
 * its state straight from its fields, with no record state built or looked
 * up first. An id made that is taken already is made again.
 */
static int create_new(pl_write *w, const pl_kind_def *k, const pl_change *c, const char *given,
                      char id_out[PL_ID_MAX + 1])
{
	for (unsigned attempt = 0;; attempt++) {
		char id[PL_ID_MAX + 1];
		rstate s = { .lv = NULL };
		unsigned char *enc = NULL;
		size_t len = 0;
		json_t *fields = NULL;
		int taken = 0, rc;
		pl_op op;
		pl_oid oid;

		if (given)
			pl_id__copy(id, given);
		else
			pl_id__make(id, w->st->node, w->seq + 1, attempt);
		memset(&op, 0, sizeof(op));
		op.type = PL_OP_PUT;
		op.note = (char *)c->note;
		change_label(w, c, id, k);
		/* a new record is its create's fields (a null there sets nothing) */
		char today[32];
		pl_sense at = { id, today };

		change_day(today, w);
		if ((rc = pl_schema_prepare(&fields, k, c->fields, NULL, &at, pl_write__ref_exists, w)) == 0) {
			op.fields = fields;
			rc = local_op(w, &op, k, id, 0, &enc, &len, &oid);
		}
		if (!rc) {
			memcpy(s.kind, k->name, strlen(k->name) + 1);
			memcpy(s.owner, op.node, strlen(op.node) + 1);
			s.created = s.updated = s.put_hlc = op.hlc;
			s.nheads = 1;
			s.heads = &oid;
			s.fresh = fields;
			rc = pl_write__commit_applied(w, &op, enc, len, &oid, NULL, &s, given ? NULL : &taken, 0);
		}
		free(enc);
		json_decref(fields);
		if (rc)
			return rc;
		if (taken)
			continue;
		local_done(w, &op, &oid);
		if (id_out)
			pl_id__copy(id_out, id);
		return 0;
	}
}

/* The record a set or del changes (state `s`): there, visible, of the
 * kind asked, and this node's to change. Its kind's definition into *k. */
static int editable(const pl_kind_def **k, const pl_write *w, const pl_change *c, const char *id,
                    const rstate *s, int found)
{
	char who[PL_NODE_MAX + 1];

	if (!found || !pl_rstate__visible(s))
		return pl_error_set(PL_ENOTFOUND, "no record with id '%s'%s", id, found ? " (it was deleted)" : "");
	if (c->kind && strcmp(c->kind, s->kind))
		return pl_error_set(PL_EINVALID, "record %s is a %s, not a %s", id, s->kind, c->kind);
	switch (pl_store__may_write(who, w->st->node, 0, s->owner, id)) {
	case PL_OWN_NOT_CREATED:
		pl_error_set(PL_EINVALID, "record %s has not been created here yet (only later changes to it "
		             "arrived)", id);
		return pl_error_hint(PL_HINT_SYNC, NULL);
	case PL_OWN_OTHERS:
		return pl_error_set(PL_EINVALID, "record %s belongs to node %s; only %s or DISTRICT may change it",
		                    id, who, who);
	default:
		break;
	}
	if (!(*k = pl_schema_kind(s->kind)))
		return pl_error_set(PL_ECORRUPT, "record %s has unknown kind '%s'", id, s->kind);
	return 0;
}

/* A set or del of record `id` (state `s`, applied to and stored). */
static int edit(pl_write *w, const pl_change *c, const char *id, rstate *s, int found,
                char id_out[PL_ID_MAX + 1])
{
	const pl_kind_def *k = NULL;
	unsigned char *enc = NULL;
	json_t *fields = NULL, *now = NULL;
	size_t len = 0;
	pl_op op;
	pl_oid oid;
	int rc;

	memset(&op, 0, sizeof(op));
	if ((rc = editable(&k, w, c, id, s, found)))
		return rc;
	if (c->type != PL_CHANGE_DEL) {
		if (c->type == PL_CHANGE_SET && (!c->fields || (json_is_object(c->fields) && !json_object_size(c->fields))))
			return pl_error_set(PL_EUSAGE, "nothing to set: give field=value pairs");
		/* the record as it will be: its fields now, the change over them */
		if (!(now = pl_rstate__fields(s, NULL)))
			return pl_error_set(PL_ERROR, "out of memory");
		char today[32];
		pl_sense at = { id, today };

		change_day(today, w);
		change_label(w, c, id, k);
		rc = pl_schema_prepare(&fields, k, c->fields, now, &at, pl_write__ref_exists, w);
		json_decref(now);
		if (rc)
			return rc;
	}
	if (s->nheads > 256) {
		rc = pl_error_set(PL_EINVALID, "%s %s has %zu concurrent heads, more than one change can name (256); "
		                  "ask the district office to resolve it", k->name, id, s->nheads);
		goto cleanup;
	}
	/* the base: the heads, copied (applying the op reallocs s->heads) */
	if ((op.nbase = s->nheads) && !(op.base = malloc(op.nbase * sizeof(pl_oid)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if (op.nbase)
		memcpy(op.base, s->heads, op.nbase * sizeof(pl_oid));
	op.type = c->type == PL_CHANGE_DEL ? PL_OP_DEL : PL_OP_PUT;
	op.fields = fields;
	op.note = (char *)c->note;
	if ((rc = local_op(w, &op, k, (char *)id, s->updated, &enc, &len, &oid)) ||
	    (rc = pl_write__commit_op(w, &op, enc, len, &oid, s, found, 0)))
		goto cleanup;
	local_done(w, &op, &oid);
	if (id_out)
		pl_id__copy(id_out, id);
cleanup:
	free(op.base);
	free(enc);
	json_decref(fields);
	return rc;
}

/* What is refused before anything is looked up (and leaves the write
 * going): the actor and note as the decoder will take them, the kind and
 * the id given. */
static int check_change(const pl_kind_def **k, const pl_write *w, const pl_change *c)
{
	size_t alen = strlen(w->actor);
	char who[PL_NODE_MAX + 1];

	/* never store what the decoder would refuse: it could not be read back,
	 * verified or synced (values are checked by the schema) */
	if (alen > 256)
		return pl_error_set(PL_EINVALID, "the actor \"%.40s...\" is longer than 256 bytes; shorten user.name/user.email",
		                    w->actor);
	if (!pl_utf8_valid(w->actor, alen))
		return pl_error_set(PL_EINVALID, "the actor name is not UTF-8 text; fix user.name/user.email");
	if (pl_text_control(w->actor, alen) >= 0)
		return pl_error_set(PL_EINVALID, "the actor \"%s\" holds a control character (a tab, newline, "
		                    "escape...); an actor is one line of text: fix user.name/user.email", w->actor);
	if (c->note && !pl_utf8_valid(c->note, strlen(c->note)))
		return pl_error_set(PL_EINVALID, "the note is not UTF-8 text");
	if (c->note && strlen(c->note) > w->st->opts.limits.max_value)
		return pl_error_set(PL_EINVALID, "the note is %zu bytes, over the %zu-byte limit", strlen(c->note),
		                    w->st->opts.limits.max_value);
	if (c->type != PL_CHANGE_CREATE)
		return c->id ? 0 : pl_error_set(PL_EUSAGE, "a record id is needed");
	if (!c->kind || !(*k = pl_schema_kind(c->kind))) {
		char names[400];
		return pl_error_set(PL_EINVALID, "unknown kind '%s'; kinds are: %s", c->kind ? c->kind : "",
		                    pl_schema_kind_names(names, sizeof(names)));
	}
	if (!c->id)
		return 0;
	if (!pl_id__valid(c->id))
		return pl_error_set(PL_EINVALID, "'%s' is not a valid record id: use 1-64 printable UTF-8 characters without spaces, '/', ',' or quotes", c->id);
	if (pl_store__may_write(who, w->st->node, 1, NULL, c->id) == PL_OWN_FOREIGN_FORM)
		return pl_error_set(PL_EINVALID, "'%s' has the form of an id generated by node %s; only %s may "
		                    "create it: give another id, or leave the id out to have one made", c->id,
		                    who, who);
	return 0;
}

int pl_write_change(pl_write *w, const pl_change *c, char id_out[PL_ID_MAX + 1])
{
	const pl_kind_def *k = NULL;
	rstate s = { .lv = NULL };
	char id[PL_ID_MAX + 1];
	int found = 0, rc;

	if (w->rc)
		return w->rc;
	if ((rc = check_change(&k, w, c)))
		return rc;
	if (c->id) {
		pl_id__copy(id, c->id);
		if ((rc = pl_rstate__load(&s, &found, w, w->txn, id)))
			return rc;
	}
	/* from here a refusal fails the whole write */
	if (c->type != PL_CHANGE_CREATE)
		rc = edit(w, c, id, &s, found, id_out);
	else if (found) {
		pl_error_set(PL_EEXISTS, "%s %s already exists", s.kind, id);
		rc = pl_error_hint(PL_HINT_SET_FIELD, id);
	}
	else
		rc = create_new(w, k, c, c->id ? id : NULL, id_out);
	pl_rstate__clear(&s);
	if (rc && !w->rc)
		w->rc = rc;
	return rc;
}

struct one_change {
	const pl_change *c;
	char *id_out;
};

static int one_change_fn(pl_write *w, void *payload)
{
	struct one_change *oc = payload;
	return pl_write_change(w, oc->c, oc->id_out);
}

int pl_store_change(pl_store *st, const char *actor, const pl_change *c, char id_out[PL_ID_MAX + 1])
{
	struct one_change oc = { c, id_out };
	return pl_store_write(st, actor, one_change_fn, &oc);
}
