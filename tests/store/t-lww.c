/*
 * Last writer wins, per field: ops from two other nodes, AAA and BBB,
 * reach three stores in different orders, and all three end with the same
 * record. The highest hlc wins each field, a tie goes to the higher node
 * name, different leaves of one map both survive, a newer null unsets.
 * The open conflicts are listed alike too (candidates by (hlc, node), not
 * in arrival order). A duplicate is skipped; a gap or a broken chain is
 * refused; a remote clock ahead of ours pulls our clock forward.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define H TL_H   /* 2026-01-01T00:00:00Z, counter 0 */

/* Encode one op of `node` with the given seq and prev (NULL: none). */
static struct tl_blob craft(const char *node, uint64_t seq, const pl_oid *prev, uint64_t hlc,
                            const char *kind, const char *rec, int type, const char *json)
{
	return tl_op_encode(&(struct tl_op){ .node = node, .seq = seq, .prev = prev, .hlc = hlc, .kind = kind,
	                                     .rec = rec, .type = type, .json = json });
}

/* The next op in a node's chain: seq = last + 1, prev = id of the last. */
static struct tl_blob next(struct tl_chain *c, uint64_t hlc, const char *kind, const char *rec, int type,
                           const char *json)
{
	return tl_chain_next(c, (struct tl_op){ .hlc = hlc, .kind = kind, .rec = rec, .type = type, .json = json });
}

/* Apply n ops in one write; the result of the last (or the first failure). */
static int apply(pl_store *st, const struct tl_blob *ops, size_t n)
{
	return tl_apply(st, "sync", ops, n, NULL, NULL);
}

static pl_record *get(pl_store *st, const char *id)
{
	pl_record *r = NULL;
	if (pl_store_get(&r, st, id))
		diag("get %s: %s", id, pl_error_last()->message);
	return r;
}

/* Record `id` as each of the three stores holds it, and their free. */
static void get3(pl_record **rx, pl_record **ry, pl_record **rz, pl_store *x, pl_store *y, pl_store *z,
                 const char *id)
{
	*rx = get(x, id);
	*ry = get(y, id);
	*rz = get(z, id);
}

static void free3(pl_record *rx, pl_record *ry, pl_record *rz)
{
	pl_record_free(rx);
	pl_record_free(ry);
	pl_record_free(rz);
}

enum { A0, A1, A2, A3, A4, A5, A6, A7, A8, NA };
enum { B1, B2, B3, B4, B5, B6, B7, NB };

int main(void)
{
	char dx[] = "/tmp/plsync-t-lww-XXXXXX", dy[600], dz[600];
	struct tl_chain aaa = { "AAA", 0, { { 0 } } }, bbb = { "BBB", 0, { { 0 } } };
	struct tl_blob a[NA], b[NB];
	pl_store *x, *y, *z;
	pl_record *rx, *ry, *rz;
	int rc, all;

	pl_init();
	tl_tmpdir(dx);
	snprintf(dy, sizeof(dy), "%s/y", dx);
	snprintf(dz, sizeof(dz), "%s/z", dx);
	{
		char d[600];
		snprintf(d, sizeof(d), "%s/x", dx);
		x = tl_store(d, "LOC");
	}
	y = tl_store(dy, "LOC");
	z = tl_store(dz, "LOC");

	/* two nodes edit one school, one PD entry, and a school one of them deletes */
	a[A0] = next(&aaa, H + 1, "school", "GONE", PL_OP_PUT, "{\"code\":\"G\",\"name\":\"Gone\"}");
	a[A1] = next(&aaa, H + 10, "school", "SCH", PL_OP_PUT, "{\"code\":\"SCH\",\"name\":\"from AAA\",\"level\":\"middle\"}");
	a[A2] = next(&aaa, H + 30, "school", "SCH", PL_OP_PUT, "{\"level\":\"high\"}");
	a[A3] = next(&aaa, H + 40, "pd_entry", "PD", PL_OP_PUT,
	             "{\"staff\":\"S1\",\"title\":\"Institute\",\"type\":\"workshop\",\"approvals\":{\"supervisor\":{\"by\":\"SUP\"}}}");
	a[A4] = next(&aaa, H + 60, "school", "SCH", PL_OP_PUT, "{\"demographics\":null}");
	a[A5] = next(&aaa, H + 65, "school", "SCH", PL_OP_PUT, "{\"enrollment\":null}");
	a[A6] = next(&aaa, H + 75, "school", "GONE", PL_OP_PUT, "{\"name\":\"renamed too early\"}");
	a[A7] = next(&aaa, H + 85, "pd_entry", "PD2", PL_OP_PUT,
	             "{\"approvals\":{\"supervisor\":{\"by\":\"SUP\"},\"budget\":{\"by\":\"BUD\"}}}");
	a[A8] = next(&aaa, H + 90, "pd_entry", "PD2", PL_OP_PUT, "{\"approvals\":null}");
	b[B1] = next(&bbb, H + 5, "school", "SCH", PL_OP_PUT, "{\"code\":\"SCH\",\"name\":\"from BBB\",\"demographics\":\"mixed\"}");
	b[B2] = next(&bbb, H + 30, "school", "SCH", PL_OP_PUT, "{\"level\":\"k-8\"}");
	b[B3] = next(&bbb, H + 45, "pd_entry", "PD", PL_OP_PUT, "{\"approvals\":{\"budget\":{\"by\":\"BUD\"}}}");
	b[B4] = next(&bbb, H + 50, "school", "SCH", PL_OP_PUT, "{\"demographics\":\"urban\"}");
	b[B5] = next(&bbb, H + 70, "school", "SCH", PL_OP_PUT, "{\"enrollment\":250}");
	b[B6] = next(&bbb, H + 80, "school", "GONE", PL_OP_DEL, NULL);
	b[B7] = next(&bbb, H + 95, "pd_entry", "PD2", PL_OP_PUT, "{\"approvals\":{\"budget\":{\"by\":\"BUD2\"}}}");

	/* x: all of AAA in one write, then BBB op by op */
	rc = apply(x, a, NA);
	all = rc == 0;
	for (int i = 0; i < NB; i++)
		all &= apply(x, &b[i], 1) == 0;
	ok(all, "store x takes AAA's ops, then BBB's");
	/* y: all of BBB, then AAA op by op */
	all = apply(y, b, NB) == 0;
	for (int i = 0; i < NA; i++)
		all &= apply(y, &a[i], 1) == 0;
	ok(all, "store y takes BBB's ops, then AAA's");
	/* z: interleaved, BBB first */
	all = 1;
	for (int i = 0; i < NA || i < NB; i++) {
		if (i < NB)
			all &= apply(z, &b[i], 1) == 0;
		if (i < NA)
			all &= apply(z, &a[i], 1) == 0;
	}
	ok(all, "store z takes them interleaved");

	get3(&rx, &ry, &rz, x, y, z, "SCH");
	if (!rx || !ry || !rz)
		bail("SCH missing");
	ok(json_equal(rx->fields, ry->fields) && json_equal(rx->fields, rz->fields),
	   "all three stores end with the same fields for the school");
	ok(json_equal(rx->clocks, ry->clocks) && json_equal(rx->clocks, rz->clocks),
	   "and the same (hlc, node) behind every field");
	ok(!strcmp(rx->owner, ry->owner) && !strcmp(rx->owner, rz->owner) && rx->created == ry->created &&
	   rx->updated == rz->updated, "and the same owner, created and updated clocks");
	{
		/* the conflicts file the merge writes and audit verify re-derives
		 * (folding in another order): the same bytes on every replica */
		json_t *cx = NULL, *cy = NULL, *cz = NULL;
		ok(pl_store_conflicts(&cx, x, rx) == 0 && pl_store_conflicts(&cy, y, ry) == 0 &&
		   pl_store_conflicts(&cz, z, rz) == 0 && cx && json_equal(cx, cy) && json_equal(cx, cz),
		   "and the same open conflicts, their candidates in the same order");
		is_str(json_string_value(json_object_get(json_array_get(json_object_get(cx, "level"), 0), "node")), "BBB",
		       "the winner first");
		json_decref(cx);
		json_decref(cy);
		json_decref(cz);
	}
	is_str(json_string_value(json_object_get(rx->fields, "name")), "from AAA",
	       "the name from the higher hlc wins, though its node sorts lower");
	is_str(json_string_value(json_object_get(rx->fields, "level")), "k-8",
	       "on a tie of hlc the higher node name (BBB) wins");
	ok(json_object_get(rx->fields, "demographics") == NULL,
	   "a null with a higher hlc unsets the field");
	ok(json_object_get(rx->clocks, "demographics") == NULL, "and leaves no clock behind");
	is_int(json_integer_value(json_object_get(rx->fields, "enrollment")), 250,
	       "a null with a lower hlc does not unset a newer value");
	is_str(json_string_value(json_object_get(rx->fields, "code")), "SCH", "an untouched field is kept");
	is_str(rx->owner, "BBB", "the record's owner is the node whose create has the lowest clock");
	ok(rx->created == H + 5 && rx->updated == H + 70, "created and updated are the lowest and highest op clocks");
	{
		json_t *c = json_object_get(rx->clocks, "level");
		ok(json_integer_value(json_array_get(c, 0)) == (json_int_t)(H + 30) &&
		   !strcmp(json_string_value(json_array_get(c, 1)), "BBB"), "the level's clock is [H+30, BBB]");
	}
	free3(rx, ry, rz);

	get3(&rx, &ry, &rz, x, y, z, "PD");
	if (!rx || !ry || !rz)
		bail("PD missing");
	ok(json_equal(rx->fields, ry->fields) && json_equal(rx->fields, rz->fields),
	   "all three stores agree on the PD entry");
	{
		json_t *ap = json_object_get(rx->fields, "approvals");
		is_str(json_string_value(json_object_get(json_object_get(ap, "supervisor"), "by")), "SUP",
		       "approvals.supervisor.by set by AAA survives");
		is_str(json_string_value(json_object_get(json_object_get(ap, "budget"), "by")), "BUD",
		       "next to approvals.budget.by set later by BBB");
		is_str(json_string_value(json_object_get(rx->fields, "title")), "Institute", "and the title is there");
	}
	is_str(ry->owner, "AAA", "the PD entry belongs to AAA even in the store that saw BBB's op first");
	free3(rx, ry, rz);

	get3(&rx, &ry, &rz, x, y, z, "PD2");
	{
		json_t *want = json_pack("{s{s{ss}}}", "approvals", "budget", "by", "BUD2");
		ok(rx && ry && rz && json_equal(rx->fields, want) && json_equal(ry->fields, want) &&
		   json_equal(rz->fields, want),
		   "a null on a whole map hides the older leaves below it, not a newer one, in every store");
		json_decref(want);
	}
	free3(rx, ry, rz);

	get3(&rx, &ry, &rz, x, y, z, "GONE");
	ok(rx && ry && rz && rx->deleted && ry->deleted && rz->deleted,
	   "a delete beats an earlier put that arrives after it: the school is deleted everywhere");
	free3(rx, ry, rz);
	{
		uint64_t n1, r1, n2, r2, n3, r3;
		ok(pl_store_verify(x, &n1, &r1) == 0 && pl_store_verify(y, &n2, &r2) == 0 &&
		   pl_store_verify(z, &n3, &r3) == 0 && n1 == NA + NB && n2 == n1 && n3 == n1 && r1 == 4,
		   "all three stores verify, each with %d ops and 4 records", NA + NB);
	}

	/* a duplicate changes nothing */
	{
		pl_store_stats s1, s2;
		pl_record *before = get(x, "PD"), *after;
		uint64_t aseq1, aseq2;
		pl_store_stats_get(&s1, x);
		pl_store_node_seq(&aseq1, NULL, x, "AAA");
		rc = apply(x, &a[A3], 1);
		is_int(rc, 1, "an op the store already has is skipped (returns 1)");
		rc = apply(x, a, NA);
		is_int(rc, 1, "so is a whole batch of them");
		pl_store_stats_get(&s2, x);
		pl_store_node_seq(&aseq2, NULL, x, "AAA");
		after = get(x, "PD");
		ok(s1.ops == s2.ops && s1.hlc == s2.hlc && aseq1 == aseq2 && before && after &&
		   json_equal(before->fields, after->fields) && before->updated == after->updated &&
		   before->nheads == after->nheads, "and the log, the clock and the record are unchanged");
		pl_record_free(before);
		pl_record_free(after);
	}

	/* a gap and a broken chain are refused */
	{
		pl_store_stats s1, s2;
		pl_oid bogus;
		struct tl_blob gap, broken, ours, good;
		memset(bogus.id, 0x5a, sizeof(bogus.id));
		pl_store_stats_get(&s1, x);
		gap = craft("AAA", aaa.seq + 2, &aaa.last, H + 100, "school", "SCH", PL_OP_PUT, "{\"name\":\"gap\"}");
		rc = apply(x, &gap, 1);
		is_int(rc, PL_ECORRUPT, "an op that skips a seq (%llu after %llu) is refused as corrupt",
		       (unsigned long long)aaa.seq + 2, (unsigned long long)aaa.seq);
		ok(strstr(pl_error_last()->message, "AAA") != NULL, "naming the node (%s)", pl_error_last()->message);
		broken = craft("AAA", aaa.seq + 1, &bogus, H + 100, "school", "SCH", PL_OP_PUT, "{\"name\":\"forged\"}");
		rc = apply(x, &broken, 1);
		is_int(rc, PL_ECORRUPT, "an op whose prev is not the id of the node's last op is refused");
		ours = craft("LOC", 1, NULL, H + 100, "school", "SCH", PL_OP_PUT, "{\"name\":\"impostor\"}");
		rc = apply(x, &ours, 1);
		is_int(rc, PL_ECORRUPT, "an op claiming to be from this store's own node is refused");
		{
			struct tl_blob k1 = craft("AAA", aaa.seq + 1, &aaa.last, H + 100, "pd_entry", "SCH", PL_OP_PUT,
			                       "{\"title\":\"a school as a PD entry\"}");
			struct tl_blob k2 = craft("AAA", aaa.seq + 1, &aaa.last, H + 100, "party", "SCH", PL_OP_PUT, NULL);
			struct tl_blob k3 = craft("AAA", aaa.seq + 1, &aaa.last, H + 100, "school", "SCH", PL_OP_PUT,
			                       "{\"level\":\"university\"}");
			is_int(apply(x, &k1, 1), PL_ECORRUPT, "an op changing a school as if it were a PD entry is refused");
			is_int(apply(x, &k2, 1), PL_ECORRUPT, "an op of an unknown kind is refused");
			rc = apply(x, &k3, 1);
			ok(rc == PL_EINVALID && strstr(pl_error_last()->message, "school.level"),
			   "an op with a value the schema refuses is refused, naming the field");
			free(k1.enc);
			free(k2.enc);
			free(k3.enc);
		}
		pl_store_stats_get(&s2, x);
		rx = get(x, "SCH");
		ok(s1.ops == s2.ops && s1.hlc == s2.hlc && rx &&
		   !strcmp(json_string_value(json_object_get(rx->fields, "name")), "from AAA"),
		   "none of them changed the store");
		pl_record_free(rx);
		good = next(&aaa, H + 100, "school", "SCH", PL_OP_PUT, "{\"name\":\"AAA again\"}");
		rc = apply(x, &good, 1);
		is_int(rc, 0, "the true next op of the chain still applies");
		rx = get(x, "SCH");
		is_str(rx ? json_string_value(json_object_get(rx->fields, "name")) : NULL, "AAA again",
		       "and wins with its higher hlc");
		pl_record_free(rx);
		free(gap.enc);
		free(broken.enc);
		free(ours.enc);
		free(good.enc);
	}

	/* a remote clock from the future pulls ours forward, as far as a day past
	 * our wall clock (further, it would pin every later local op: t-clock) */
	{
		uint64_t ahead = (pl_hlc_wall_ms() + 86400000ull) << 16, local_hlc = 0;
		struct tl_blob fut = next(&bbb, ahead, "school", "SCH", PL_OP_PUT, "{\"level\":\"high\"}");
		pl_store_stats s;
		char id[PL_ID_MAX + 1];
		json_t *f = json_pack("{ss ss}", "code", "LOC1", "name", "Local school");
		pl_change c = { PL_CHANGE_CREATE, "school", NULL, f, NULL };
		unsigned char *bytes = NULL;
		size_t len = 0;
		pl_op *op = NULL;

		rc = apply(x, &fut, 1);
		is_int(rc, 0, "an op stamped a day ahead of our wall clock is accepted");
		pl_store_stats_get(&s, x);
		ok(s.hlc >= ahead, "the store's clock has moved up to it");
		rc = pl_store_change(x, "Local <l@example.org>", &c, id);
		is_int(rc, 0, "a local write follows");
		pl_store_stats_get(&s, x);
		if (pl_store_op_bytes(&bytes, &len, x, "LOC", s.seq) == 0 && pl_op_decode(&op, bytes, len, NULL) == 0)
			local_hlc = op->hlc;
		ok(local_hlc > ahead, "and is stamped after the remote op, not at our (earlier) wall clock");
		ok(s.seq == 1 && op && !op->has_prev, "it is this node's seq 1");
		pl_op_free(op);
		free(bytes);
		json_decref(f);
		free(fut.enc);
	}

	for (int i = 0; i < NA; i++)
		free(a[i].enc);
	for (int i = 0; i < NB; i++)
		free(b[i].enc);
	pl_store_free(x);
	pl_store_free(y);
	pl_store_free(z);
	tl_rm_rf(dx);
	pl_shutdown();
	return done_testing();
}
