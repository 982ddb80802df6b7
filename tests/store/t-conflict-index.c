/*
 * The records with an open conflict (pl_store_conflicted,
 * pl_store_conflict_count), found from the forks index that every write
 * keeps: AAA creates staff records, AAA and DISTRICT change them
 * concurrently. Two heads that set a field to different values count; two
 * heads that agree do not; a change naming both heads takes the record
 * out; `except` leaves out the records listed before. A store made before
 * the index existed (the index dropped) gets it filled at open, and
 * pl_store_verify checks the index against the records (an emptied index is
 * named as corrupt).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define H TL_H

static struct tl_blob put(struct tl_chain *c, uint64_t hlc, const char *rec, const pl_oid *base, size_t nbase,
                          const char *json)
{
	return tl_chain_next(c, (struct tl_op){ .hlc = hlc, .kind = "staff", .rec = rec, .base = base,
	                                         .nbase = nbase, .json = json });
}

static int apply1(pl_store *st, struct tl_blob *b)
{
	int rc = tl_apply(st, "sync", b, 1, NULL, NULL);
	if (rc < 0 || rc > 1)
		diag("apply: %s", pl_error_last()->message);
	free(b->enc);
	return rc;
}

/* AAA and DISTRICT change rec at hlc and hlc + 1, both from base; their
 * op ids into *ia and *id. 1 if both apply. */
static int concurrent(pl_store *st, struct tl_chain *aaa, struct tl_chain *dis, uint64_t hlc, const char *rec,
                      const pl_oid *base, const char *ja, const char *jd, pl_oid *ia, pl_oid *id)
{
	struct tl_blob b = put(aaa, hlc, rec, base, 1, ja);
	int all;

	*ia = b.id;
	all = apply1(st, &b) == 0;
	b = put(dis, hlc + 1, rec, base, 1, jd);
	*id = b.id;
	return all & (apply1(st, &b) == 0);
}

/* The ids pl_store_conflicted gives (except: as there), joined by spaces. */
static const char *conflicted(pl_store *st, const json_t *except)
{
	static char buf[256];
	json_t *ids = NULL;

	buf[0] = '\0';
	if (pl_store_conflicted(&ids, st, except)) {
		diag("conflicted: %s", pl_error_last()->message);
		return "(error)";
	}
	for (size_t i = 0; i < json_array_size(ids); i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
		         json_string_value(json_array_get(ids, i)));
	json_decref(ids);
	return buf;
}

static long long count(pl_store *st)
{
	size_t n = 0;
	if (pl_store_conflict_count(&n, st)) {
		diag("count: %s", pl_error_last()->message);
		return -1;
	}
	return (long long)n;
}

static int verified(pl_store *st)
{
	uint64_t nops, nrecs;
	if (pl_store_verify(st, &nops, &nrecs) == 0)
		return 1;
	diag("verify: %s", pl_error_last()->message);
	return 0;
}

static int drop(MDB_txn *txn, MDB_dbi dbi)
{
	return mdb_drop(txn, dbi, 1);
}

static int empty(MDB_txn *txn, MDB_dbi dbi)
{
	return mdb_drop(txn, dbi, 0);
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-conflict-index-XXXXXX";
	struct tl_chain aaa = { "AAA", 0, { { 0 } } }, dis = { PL_NODE_DISTRICT, 0, { { 0 } } };
	struct tl_blob b;
	pl_oid e1, e2, e3, a1, d1, a2, d2, a3, d3;
	pl_store *st;
	json_t *had;
	uint64_t nops, nrecs;
	int all = 1;

	pl_init();
	tl_tmpdir(dir);
	st = tl_store(dir, "LOC");

	b = put(&aaa, H + 1, "E1", NULL, 0, "{\"name\":\"Ann\",\"category\":\"certified\"}");
	e1 = b.id;
	all &= apply1(st, &b) == 0;
	b = put(&aaa, H + 2, "E2", NULL, 0, "{\"name\":\"Bo\",\"category\":\"certified\"}");
	e2 = b.id;
	all &= apply1(st, &b) == 0;
	b = put(&aaa, H + 3, "E3", NULL, 0, "{\"name\":\"Cy\",\"category\":\"certified\"}");
	e3 = b.id;
	all &= apply1(st, &b) == 0;
	ok(all, "AAA's three creates apply");
	is_int(count(st), 0, "no open conflict after creates");

	/* E1: both change the name to different values, from the same base;
	 * E2: both set the same value: two heads, no conflict */
	all = concurrent(st, &aaa, &dis, H + 10, "E1", &e1, "{\"name\":\"Ann Lee\"}", "{\"name\":\"Anne Lee\"}",
	                 &a1, &d1);
	all &= concurrent(st, &aaa, &dis, H + 12, "E2", &e2, "{\"role\":\"coach\"}", "{\"role\":\"coach\"}",
	                  &a2, &d2);
	ok(all, "concurrent changes of E1 (different names) and E2 (the same role) apply");
	is_int(count(st), 1, "one record has an open conflict");
	is_str(conflicted(st, NULL), "E1", "it is E1, not E2 whose heads agree");

	/* what a sync does: the list before, then only the records new to it */
	if (pl_store_conflicted(&had, st, NULL))
		bail("conflicted: %s", pl_error_last()->message);
	ok(concurrent(st, &aaa, &dis, H + 20, "E3", &e3, "{\"email\":\"cy@a.example\"}",
	              "{\"email\":\"cy@d.example\"}", &a3, &d3), "a concurrent change of E3 applies");
	is_str(conflicted(st, had), "E3", "except the list before: only E3 is new");
	is_str(conflicted(st, NULL), "E1 E3", "all: E1 and E3, in id order");
	json_decref(had);
	ok(verified(st), "verify passes with the forks index");

	/* a change that saw both heads settles E1 */
	{
		pl_oid both[2] = { a1, d1 };
		b = put(&aaa, H + 30, "E1", both, 2, "{\"name\":\"Ann Lee\"}");
		ok(apply1(st, &b) == 0, "AAA's change naming both of E1's heads applies");
	}
	is_int(count(st), 1, "one open conflict is left");
	is_str(conflicted(st, NULL), "E3", "E3's");

	/* a store made before the index: filled when it is opened */
	pl_store_free(st);
	/* as in a store made before the index existed */
	ok(tl_store_tamper(dir, "forks", drop) == 0, "the forks database is dropped");
	if (pl_store_open(&st, dir, NULL))
		bail("reopen: %s", pl_error_last()->message);
	is_str(conflicted(st, NULL), "E3", "reopened, the index is filled again: E3");
	ok(verified(st), "and verify passes");

	/* an index that lost an entry is corruption that verify names */
	pl_store_free(st);
	ok(tl_store_tamper(dir, "forks", empty) == 0, "the forks database is emptied");
	if (pl_store_open(&st, dir, NULL))
		bail("reopen: %s", pl_error_last()->message);
	ok(pl_store_verify(st, &nops, &nrecs) == PL_ECORRUPT &&
	   strstr(pl_error_last()->message, "record E2 has 2 heads but is not in the forks index"),
	   "verify names the first forked record missing from the index");
	{
		pl_oid both[2] = { a3, d3 };
		b = put(&dis, H + 40, "E3", both, 2, "{\"email\":\"cy@d.example\"}");
		ok(apply1(st, &b) == 0, "DISTRICT's change naming both of E3's heads applies");
	}
	is_int(count(st), 0, "no open conflict is left");
	ok(!strstr(conflicted(st, NULL), "E"), "none is listed");

	tl_store_done(st, dir);
	return done_testing();
}
