/*
 * A full map grows and never loses a write: a store opened with a 64 KiB
 * map takes 5,000 records in one write and hundreds of single writes; the
 * map is grown and the write replayed as often as needed, and every record
 * is there afterwards, also after reopening.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define TINY   (64 * 1024)
#define NBULK  5000
#define NSINGLE 400

struct bulk {
	int calls;                       /* how often the store ran us */
	int done;                        /* changes made in the current run */
	char (*ids)[PL_ID_MAX + 1];
};

static int bulk_fn(pl_write *w, void *payload)
{
	struct bulk *b = payload;
	int rc = 0;

	b->calls++;
	b->done = 0;    /* a replay starts from scratch */
	for (int i = 0; i < NBULK && rc == 0; i++) {
		char name[64];
		snprintf(name, sizeof(name), "Bulk Teacher %05d", i);
		json_t *f = json_pack("{ss ss ss ss}", "name", name, "category", i % 3 ? "certified" : "noninstructional",
		                      "role", "teacher of a rather long-winded subject description", "license_number", name);
		pl_change c = { PL_CHANGE_CREATE, "staff", NULL, f, NULL };
		rc = pl_write_change(w, &c, b->ids[i]);
		json_decref(f);
		if (rc == 0)
			b->done++;
	}
	return rc;
}

struct counter {
	int n, bad;
};

static int count_cb(const pl_record *r, void *payload)
{
	struct counter *c = payload;
	const char *name = json_string_value(json_object_get(r->fields, "name"));
	c->n++;
	if (!name || (strncmp(name, "Bulk Teacher ", 13) && strncmp(name, "Single Teacher ", 15)))
		c->bad++;
	return 0;
}

static int spot_check(pl_store *st, char (*ids)[PL_ID_MAX + 1], int n, const char *fmt)
{
	int bad = 0;
	for (int i = 0; i < n; i += n / 50 + 1) {
		pl_record *r = NULL;
		char want[64];
		snprintf(want, sizeof(want), fmt, i);
		if (pl_store_get(&r, st, ids[i]) || r->deleted ||
		    strcmp(json_string_value(json_object_get(r->fields, "name")), want)) {
			diag("record %d (%s) is wrong or missing", i, ids[i]);
			bad++;
		}
		pl_record_free(r);
	}
	/* and the last one */
	{
		pl_record *r = NULL;
		char want[64];
		snprintf(want, sizeof(want), fmt, n - 1);
		if (pl_store_get(&r, st, ids[n - 1]) ||
		    strcmp(json_string_value(json_object_get(r->fields, "name")), want))
			bad++;
		pl_record_free(r);
	}
	return bad;
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-mapgrow-XXXXXX";
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	pl_store_stats s0, s1, s2;
	struct bulk b = { 0, 0, NULL };
	char (*singles)[PL_ID_MAX + 1];
	int rc, all = 1;

	pl_init();
	tl_tmpdir(dir);
	b.ids = calloc(NBULK, sizeof(*b.ids));
	singles = calloc(NSINGLE, sizeof(*singles));
	o.map_size = TINY;
	o.no_sync = 1;
	rc = pl_store_create(dir, "GROW1", &o);
	is_int(rc, 0, "a store is created with a 64 KiB map");
	if (rc || pl_store_open(&st, dir, &o))
		bail("store: %s", pl_error_last()->message);
	pl_store_stats_get(&s0, st);
	ok(s0.map_size <= 2 * TINY, "its map starts tiny (%zu bytes)", s0.map_size);

	for (int i = 0; i < NSINGLE; i++) {
		char name[64];
		snprintf(name, sizeof(name), "Single Teacher %d", i);
		json_t *f = json_pack("{ss ss}", "name", name, "category", "certified");
		pl_change c = { PL_CHANGE_CREATE, "staff", NULL, f, NULL };
		if (pl_store_change(st, "Clerk <c@example.org>", &c, singles[i])) {
			diag("single %d: %s", i, pl_error_last()->message);
			all = 0;
		}
		json_decref(f);
	}
	ok(all, "%d single writes into the tiny map succeed", NSINGLE);
	pl_store_stats_get(&s1, st);
	ok(s1.map_size > s0.map_size && s1.records == NSINGLE, "single writes alone grew the map (%zu -> %zu bytes)",
	   s0.map_size, s1.map_size);
	rc = pl_store_write(st, "Importer <imp@example.org>", bulk_fn, &b);
	if (!is_int(rc, 0, "one write of %d records succeeds", NBULK))
		diag("%s", pl_error_last()->message);
	ok(b.calls > 1, "the write was replayed after the map filled (%d runs)", b.calls);
	is_int(b.done, NBULK, "the last run made all %d changes", NBULK);
	pl_store_stats_get(&s2, st);
	ok(s2.map_size > s1.map_size && s2.map_size >= s2.map_used, "the map grew again (%zu -> %zu bytes, %zu used)",
	   s1.map_size, s2.map_size, s2.map_used);
	ok(s2.seq == NBULK + NSINGLE && s2.ops == s2.seq && s2.records == s2.seq,
	   "seq, ops and records are all %d: no half-run was kept", NBULK + NSINGLE);

	{
		/* one more bulk write forces growth again from a full map */
		struct bulk b2 = { 0, 0, calloc(NBULK, sizeof(*b.ids)) };
		pl_store_stats_get(&s1, st);
		rc = pl_store_write(st, "Importer <imp@example.org>", bulk_fn, &b2);
		pl_store_stats_get(&s2, st);
		ok(rc == 0 && s2.records == 2 * NBULK + NSINGLE, "a second bulk write of %d goes in too", NBULK);
		ok(s2.map_size >= s1.map_size, "the map never shrinks (%zu -> %zu)", s1.map_size, s2.map_size);
		free(b2.ids);
	}
	pl_store_stats_get(&s2, st);
	is_int((long long)s2.by_kind[1], 2 * NBULK + NSINGLE, "the staff index counts every record");
	{
		struct counter c = { 0, 0 };
		pl_store_foreach(st, "staff", NULL, NULL, count_cb, &c);
		ok(c.n == 2 * NBULK + NSINGLE && c.bad == 0, "pl_store_foreach visits all %d staff records with their names",
		   2 * NBULK + NSINGLE);
	}
	is_int(spot_check(st, b.ids, NBULK, "Bulk Teacher %05d"), 0, "spot checks of the bulk records read back");
	is_int(spot_check(st, singles, NSINGLE, "Single Teacher %d"), 0, "spot checks of the single records read back");
	{
		uint64_t nops = 0, nrec = 0;
		rc = pl_store_verify(st, &nops, &nrec);
		if (!ok(rc == 0 && nops == 2 * NBULK + NSINGLE && nrec == nops, "pl_store_verify passes over all of it"))
			diag("%s", pl_error_last()->message);
	}

	/* reopen with the tiny map option: the files keep their size, the data stays */
	pl_store_free(st);
	st = NULL;
	rc = pl_store_open(&st, dir, &o);
	is_int(rc, 0, "the store reopens with the same 64 KiB option");
	if (st) {
		json_t *f = json_pack("{ss ss}", "name", "After Reopen", "category", "certified");
		pl_change c = { PL_CHANGE_CREATE, "staff", NULL, f, NULL };
		pl_store_stats_get(&s1, st);
		ok(s1.records == 2 * NBULK + NSINGLE && s1.map_size >= s1.map_used,
		   "all records are there and the map covers the data (%zu bytes)", s1.map_size);
		is_int(spot_check(st, b.ids, NBULK, "Bulk Teacher %05d"), 0, "the bulk records read back after reopening");
		rc = pl_store_change(st, "Clerk <c@example.org>", &c, NULL);
		is_int(rc, 0, "and a new write goes in");
		json_decref(f);
	}
	pl_store_free(st);
	free(b.ids);
	free(singles);
	tl_rm_rf(dir);
	pl_shutdown();
	return done_testing();
}
