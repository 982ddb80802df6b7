/*
 * Ownership as the district merge enforces it (pl_write_remote_ex with
 * ownership on): a record belongs to the node whose create (a put that saw
 * nothing) came first. Another node may not change it — not with a base
 * naming its heads, not with an empty base pretending to be a create once
 * the record has edits, not with a delete — while DISTRICT may. A second
 * create of an id by another node is a foreign write too, edits or not (the
 * first create owns the record; DISTRICT excepted), and a create of an id
 * of another node's generated form (WAS02-XXXXX by LIN01) is refused
 * always, whatever arrived first, here and on the local write path. An
 * edit that arrives before the create it saw (another node's range merged
 * first) is accepted from DISTRICT only: another node's could not be
 * checked against an owner, so it is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define H TL_H   /* 2026-01-01T00:00:00Z */

static struct tl_blob next(struct tl_chain *c, uint64_t hlc, const char *rec, int type,
                           const pl_oid *base, size_t nbase, const char *json)
{
	return tl_chain_next(c, (struct tl_op){ .hlc = hlc, .actor = "Someone <s@example.org>", .rec = rec,
	                                        .type = type, .base = base, .nbase = nbase, .json = json });
}

/* Apply one op in its own write, as the merge does per range (ownership
 * checked; info filled when not NULL); a skipped duplicate counts as 0. */
static int apply_info(pl_store *st, const struct tl_blob *b, pl_remote_info *info)
{
	pl_remote_check chk = { NULL, 1, 1 };
	int rc = tl_apply(st, "merge", b, 1, &chk, info);
	return rc < 0 ? rc : 0;
}

static int apply(pl_store *st, const struct tl_blob *b)
{
	return apply_info(st, b, NULL);
}

/* Apply one op as a fetch does (no ownership check). */
static int apply_plain(pl_store *st, const struct tl_blob *b)
{
	int rc = tl_apply(st, "fetch", b, 1, NULL, NULL);
	return rc < 0 ? rc : 0;
}

static const char *owner_of(pl_store *st, const char *id, char buf[64])
{
	pl_record *r = NULL;
	if (pl_store_get(&r, st, id))
		return "(none)";
	snprintf(buf, 64, "%s", r->owner);
	pl_record_free(r);
	return buf;
}

int main(void)
{
	char d1[] = "/tmp/plsync-own-XXXXXX", d2[] = "/tmp/plsync-own-XXXXXX", d3[] = "/tmp/plsync-own-XXXXXX";
	char buf[64];
	pl_store *st;

	pl_init();

	/* 1. AAA creates and edits; BBB tries every way in */
	st = tl_fresh_store(d1, "CACHE");
	struct tl_chain a = { "AAA", 0, { { 0 } } }, b = { "BBB", 0, { { 0 } } }, dist = { "DISTRICT", 0, { { 0 } } };
	struct tl_blob c1 = next(&a, H + 1, "R1", PL_OP_PUT, NULL, 0, "{\"name\":\"Ann\",\"category\":\"certified\"}");
	struct tl_blob e1 = next(&a, H + 2, "R1", PL_OP_PUT, &c1.id, 1, "{\"role\":\"Teacher\"}");
	is_int(apply(st, &c1), 0, "the owner's create is accepted");
	is_int(apply(st, &e1), 0, "and its edit");
	is_str(owner_of(st, "R1", buf), "AAA", "the record belongs to AAA");

	struct tl_blob f1 = next(&b, H + 3, "R1", PL_OP_PUT, &e1.id, 1, "{\"role\":\"Janitor\"}");
	ok(apply(st, &f1) == PL_EINVALID && strstr(pl_error_last()->message, "belongs to AAA"),
	   "another node's edit naming the heads is refused, naming the owner");
	b.seq--; b.last = (pl_oid){ { 0 } };
	struct tl_blob f2 = next(&b, H + 3, "R1", PL_OP_PUT, NULL, 0, "{\"role\":\"Janitor\"}");
	is_int(apply(st, &f2), PL_EINVALID, "an empty-base put (a fake create) after edits is refused");
	b.seq--; b.last = (pl_oid){ { 0 } };
	struct tl_blob f3 = next(&b, (uint64_t)1 << 16, "R1", PL_OP_DEL, NULL, 0, NULL);
	is_int(apply(st, &f3), PL_EINVALID, "an empty-base delete from another node is refused");
	is_str(owner_of(st, "R1", buf), "AAA", "and none of them took the record over");
	struct tl_blob d1op = next(&dist, H + 4, "R1", PL_OP_PUT, &e1.id, 1, "{\"role\":\"Principal\"}");
	is_int(apply(st, &d1op), 0, "DISTRICT may change any record");
	is_str(owner_of(st, "R1", buf), "AAA", "without becoming its owner");
	tl_store_done(st, d1);

	/* 2. two creates of one id before any edit: the first owns it, the
	 * second is a foreign write (it used to be let through as a concurrent
	 * create, and became the owner with its earlier clock) */
	st = tl_fresh_store(d2, "CACHE");
	a = (struct tl_chain){ "AAA", 0, { { 0 } } };
	b = (struct tl_chain){ "BBB", 0, { { 0 } } };
	dist = (struct tl_chain){ "DISTRICT", 0, { { 0 } } };
	struct tl_blob ca = next(&a, H + 20, "E100", PL_OP_PUT, NULL, 0, "{\"name\":\"Ann\",\"category\":\"certified\"}");
	struct tl_blob cb = next(&b, H + 10, "E100", PL_OP_PUT, NULL, 0, "{\"name\":\"Ann L\",\"category\":\"certified\"}");
	is_int(apply(st, &ca), 0, "a create is accepted");
	ok(apply(st, &cb) == PL_EINVALID && strstr(pl_error_last()->message, "creates again") &&
	   strstr(pl_error_last()->message, "belongs to AAA"),
	   "a second node's create of the same id, before any edit, is refused naming the owner");
	is_str(owner_of(st, "E100", buf), "AAA", "the first create owns the record");
	struct tl_blob cd = next(&dist, H + 5, "E100", PL_OP_PUT, NULL, 0, "{\"name\":\"Ann D\",\"category\":\"certified\"}");
	is_int(apply(st, &cd), 0, "DISTRICT's create of an existing id is accepted");

	/* LIN01 creating WAS02's generated id, with an empty base (issue 9, D3) */
	struct tl_chain w2 = { "WAS02", 0, { { 0 } } }, l1 = { "LIN01", 0, { { 0 } } }, l2 = { "LIN01", 0, { { 0 } } };
	struct tl_blob wc = next(&w2, H + 40, "WAS02-7K3Q2", PL_OP_PUT, NULL, 0, "{\"name\":\"Wu\",\"category\":\"certified\"}");
	struct tl_blob lc = next(&l1, H + 41, "WAS02-7K3Q2", PL_OP_PUT, NULL, 0, "{\"role\":\"Janitor\"}");
	struct tl_blob lc2 = next(&l2, H + 41, "WAS02-8M4R3", PL_OP_PUT, NULL, 0, "{\"name\":\"Lin\",\"category\":\"certified\"}");
	is_int(apply(st, &wc), 0, "WAS02 creates WAS02-7K3Q2");
	ok(apply(st, &lc) == PL_EINVALID && strstr(pl_error_last()->message, "WAS02"), "LIN01's empty-base put on it is refused, naming WAS02");
	ok(apply(st, &lc2) == PL_EINVALID && strstr(pl_error_last()->message, "WAS02's form"),
	   "and LIN01 creating an id of WAS02's form before WAS02 did is refused, naming the form");
	is_int(apply_plain(st, &lc2), PL_EINVALID, "even with no ownership check asked for (a fetch)");
	{
		pl_record *r = NULL;
		ok(pl_store_get(&r, st, "WAS02-7K3Q2") == 0 && !strcmp(r->owner, "WAS02") &&
		   !strcmp(json_string_value(json_object_get(r->fields, "name")), "Wu"),
		   "WAS02's record keeps its owner and fields");
		pl_record_free(r);
		is_int(pl_store_get(&r, st, "WAS02-8M4R3"), PL_ENOTFOUND, "and no record was made for LIN01's");
	}
	tl_store_done(st, d2);

	/* the local write path refuses the same for the node itself */
	{
		char dl[] = "/tmp/plsync-own-XXXXXX", id[PL_ID_MAX + 1];
		json_t *f = json_pack("{ss ss}", "name", "Lin", "category", "certified");
		pl_change c = { PL_CHANGE_CREATE, "staff", "WAS02-7K3Q2", f, NULL };
		st = tl_fresh_store(dl, "LIN01");
		ok(pl_store_change(st, "L <l@example.org>", &c, id) == PL_EINVALID &&
		   strstr(pl_error_last()->message, "generated by node WAS02"),
		   "a node creating --id WAS02-7K3Q2 is refused");
		c.id = "LIN01-7K3Q2";
		is_int(pl_store_change(st, "L <l@example.org>", &c, id), 0, "an id of its own form is accepted");
		c.id = "E-100";
		is_int(pl_store_change(st, "L <l@example.org>", &c, id), 0, "and so is a natural key");
		json_decref(f);
		tl_store_done(st, dl);
	}

	/* 3. an edit that arrives before the create it saw */
	st = tl_fresh_store(d3, "CACHE");
	a = (struct tl_chain){ "AAA", 0, { { 0 } } };
	dist = (struct tl_chain){ "DISTRICT", 0, { { 0 } } };
	struct tl_blob cr = next(&a, H + 30, "R3", PL_OP_PUT, NULL, 0, "{\"name\":\"Bo\",\"category\":\"certified\"}");
	struct tl_blob de = next(&dist, H + 31, "R3", PL_OP_PUT, &cr.id, 1, "{\"role\":\"Coach\"}");
	is_int(apply(st, &de), 0, "an edit whose create has not arrived yet is accepted");
	is_int(apply(st, &cr), 0, "then the create it saw is accepted");
	is_str(owner_of(st, "R3", buf), "AAA", "and the creating node owns the record");
	struct tl_blob e3 = next(&a, H + 32, "R3", PL_OP_PUT, &de.id, 1, "{\"role\":\"Lead Coach\"}");
	is_int(apply(st, &e3), 0, "so the owner's next edit is accepted");
	/* another node's edit arriving before the create it names (its range
	 * merged first) would otherwise find no owner to check against */
	b = (struct tl_chain){ "BBB", 0, { { 0 } } };
	struct tl_chain c = { "CCC", 0, { { 0 } } };
	struct tl_blob cr7 = next(&c, H + 40, "R7", PL_OP_PUT, NULL, 0, "{\"name\":\"Ed\",\"category\":\"certified\"}");
	struct tl_blob early = next(&b, H + 41, "R7", PL_OP_PUT, &cr7.id, 1, "{\"role\":\"Janitor\"}");
	ok(apply(st, &early) == PL_EINVALID && strstr(pl_error_last()->message, "which no create has made here yet"),
	   "another node's edit that arrives before the record's create is refused");
	b.seq--; b.last = (pl_oid){ { 0 } };
	struct tl_blob early_del = next(&b, H + 41, "R7", PL_OP_DEL, &cr7.id, 1, NULL);
	is_int(apply(st, &early_del), PL_EINVALID, "and so is its delete");
	is_int(apply(st, &cr7), 0, "the create then arrives and is accepted");
	char *role = NULL;
	{
		pl_record *r = NULL;
		if (pl_store_get(&r, st, "R7") == 0) {
			const char *v = json_string_value(json_object_get(r->fields, "role"));
			role = strdup(v ? v : "(unset)");
			pl_record_free(r);
		}
	}
	is_str(role ? role : "(none)", "(unset)", "and the record holds nothing of the refused edit");
	free(role);
	free(cr7.enc); free(early.enc); free(early_del.enc);
	tl_store_done(st, d3);

	/* 4. what a base names (issue 9, D13) */
	{
		char d4[] = "/tmp/plsync-own-XXXXXX";
		pl_remote_info info;
		pl_oid ghost, twice[2];
		st = tl_fresh_store(d4, "CACHE");
		a = (struct tl_chain){ "AAA", 0, { { 0 } } };
		b = (struct tl_chain){ "BBB", 0, { { 0 } } };
		dist = (struct tl_chain){ "DISTRICT", 0, { { 0 } } };
		memset(&ghost, 0x77, sizeof(ghost));
		struct tl_blob r5 = next(&a, H + 50, "R5", PL_OP_PUT, NULL, 0, "{\"name\":\"Cy\",\"category\":\"certified\"}");
		struct tl_blob r6 = next(&b, H + 51, "R6", PL_OP_PUT, NULL, 0, "{\"name\":\"Di\",\"category\":\"certified\"}");
		is_int(apply(st, &r5), 0, "AAA creates R5");
		is_int(apply(st, &r6), 0, "BBB creates R6");
		struct tl_blob cross = next(&dist, H + 52, "R5", PL_OP_PUT, &r6.id, 1, "{\"role\":\"Coach\"}");
		ok(apply(st, &cross) == PL_ECORRUPT && strstr(pl_error_last()->message, "an op of record R6"),
		   "an op on R5 whose base names an op of R6 is refused as corrupt, naming R6");
		dist.seq--; dist.last = (pl_oid){ { 0 } };
		struct tl_blob dang = next(&dist, H + 52, "R5", PL_OP_PUT, &ghost, 1, "{\"role\":\"Coach\"}");
		memset(&info, 0, sizeof(info));
		is_int(apply_info(st, &dang, &info), 0,
		       "an op whose base names an op this store does not hold is accepted (partial replication)");
		is_int((long long)info.dangling, 1, "and counted as dangling");
		struct tl_blob known = next(&dist, H + 53, "R5", PL_OP_PUT, &dang.id, 1, "{\"role\":\"Lead\"}");
		memset(&info, 0, sizeof(info));
		ok(apply_info(st, &known, &info) == 0 && info.dangling == 0,
		   "an op naming a head this store holds is not");
		twice[0] = known.id;
		twice[1] = known.id;
		struct tl_blob dup = next(&dist, H + 54, "R5", PL_OP_PUT, twice, 2, "{\"role\":\"Head\"}");
		ok(apply(st, &dup) == PL_ECORRUPT && strstr(pl_error_last()->message, "twice"),
		   "an op whose base names one id twice is refused by the decoder");
		tl_store_done(st, d4);
		free(r5.enc); free(r6.enc); free(cross.enc); free(dang.enc); free(known.enc); free(dup.enc);
	}

	free(c1.enc); free(e1.enc); free(f1.enc); free(f2.enc); free(f3.enc); free(d1op.enc);
	free(ca.enc); free(cb.enc); free(cd.enc); free(wc.enc); free(lc.enc); free(lc2.enc); free(cr.enc); free(de.enc); free(e3.enc);
	pl_shutdown();
	return done_testing();
}
