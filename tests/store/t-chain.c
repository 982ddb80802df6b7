/*
 * A node's own writes form a hash chain: seq 1, 2, 3 ... without a gap,
 * each op naming the id of the one before, and a hybrid logical clock that
 * only moves forward. pl_store_verify walks the chain and finds a hole or a
 * forged op.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define ACTOR "Ada Admin <ada@lincoln.example.org>"
#define NOPS 40

static int change(pl_store *st, int type, const char *kind, const char *id, const char *json,
                  char out[PL_ID_MAX + 1])
{
	json_error_t err;
	json_t *f = json ? json_loads(json, 0, &err) : NULL;
	pl_change c = { type, kind, id, f, NULL };
	int rc;

	if (json && !f)
		bail("bad test json: %s", err.text);
	rc = pl_store_change(st, ACTOR, &c, out);
	if (rc)
		diag("%s", pl_error_last()->message);
	json_decref(f);
	return rc;
}

/* ---- the clock, as pure functions ---- */

static void test_hlc(void)
{
	uint64_t last = (1000ull << 16) | 5, h, prev;
	int mono = 1, ge_wall = 1;

	is_int((long long)pl_hlc_next(last, 2000), (long long)(2000ull << 16),
	       "a wall clock ahead of the last stamp gives wall time with counter 0");
	is_int((long long)pl_hlc_next(last, 1000), (long long)((1000ull << 16) | 6),
	       "an equal wall clock keeps the time and bumps the counter");
	is_int((long long)pl_hlc_next(last, 900), (long long)((1000ull << 16) | 6),
	       "a wall clock gone backwards keeps the last time and bumps the counter");
	is_int((long long)pl_hlc_next(0, 1767225600000ull), (long long)(1767225600000ull << 16),
	       "the first stamp is the wall time");

	/* a wall clock that jumps back and forth: stamps still rise strictly */
	uint64_t wall = 1767225600000ull, seed = 12345;
	prev = h = 0;
	for (int i = 0; i < 10000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		switch ((seed >> 33) % 4) {
		case 0: break;                                 /* same ms */
		case 1: wall += (seed >> 40) % 50; break;      /* forward */
		case 2: wall -= (seed >> 40) % 5000; break;    /* backwards (NTP, a bad laptop) */
		case 3: wall -= 86400000; break;               /* a day back */
		}
		h = pl_hlc_next(prev, wall);
		if (h <= prev)
			mono = 0;
		if (h < wall << 16)
			ge_wall = 0;
		prev = h;
	}
	ok(mono, "over 10000 local stamps with a wall clock jumping backwards, the HLC rises strictly");
	ok(ge_wall, "and never falls behind the wall clock");

	is_int((long long)pl_hlc_recv(last, (5000ull << 16) | 2), (long long)((5000ull << 16) | 2),
	       "receiving a later remote stamp moves the clock up to it");
	is_int((long long)pl_hlc_recv((6000ull << 16), (5000ull << 16) | 2), (long long)(6000ull << 16),
	       "receiving an older remote stamp does not move the clock back");
	h = pl_hlc_recv(last, (9000ull << 16) | 7);
	ok(pl_hlc_next(h, 1000) > ((9000ull << 16) | 7),
	   "the next local stamp after a remote one from the future is later than it");
	{
		char buf[32];
		pl_hlc_fmt(buf, (1767225600123ull << 16) | 9);
		is_str(buf, "2026-01-01T00:00:00.123Z", "a stamp prints as RFC 3339 UTC with milliseconds");
	}
}

/* ---- the chain in a store ---- */

struct logwalk {
	const char *node;
	uint64_t next_seq;
	pl_oid prev;
	uint64_t prev_hlc;
	int gapless, chained, rising, ids_match, count;
	pl_store *st;
};

static int walk_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	struct logwalk *lw = payload;
	unsigned char *bytes = NULL;
	size_t len = 0;
	pl_oid id;

	if (strcmp(op->node, lw->node))
		return 0;
	lw->count++;
	if (op->seq != lw->next_seq)
		lw->gapless = 0;
	if (op->seq == 1 ? op->has_prev : (!op->has_prev || memcmp(op->prev.id, lw->prev.id, PL_OID_RAWSZ)))
		lw->chained = 0;
	if (op->hlc <= lw->prev_hlc)
		lw->rising = 0;
	if (pl_store_op_bytes(&bytes, &len, lw->st, op->node, op->seq) || pl_op_id(&id, bytes, len) ||
	    memcmp(id.id, opid->id, PL_OID_RAWSZ))
		lw->ids_match = 0;
	free(bytes);
	lw->next_seq = op->seq + 1;
	lw->prev = *opid;
	lw->prev_hlc = op->hlc;
	return 0;
}

static void test_store_chain(const char *dir)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	pl_store_stats stats;
	char id[PL_ID_MAX + 1], staff[NOPS][PL_ID_MAX + 1];
	int rc, all = 1, n = 0;

	o.no_sync = 1;
	if (pl_store_create(dir, "LIN01", &o) || pl_store_open(&st, dir, &o))
		bail("store: %s", pl_error_last()->message);
	all &= change(st, PL_CHANGE_CREATE, "school", "LIN01", "{\"code\":\"LIN01\",\"name\":\"Lincoln\"}", id) == 0;
	n++;
	/* creates, sets and a delete, fast enough to share milliseconds */
	for (int i = 0; n < NOPS - 1; i++) {
		char json[128];
		snprintf(json, sizeof(json), "{\"name\":\"Teacher %d\",\"category\":\"certified\",\"school\":\"LIN01\"}", i);
		all &= change(st, PL_CHANGE_CREATE, "staff", NULL, json, staff[i]) == 0;
		n++;
		if (n < NOPS - 1 && i % 3 == 0) {
			all &= change(st, PL_CHANGE_SET, NULL, staff[i], "{\"role\":\"teacher\"}", NULL) == 0;
			n++;
		}
	}
	all &= change(st, PL_CHANGE_DEL, NULL, staff[1], NULL, NULL) == 0;
	n++;
	ok(all && n == NOPS, "%d local changes (creates, sets, a delete) are written", NOPS);

	rc = pl_store_stats_get(&stats, st);
	ok(rc == 0 && stats.seq == NOPS && stats.ops == NOPS, "the node's last seq is %d and the log holds %d ops",
	   NOPS, NOPS);

	{
		unsigned char *bytes = NULL;
		size_t len = 0;
		pl_op *op = NULL, *prev_op = NULL;
		pl_oid prev_id;
		uint64_t seq;
		pl_oid last;
		int gapless = 1, chained = 1, rising = 1, first_ok = 0;

		for (uint64_t s = 1; s <= NOPS; s++) {
			if (pl_store_op_bytes(&bytes, &len, st, "LIN01", s) || pl_op_decode(&op, bytes, len, NULL)) {
				diag("op %llu: %s", (unsigned long long)s, pl_error_last()->message);
				gapless = 0;
				free(bytes);
				break;
			}
			if (op->seq != s)
				gapless = 0;
			if (s == 1)
				first_ok = !op->has_prev;
			else if (!op->has_prev || memcmp(op->prev.id, prev_id.id, PL_OID_RAWSZ))
				chained = 0;
			if (prev_op && op->hlc <= prev_op->hlc)
				rising = 0;
			pl_op_id(&prev_id, bytes, len);
			pl_op_free(prev_op);
			prev_op = op;
			op = NULL;
			free(bytes);
			bytes = NULL;
		}
		pl_op_free(prev_op);
		ok(gapless, "ops 1..%d are all there, each under its own seq", NOPS);
		ok(first_ok, "seq 1 has no prev");
		ok(chained, "every later op's prev is the id (recomputed from its bytes) of the op before");
		ok(rising, "the ops' hlc rise strictly, even within one millisecond");
		rc = pl_store_op_bytes(&bytes, &len, st, "LIN01", NOPS + 1);
		is_int(rc, PL_ENOTFOUND, "there is no op past the last seq");
		free(bytes);
		rc = pl_store_node_seq(&seq, &last, st, "LIN01");
		ok(rc == 0 && seq == NOPS && !memcmp(last.id, prev_id.id, PL_OID_RAWSZ),
		   "pl_store_node_seq gives the last seq and the id of the last op");
		rc = pl_store_node_seq(&seq, NULL, st, "NOBODY");
		ok(rc == 0 && seq == 0, "a node never seen has seq 0");
	}
	{
		struct logwalk lw = { "LIN01", 1, { { 0 } }, 0, 1, 1, 1, 1, 0, st };
		rc = pl_store_log(st, NULL, walk_cb, &lw);
		ok(rc == 0 && lw.count == NOPS && lw.gapless && lw.chained && lw.rising,
		   "pl_store_log walks the same chain in seq order");
		ok(lw.ids_match, "and its callback may read the store again: each op id matches its stored bytes");
	}
	{
		/* a record's own history: the ops that touched it, oldest first */
		struct logwalk lw = { "LIN01", 0, { { 0 } }, 0, 1, 1, 1, 1, 0, st };
		rc = pl_store_log(st, staff[0], walk_cb, &lw);
		ok(rc == 0 && lw.count == 2 && lw.rising, "a record's log holds its create and its set, in clock order");
	}
	{
		/* a new write after reopening continues the chain */
		uint64_t before = stats.hlc;
		pl_store_free(st);
		st = NULL;
		if (pl_store_open(&st, dir, &o))
			bail("reopen: %s", pl_error_last()->message);
		rc = change(st, PL_CHANGE_SET, NULL, staff[2], "{\"role\":\"coach\"}", NULL);
		pl_store_stats_get(&stats, st);
		ok(rc == 0 && stats.seq == NOPS + 1 && stats.hlc > before, "after reopening, the next write is seq %d with a later clock",
		   NOPS + 1);
		{
			struct logwalk lw = { "LIN01", 1, { { 0 } }, 0, 1, 1, 1, 1, 0, st };
			pl_store_log(st, NULL, walk_cb, &lw);
			ok(lw.count == NOPS + 1 && lw.gapless && lw.chained && lw.rising, "and the chain is unbroken across the reopen");
		}
	}
	{
		/* refused writes take no seq */
		rc = change(st, PL_CHANGE_CREATE, "staff", NULL, "{\"name\":\"X\",\"category\":\"bogus\"}", NULL);
		pl_store_stats_get(&stats, st);
		ok(rc == PL_EINVALID && stats.seq == NOPS + 1, "a refused write takes no seq");
		rc = change(st, PL_CHANGE_SET, NULL, staff[3], "{\"role\":\"lead\"}", NULL);
		pl_store_stats_get(&stats, st);
		ok(rc == 0 && stats.seq == NOPS + 2, "and the next good write takes the next one");
	}
	{
		uint64_t nops = 0, nrec = 0;
		rc = pl_store_verify(st, &nops, &nrec);
		if (!is_int(rc, 0, "pl_store_verify passes on a healthy store"))
			diag("%s", pl_error_last()->message);
		ok(nops == NOPS + 2, "it checked all %d ops (got %llu)", NOPS + 2, (unsigned long long)nops);
		ok(nrec == stats.records + 1, "and every record, the deleted one too (%llu)", (unsigned long long)nrec);
	}
	pl_store_free(st);
}

/* ---- tampering behind the store's back ---- */

/* A cursor on the op at position 5 in the log (rc 0: *cur is open). */
static int fifth_op(MDB_cursor **cur, MDB_val *k, MDB_val *v, MDB_txn *txn, MDB_dbi dbi)
{
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, cur)))
		return rc;
	rc = mdb_cursor_get(*cur, k, v, MDB_FIRST);
	for (int i = 0; i < 4 && rc == 0; i++)
		rc = mdb_cursor_get(*cur, k, v, MDB_NEXT);
	if (rc)
		mdb_cursor_close(*cur);
	return rc;
}

/* Delete the op at position 5 in the log: a hole. */
static int punch_hole(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if ((rc = fifth_op(&cur, &k, &v, txn, dbi)))
		return rc;
	rc = mdb_cursor_del(cur, 0);
	mdb_cursor_close(cur);
	return rc;
}

/* Rewrite op 5 with another actor, re-encoded properly: a forgery. */
static int forge(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_cursor *cur;
	MDB_val k, v;
	pl_op *op = NULL;
	unsigned char *enc = NULL;
	size_t len;
	int rc;

	if ((rc = fifth_op(&cur, &k, &v, txn, dbi)))
		return rc;
	if (pl_op_decode(&op, v.mv_data, v.mv_size, NULL) == 0) {
		free(op->actor);
		op->actor = strdup("Mallory <m@evil.example>");
		if (pl_op_encode(&enc, &len, op) == 0) {
			v.mv_data = enc;
			v.mv_size = len;
			rc = mdb_cursor_put(cur, &k, &v, MDB_CURRENT);
		}
	}
	pl_op_free(op);
	free(enc);
	mdb_cursor_close(cur);
	return rc;
}

static void test_tampering(const char *dir)
{
	char copy[600], cmd[1300];
	pl_store *st = NULL;
	uint64_t nops, nrec;
	int rc;

	snprintf(copy, sizeof(copy), "%s-copy", dir);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", dir, copy);
	if (system(cmd) != 0)
		bail("cp failed");

	is_int(tl_store_tamper(dir, "ops", punch_hole), 0, "an op is deleted from the middle of the log behind the store's back");
	pl_store_open(&st, dir, NULL);
	rc = st ? pl_store_verify(st, &nops, &nrec) : PL_ERROR;
	is_int(rc, PL_ECORRUPT, "pl_store_verify finds the hole");
	ok(strstr(pl_error_last()->message, "LIN01") != NULL, "and names the node (%s)", pl_error_last()->message);
	pl_store_free(st);
	st = NULL;

	is_int(tl_store_tamper(copy, "ops", forge), 0, "an op is rewritten with another actor behind the store's back");
	pl_store_open(&st, copy, NULL);
	rc = st ? pl_store_verify(st, &nops, &nrec) : PL_ERROR;
	is_int(rc, PL_ECORRUPT, "pl_store_verify finds the forged op (the next op's prev no longer matches)");
	pl_store_free(st);
	tl_rm_rf(copy);
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-chain-XXXXXX";

	pl_init();
	tl_tmpdir(dir);
	test_hlc();
	test_store_chain(dir);
	test_tampering(dir);
	tl_rm_rf(dir);
	pl_shutdown();
	return done_testing();
}
