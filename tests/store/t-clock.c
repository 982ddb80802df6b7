/*
 * Clocks from other nodes: an op stamped more than a day ahead of our wall
 * clock is accepted but reported through pl_remote_info.ahead (with its
 * skew); an op a few hours ahead is not reported; a clock past the year
 * 2200 is refused outright, and the HLC never wraps.
 *
 * Issue 9, D7: receiving an op pulls our clock at most a day past our wall
 * clock (it used to follow the op to 2199, and every later local op was
 * stamped there, "ahead" at the merge and winning fields it should not),
 * and a local change to a record is stamped past that record's newest
 * clock, so DISTRICT's correction of a field pinned by a far-future op wins
 * over it whatever the clocks, while its other records keep real time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

struct remote {
	unsigned char *enc;
	size_t         len;
	pl_remote_info info;
};

static unsigned char *craft(size_t *len, uint64_t seq, const pl_oid *prev, uint64_t hlc, const char *rec)
{
	json_t *fields = json_pack("{ss ss}", "code", rec, "name", "A school");
	struct tl_blob b = tl_op_encode(&(struct tl_op){ .node = "FAR", .seq = seq, .prev = prev, .hlc = hlc,
	                                                 .actor = "Laptop <l@example.org>", .kind = "school",
	                                                 .rec = rec, .fields = fields });
	json_decref(fields);
	*len = b.len;
	return b.enc;
}

/* The clock of our own op `seq`. */
static uint64_t op_hlc(pl_store *st, uint64_t seq)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	pl_op *op = NULL;
	uint64_t h = 0;

	if (pl_store_op_bytes(&buf, &len, st, "DISTRICT", seq) == 0 && pl_op_decode(&op, buf, len, NULL) == 0)
		h = op->hlc;
	pl_op_free(op);
	free(buf);
	return h;
}

static int apply_fn(pl_write *w, void *payload)
{
	struct remote *r = payload;
	int rc = pl_write_remote_ex(w, r->enc, r->len, NULL, &r->info);
	return rc < 0 ? rc : 0;
}

int main(void)
{
	char dir[] = "/tmp/plsync-clock-XXXXXX", id[PL_ID_MAX + 1];
	pl_store *st = NULL;
	struct remote r1 = { 0 }, r2 = { 0 };
	pl_oid id1;
	pl_op *dec = NULL;
	uint64_t now = pl_hlc_wall_ms();
	int rc;

	pl_init();
	st = tl_fresh_store(dir, "DISTRICT");

	r1.enc = craft(&r1.len, 1, NULL, (now + 3 * 3600 * 1000ull) << 16, "S1");
	pl_op_id(&id1, r1.enc, r1.len);
	rc = pl_store_write(st, "sync", apply_fn, &r1);
	is_int(rc, 0, "an op three hours ahead is applied");
	is_int(r1.info.ahead, 0, "and not reported as ahead");

	uint64_t future = (now + 2 * 86400000ull) << 16;
	r2.enc = craft(&r2.len, 2, &id1, future, "S2");
	rc = pl_store_write(st, "sync", apply_fn, &r2);
	is_int(rc, 0, "an op two days ahead is applied too");
	is_int(r2.info.ahead, 1, "but reported as more than a day ahead");

	json_t *f = json_pack("{ss ss}", "code", "S3", "name", "Ours");
	pl_change c = { PL_CHANGE_CREATE, "school", "S3", f, NULL };
	rc = pl_store_change(st, "Me <me@example.org>", &c, id);
	json_decref(f);
	is_int(rc, 0, "a local write after it succeeds");
	ok(r2.info.skew_ms >= 2 * 86400000ll - 60000 && r2.info.skew_ms <= 2 * 86400000ll,
	   "the op's skew is reported too (%lld ms)", (long long)r2.info.skew_ms);
	ok((op_hlc(st, 1) >> 16) <= pl_hlc_wall_ms() + 86400000ull,
	   "a local write on another record is stamped at most a day past our wall clock, not at the op's");

	/* FAR's op from 2199 on S9 pins its name... */
	uint64_t y2199 = 7226582400000ull << 16; /* 2199-01-01 */
	struct remote r3 = { 0 };
	pl_oid id2;
	pl_op_id(&id2, r2.enc, r2.len);
	r3.enc = craft(&r3.len, 3, &id2, y2199, "S9");
	is_int(pl_store_write(st, "sync", apply_fn, &r3), 0, "an op stamped in 2199 is applied");
	is_int(r3.info.ahead, 1, "and reported as ahead");
	{
		pl_store_stats ss;
		pl_store_stats_get(&ss, st);
		ok(ss.hlc <= (pl_hlc_wall_ms() + 86400000ull) << 16, "our clock is not pulled to 2199");
	}
	/* ...until DISTRICT changes it: stamped past the record's clock, it wins */
	json_t *fix = json_pack("{ss}", "name", "Corrected");
	pl_change set = { PL_CHANGE_SET, NULL, "S9", fix, NULL };
	is_int(pl_store_change(st, "Me <me@example.org>", &set, id), 0, "DISTRICT corrects S9's name");
	json_decref(fix);
	ok(op_hlc(st, 2) > y2199, "the correction is stamped past the 2199 op");
	{
		pl_record *rec = NULL;
		ok(pl_store_get(&rec, st, "S9") == 0 &&
		   !strcmp(json_string_value(json_object_get(rec->fields, "name")), "Corrected"),
		   "and wins: the record shows the correction");
		pl_record_free(rec);
	}
	f = json_pack("{ss ss}", "code", "S4", "name", "Ours too");
	c.id = "S4";
	c.fields = f;
	is_int(pl_store_change(st, "Me <me@example.org>", &c, id), 0, "another local write follows");
	json_decref(f);
	ok((op_hlc(st, 3) >> 16) <= pl_hlc_wall_ms() + 86400000ull, "and keeps real time, not 2199");
	ok(pl_hlc_recv_bounded(0, y2199, 1000) == (1000ull + 86400000ull) << 16 &&
	   pl_hlc_recv_bounded(5ull << 16, 7ull << 16, 1000) == 7ull << 16 &&
	   pl_hlc_recv_bounded(y2199, 5, 1000) == y2199,
	   "pl_hlc_recv_bounded: capped a day past the wall clock, never behind, never moving back");
	free(r3.enc);

	size_t len;
	unsigned char *far = craft(&len, 1, NULL, (7258118400000ull + 1) << 16, "S9");
	ok(pl_op_decode(&dec, far, len, NULL) == PL_ECORRUPT && strstr(pl_error_last()->message, "2200"),
	   "a clock after the year 2200 is refused by the decoder");
	free(far);
	is_int((long long)(pl_hlc_next(UINT64_MAX, now) == UINT64_MAX), 1, "the HLC saturates instead of wrapping to 0");

	free(r1.enc);
	free(r2.enc);
	tl_store_done(st, dir);
	pl_shutdown();
	return done_testing();
}
