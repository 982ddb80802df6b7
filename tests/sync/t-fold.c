/*
 * One fold, two readers. Random op sets on a few records — several nodes,
 * sets and nulls, nested fields (a null map hides the older leaves below
 * it), deletes and restores, concurrent heads, clocks that tie across
 * nodes — reach a real store in a random arrival order (each node's chain
 * in order, the nodes interleaved) through pl_write_remote, and the store's
 * record (pl_store_get) is compared with what audit's history makes of the
 * same store (pl_audit_show at the end of time: the record's ops refolded
 * in (hlc, node) order; pl_audit_log: replaying every op's "changes"):
 * every field, every clock, kind, owner, created, updated, the deleted flag
 * and the heads (as a set). Any difference between the store's fold and
 * the history's is a failure, naming the trial's seed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/audit.h"
#include "plsync/json.h"
#include "../tap.h"

#define H (1767225600000ull << 16)   /* 2026-01-01T00:00:00Z, counter 0 */
#define TRIALS 150
#define MAXOPS 40

static const char *const nodes[] = { "AAA", "BBB", "CCC", "DISTRICT" };
#define NNODES 4
static const char *const recs[] = { "act-1", "act-2" };
#define NRECS 2

static uint64_t rng;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

struct gop {
	unsigned char *enc;
	size_t         len;
	pl_oid         id;
	int            node, rec;
};

/* A value for a leaf: a string (from a small set, so values repeat) or null. */
static json_t *value(void)
{
	char v[16];
	if (rnd(4) == 0)
		return json_null();
	snprintf(v, sizeof(v), "v%u", rnd(6));
	return json_string(v);
}

/* Random fields of an activity: top-level text, and the two who/what/how
 * maps given whole, part by part, or as a null that unsets the map. */
static json_t *fields(void)
{
	static const char *const top[] = { "title", "duration", "resources" };
	static const char *const maps[] = { "initial", "followup" };
	static const char *const sub[] = { "who", "what", "how" };
	json_t *f = json_object();

	for (int i = 0; i < 3; i++)
		if (rnd(2))
			json_object_set_new(f, top[i], value());
	for (int i = 0; i < 2; i++) {
		unsigned how = rnd(4);
		if (how == 0)
			continue;
		if (how == 1) {
			json_object_set_new(f, maps[i], json_null());
			continue;
		}
		json_t *m = json_object();
		for (int j = 0; j < 3; j++)
			if (rnd(2))
				json_object_set_new(m, sub[j], value());
		json_object_set_new(f, maps[i], m);
	}
	return f;
}

/*
 * One trial's ops: per node a chain (seq, prev); each op on a random record,
 * its base a random subset of that record's ops made so far (empty: a
 * create), its clock strictly rising per node but tying across nodes.
 */
static size_t generate(struct gop *ops, size_t n)
{
	uint64_t seq[NNODES] = { 0 }, clock[NNODES] = { 0 };
	pl_oid last[NNODES];

	for (size_t i = 0; i < n; i++) {
		int nd = (int)rnd(NNODES), rec = (int)rnd(NRECS);
		pl_oid base[8];
		size_t nbase = 0;
		pl_op op;

		memset(&op, 0, sizeof(op));
		for (size_t j = 0; j < i && nbase < 8; j++)
			if (ops[j].rec == rec && rnd(3) == 0)
				base[nbase++] = ops[j].id;
		clock[nd] += 1 + rnd(3);
		op.v = PL_OP_VERSION;
		op.node = (char *)nodes[nd];
		op.seq = ++seq[nd];
		op.has_prev = op.seq > 1;
		if (op.has_prev)
			op.prev = last[nd];
		op.hlc = H + (clock[nd] << 16);
		op.actor = "Fold Tester <f@example.org>";
		op.kind = "activity";
		op.rec = (char *)recs[rec];
		op.type = rnd(6) == 0 ? PL_OP_DEL : PL_OP_PUT;
		op.base = base;
		op.nbase = nbase;
		op.fields = op.type == PL_OP_PUT ? fields() : NULL;
		if (pl_op_encode(&ops[i].enc, &ops[i].len, &op) || pl_op_id(&ops[i].id, ops[i].enc, ops[i].len))
			bail("encode: %s", pl_error_last()->message);
		json_decref(op.fields);
		last[nd] = ops[i].id;
		ops[i].node = nd;
		ops[i].rec = rec;
	}
	return n;
}

/* A random arrival order: each node's ops in chain order, nodes interleaved. */
static void arrival(size_t *order, const struct gop *ops, size_t n)
{
	size_t next[NNODES] = { 0 }, k = 0;

	while (k < n) {
		int nd = (int)rnd(NNODES);
		size_t i;
		for (i = next[nd]; i < n && ops[i].node != nd; i++)
			;
		if (i == n) {
			next[nd] = n;
			continue;
		}
		order[k++] = i;
		next[nd] = i + 1;
	}
}

struct feed {
	const struct gop *ops;
	const size_t     *order;
	size_t            n;
};

static int feed_fn(pl_write *w, void *payload)
{
	struct feed *f = payload;
	for (size_t k = 0; k < f->n; k++) {
		int rc = pl_write_remote(w, f->ops[f->order[k]].enc, f->ops[f->order[k]].len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int same_heads(const pl_record *a, const pl_record *b)
{
	if (a->nheads != b->nheads)
		return 0;
	for (size_t i = 0; i < a->nheads; i++) {
		int found = 0;
		for (size_t j = 0; j < b->nheads && !found; j++)
			found = !memcmp(a->heads[i].id, b->heads[j].id, PL_OID_RAWSZ);
		if (!found)
			return 0;
	}
	return 1;
}

/* The record's fields rebuilt from the log: every op's "after" values. */
static json_t *replay_log(const json_t *log)
{
	json_t *flat = json_object(), *op, *ch;
	size_t i, j;

	json_array_foreach(json_object_get(log, "ops"), i, op) {
		json_array_foreach(json_object_get(op, "changes"), j, ch) {
			const char *field = json_string_value(json_object_get(ch, "field"));
			json_t *after = json_object_get(ch, "after");
			if (json_is_null(after))
				json_object_del(flat, field);
			else
				json_object_set(flat, field, after);
		}
	}
	return flat;
}

/* The store's record against audit's show and log; 1 if all agree. */
static int compare(pl_store *st, const char *id, unsigned trial, size_t nops)
{
	pl_record *s = NULL, *h = NULL;
	json_t *log = NULL, *flat = json_object(), *replayed = NULL;
	int same = 0;

	if (pl_store_get(&s, st, id)) {
		json_decref(flat);
		return nops == 0; /* no op touched it: neither has it */
	}
	if (pl_audit_show(&h, st, id, UINT64_MAX >> 16) || pl_audit_log(&log, st, id)) {
		diag("trial %u, %s: audit: %s", trial, id, pl_error_last()->message);
		goto cleanup;
	}
	pl_json_flatten(flat, s->fields);
	replayed = replay_log(log);
	same = json_equal(s->fields, h->fields) && json_equal(s->clocks, h->clocks) &&
	       s->deleted == h->deleted && !strcmp(s->kind, h->kind) && !strcmp(s->owner, h->owner) &&
	       s->created == h->created && s->updated == h->updated && same_heads(s, h) &&
	       json_array_size(json_object_get(log, "ops")) == nops && json_equal(flat, replayed) &&
	       json_is_true(json_object_get(log, "deleted")) == s->deleted;
	if (!same) {
		char *a = json_dumps(s->fields, JSON_SORT_KEYS), *b = json_dumps(h->fields, JSON_SORT_KEYS);
		char *c = json_dumps(replayed, JSON_SORT_KEYS);
		diag("trial %u, %s: store %s (deleted %d, owner %s, %zu heads)", trial, id, a, s->deleted, s->owner,
		     s->nheads);
		diag("trial %u, %s: show  %s (deleted %d, owner %s, %zu heads); log replayed %s", trial, id, b,
		     h->deleted, h->owner, h->nheads, c);
		free(a);
		free(b);
		free(c);
	}
cleanup:
	pl_record_free(s);
	pl_record_free(h);
	json_decref(log);
	json_decref(flat);
	json_decref(replayed);
	return same;
}

int main(void)
{
	char root[] = "/tmp/plsync-t-fold-XXXXXX", cmd[64];
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	unsigned bad = 0, records = 0, deleted = 0, forked = 0;

	pl_init();
	o.no_sync = 1;
	if (!mkdtemp(root))
		bail("mkdtemp");
	for (unsigned t = 0; t < TRIALS; t++) {
		struct gop ops[MAXOPS];
		size_t order[MAXOPS], n, perrec[NRECS] = { 0 };
		struct feed f;
		char dir[80];
		pl_store *st = NULL;

		rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(t + 1) * 0xD1B54A32D192ED03ull);
		n = generate(ops, 4 + rnd(MAXOPS - 4));
		arrival(order, ops, n);
		for (size_t i = 0; i < n; i++)
			perrec[ops[i].rec]++;
		snprintf(dir, sizeof(dir), "%s/%u", root, t);
		if (pl_store_create(dir, "LOC", &o) || pl_store_open(&st, dir, &o))
			bail("store %s: %s", dir, pl_error_last()->message);
		f.ops = ops;
		f.order = order;
		f.n = n;
		if (pl_store_write(st, "sync", feed_fn, &f))
			bail("trial %u: the ops were refused: %s", t, pl_error_last()->message);
		for (int r = 0; r < NRECS; r++) {
			pl_record *s = NULL;
			if (!compare(st, recs[r], t, perrec[r]))
				bad++;
			if (pl_store_get(&s, st, recs[r]) == 0) {
				records++;
				deleted += s->deleted;
				forked += s->nheads > 1;
			}
			pl_record_free(s);
		}
		for (size_t i = 0; i < n; i++)
			free(ops[i].enc);
		pl_store_free(st);
	}
	ok(bad == 0, "%u random op sets, folded by the store in arrival order and by audit's history, "
	   "agree on every field, clock, owner, deleted flag and head (%u records differ)", TRIALS, bad);
	ok(records > TRIALS, "the trials made records (%u)", records);
	ok(deleted > 0 && deleted < records, "some ended deleted, some not (%u of %u)", deleted, records);
	ok(forked > 0, "some ended with concurrent heads (%u)", forked);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
