/*
 * Clocks from other nodes: an op stamped more than a day ahead of our wall
 * clock is accepted (the HLC keeps order) but reported through
 * pl_remote_info.ahead, and our next clock moves past it; an op a few hours
 * ahead is not reported; a clock past the year 2200 is refused outright,
 * and the HLC never wraps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"

struct remote {
	unsigned char *enc;
	size_t         len;
	pl_remote_info info;
};

static unsigned char *craft(size_t *len, uint64_t seq, const pl_oid *prev, uint64_t hlc, const char *rec)
{
	unsigned char *enc = NULL;
	pl_op op;

	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = "FAR";
	op.seq = seq;
	op.has_prev = prev != NULL;
	if (prev)
		op.prev = *prev;
	op.hlc = hlc;
	op.actor = "Laptop <l@example.org>";
	op.kind = "school";
	op.rec = (char *)rec;
	op.type = PL_OP_PUT;
	op.fields = json_pack("{ss ss}", "code", rec, "name", "A school");
	if (pl_op_encode(&enc, len, &op))
		bail("encode: %s", pl_error_last()->message);
	json_decref(op.fields);
	return enc;
}

static int apply_fn(pl_write *w, void *payload)
{
	struct remote *r = payload;
	int rc = pl_write_remote_ex(w, r->enc, r->len, NULL, &r->info);
	return rc < 0 ? rc : 0;
}

int main(void)
{
	char dir[] = "/tmp/plsync-clock-XXXXXX", cmd[300], id[PL_ID_MAX + 1];
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	struct remote r1 = { 0 }, r2 = { 0 };
	pl_oid id1;
	pl_op *dec = NULL;
	uint64_t now = pl_hlc_wall_ms();
	int rc;

	pl_init();
	o.no_sync = 1;
	if (!mkdtemp(dir) || pl_store_create(dir, "HERE", &o) || pl_store_open(&st, dir, &o))
		bail("store: %s", pl_error_last()->message);

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
	{
		unsigned char *buf = NULL;
		size_t len = 0;
		pl_store_op_bytes(&buf, &len, st, "HERE", 1);
		ok(buf && pl_op_decode(&dec, buf, len, NULL) == 0 && dec->hlc > future,
		   "and its clock is past the future op's, so it still wins later");
		free(buf);
		pl_op_free(dec);
	}

	size_t len;
	unsigned char *far = craft(&len, 1, NULL, (7258118400000ull + 1) << 16, "S9");
	ok(pl_op_decode(&dec, far, len, NULL) == PL_ECORRUPT && strstr(pl_error_last()->message, "2200"),
	   "a clock after the year 2200 is refused by the decoder");
	free(far);
	is_int((long long)(pl_hlc_next(UINT64_MAX, now) == UINT64_MAX), 1, "the HLC saturates instead of wrapping to 0");

	free(r1.enc);
	free(r2.enc);
	pl_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	pl_shutdown();
	return done_testing();
}
