/*
 * A store rebuilt from the district repository (pl_remote_check.restore):
 * a store of node AAA refuses AAA's own ops it does not hold as a forgery,
 * unless the write is a restore; a restore still checks the chain (a gap
 * is refused) and ownership, and the next local write continues the chain
 * it took back: seq = last + 1, prev = the last op's id.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define H TL_H

static struct tl_blob next(struct tl_chain *c, uint64_t hlc, const char *rec, const pl_oid *base,
                           size_t nbase, const char *json)
{
	return tl_chain_next(c, (struct tl_op){ .hlc = hlc, .actor = "Ann Lee <ann@example.org>", .rec = rec,
	                                        .base = base, .nbase = nbase, .json = json });
}

int main(void)
{
	char d1[] = "/tmp/plsync-restore-XXXXXX";
	struct tl_chain a = { "AAA", 0, { { 0 } } }, b = { "BBB", 0, { { 0 } } };
	pl_remote_check restore = { "AAA", 1, 0, 1 }, plain = { "AAA", 1, 0, 0 };
	pl_store *st;
	pl_record *r = NULL;
	static const pl_op_limits lim = PL_OP_LIMITS_INIT;
	pl_op *op = NULL;
	unsigned char *enc = NULL;
	size_t len;
	uint64_t seq = 0, nops = 0, nrecs = 0;
	pl_oid last;
	char id[PL_ID_MAX + 1] = "";

	pl_init();
	st = tl_fresh_store(d1, "AAA");
	struct tl_blob o1 = next(&a, H + 1, "AAA-00001", NULL, 0, "{\"name\":\"Ann\",\"category\":\"certified\"}");
	struct tl_blob o2 = next(&a, H + 2, "AAA-00001", &o1.id, 1, "{\"role\":\"Teacher\"}");
	struct tl_blob o3 = next(&a, H + 3, "AAA-00002", NULL, 0, "{\"name\":\"Bo\",\"category\":\"certified\"}");
	struct tl_blob o4 = next(&a, H + 4, "AAA-00003", NULL, 0, "{\"name\":\"Cy\",\"category\":\"certified\"}");
	struct tl_blob f1 = next(&b, H + 5, "AAA-00001", &o2.id, 1, "{\"role\":\"Aide\"}");

	ok(tl_apply(st, "fetch", &o1, 1, &plain, NULL) == PL_ECORRUPT &&
	   strstr(pl_error_last()->message, "claims to be ours"),
	   "without restore, an op of our own node we do not hold is refused as a forgery");
	is_int(tl_apply(st, "restore", &o1, 1, &restore, NULL), 0, "a restore takes our own op 1 back");
	ok(tl_apply(st, "restore", &o3, 1, &restore, NULL) == PL_ECORRUPT &&
	   strstr(pl_error_last()->message, "does not follow"), "a restore still refuses a gap (op 3 after 1)");
	is_int(tl_apply(st, "restore", &o2, 1, &restore, NULL), 0, "op 2 continues the chain");
	is_int(tl_apply(st, "restore", &o3, 1, &restore, NULL), 0, "then op 3");
	restore.node = "BBB";
	ok(tl_apply(st, "restore", &f1, 1, &restore, NULL) == PL_EINVALID,
	   "ownership is still checked in a restore (BBB editing AAA's record)");
	restore.node = "AAA";
	is_int(tl_apply(st, "restore", &o2, 1, &restore, NULL), 1, "an op already taken back is a skip");
	ok(pl_store_node_seq(&seq, &last, st, "AAA") == 0 && seq == 3 && !memcmp(last.id, o3.id.id, PL_OID_RAWSZ),
	   "the store's own seq is the last op taken back");
	ok(pl_store_get(&r, st, "AAA-00001") == 0 && !strcmp(r->owner, "AAA"), "the record is ours again");
	pl_record_free(r);

	/* the next local write continues the chain */
	json_t *fields = json_pack("{s:s, s:s}", "name", "Dee", "category", "certified");
	pl_change c = { PL_CHANGE_CREATE, "staff", NULL, fields, NULL, NULL };
	is_int(pl_store_change(st, "Ann Lee <ann@example.org>", &c, id), 0, "a local change after the restore");
	json_decref(fields);
	ok(strcmp(id, "AAA-00001") && strcmp(id, "AAA-00002"), "its generated id is not one restored (%s)", id);
	ok(pl_store_op_bytes(&enc, &len, st, "AAA", 4) == 0 && pl_op_decode(&op, enc, len, &lim) == 0 &&
	   op->seq == 4 && op->has_prev && !memcmp(op->prev.id, o3.id.id, PL_OID_RAWSZ),
	   "it is op 4, its prev the id of restored op 3");
	pl_op_free(op);
	free(enc);
	ok(tl_apply(st, "restore", &o4, 1, &restore, NULL) != 0,
	   "an old op 4 that differs from the new one is refused (two histories)");
	is_int(pl_store_verify(st, &nops, &nrecs), 0, "the store verifies");

	free(o1.enc);
	free(o2.enc);
	free(o3.enc);
	free(o4.enc);
	free(f1.enc);
	tl_store_done(st, d1);
	return done_testing();
}
