/*
 * A bundle is checked as a fetch or the merge checks ops: at DISTRICT, a
 * LIN01 bundle whose last op changes a record WAS02 created is refused
 * whole, naming the owner, and nothing of it is applied. A bundle forged in
 * WAS02's name (its checksum is only a SHA-1 anyone can recompute) applies,
 * since nothing yet proves who wrote it; but the real WAS02 bundle that
 * comes after is refused as what it is, two histories of one node, naming
 * the seq and both op ids, not as a gap to fill with an earlier bundle.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "plsync/plsync.h"
#include "plsync/sync.h"
#include "../tap.h"
#include "../testlib.h"

#define H TL_H /* 2026-01-01T00:00:00Z */

static struct tl_blob next(struct tl_chain *c, uint64_t hlc, const char *actor, const char *rec,
                           const pl_oid *base, size_t nbase, const char *json)
{
	return tl_chain_next(c, (struct tl_op){ .hlc = hlc, .actor = actor, .rec = rec, .base = base,
	                                        .nbase = nbase, .json = json });
}

/* A bundle file as `plsync bundle create` writes one, of ops b[0..n). */
static void write_bundle(const char *path, const char *node, uint64_t first, const struct tl_blob *b, size_t n)
{
	size_t raw = 0, off = 0, hlen;
	unsigned char *ops, *file;
	uLongf zlen;
	char header[256];
	pl_oid sum;
	FILE *f;

	for (size_t i = 0; i < n; i++)
		raw += b[i].len;
	if (!(ops = malloc(raw)))
		bail("out of memory");
	for (size_t i = 0; i < n; i++, off += b[i - 1].len)
		memcpy(ops + off, b[i].enc, b[i].len);
	hlen = (size_t)snprintf(header, sizeof(header), "PLSYNC-BUNDLE 1\nnode=%s first=%llu last=%llu count=%zu size=%zu\n",
	                        node, (unsigned long long)first, (unsigned long long)(first + n - 1), n, raw);
	zlen = compressBound(raw);
	if (!(file = malloc(hlen + zlen)))
		bail("out of memory");
	memcpy(file, header, hlen);
	if (compress2(file + hlen, &zlen, ops, raw, 6) != Z_OK || pl_op_id(&sum, file, hlen + zlen))
		bail("compress");
	if (!(f = fopen(path, "wb")) || fwrite(file, 1, hlen + zlen, f) != hlen + zlen ||
	    fwrite(sum.id, 1, PL_OID_RAWSZ, f) != PL_OID_RAWSZ || fclose(f))
		bail("writing %s", path);
	free(file);
	free(ops);
}

static uint64_t seq_of(pl_store *st, const char *node)
{
	uint64_t seq = 0;
	pl_oid last;
	pl_store_node_seq(&seq, &last, st, node);
	return seq;
}

static char *field_of(pl_store *st, const char *id, const char *field)
{
	pl_record *r = NULL;
	char *s;
	if (pl_store_get(&r, st, id))
		return strdup("(none)");
	s = strdup(json_string_value(json_object_get(r->fields, field)) ? json_string_value(json_object_get(r->fields, field))
	                                                                 : "(unset)");
	pl_record_free(r);
	return s;
}

int main(void)
{
	char dir[] = "/tmp/plsync-bck-XXXXXX", path[300], want[200], hex[41];
	pl_store *dist = NULL;
	size_t applied = 0, skipped = 0;
	char *title;

	pl_init();
	dist = tl_fresh_store(dir, "DISTRICT");

	struct tl_chain was = { "WAS02", 0, { { 0 } } }, lin = { "LIN01", 0, { { 0 } } };
	struct tl_blob w1 = next(&was, H + 1, "Wes <w@was.example>", "WAS02-AAAAA", NULL, 0,
	                      "{\"name\":\"Wes Park\",\"category\":\"certified\"}");
	struct tl_blob w2 = next(&was, H + 2, "Wes <w@was.example>", "WAS02-AAAAA", &w1.id, 1, "{\"role\":\"Teacher\"}");
	snprintf(path, sizeof(path), "%s/was.plsync", dir);
	write_bundle(path, "WAS02", 1, (struct tl_blob[]){ w1, w2 }, 2);
	is_int(pl_bundle_apply(&applied, &skipped, dist, path), 0, "DISTRICT applies WAS02's bundle");

	/* 1. ownership */
	struct tl_blob l1 = next(&lin, H + 3, "Ann <a@lin.example>", "LIN01-BBBBB", NULL, 0,
	                      "{\"name\":\"Ann Lee\",\"category\":\"certified\"}");
	struct tl_blob l2 = next(&lin, H + 4, "Ann <a@lin.example>", "WAS02-AAAAA", &w2.id, 1, "{\"role\":\"Janitor\"}");
	snprintf(path, sizeof(path), "%s/lin.plsync", dir);
	write_bundle(path, "LIN01", 1, (struct tl_blob[]){ l1, l2 }, 2);
	ok(pl_bundle_apply(&applied, &skipped, dist, path) == PL_EINVALID &&
	   strstr(pl_error_last()->message, "belongs to WAS02"),
	   "a LIN01 bundle changing a WAS02 record is refused, naming the owner");
	diag("%s", pl_error_last()->message);
	is_int((int)seq_of(dist, "LIN01"), 0, "nothing of that bundle is applied, not even its good first op");
	title = field_of(dist, "WAS02-AAAAA", "role");
	is_str(title, "Teacher", "the WAS02 record is as WAS02 left it");
	free(title);
	write_bundle(path, "LIN01", 1, (struct tl_blob[]){ l1 }, 1);
	is_int(pl_bundle_apply(&applied, &skipped, dist, path), 0, "LIN01's own op alone applies");

	/* 2. a forged chain, then the real one */
	struct tl_chain real = { "WAS02", 2, w2.id }, fake = { "WAS02", 2, w2.id };
	struct tl_blob f3 = next(&fake, H + 5, "Mallory <m@example>", "WAS02-AAAAA", &w2.id, 1, "{\"role\":\"Forged\"}");
	struct tl_blob r3 = next(&real, H + 6, "Wes <w@was.example>", "WAS02-AAAAA", &w2.id, 1, "{\"role\":\"Coach\"}");
	struct tl_blob r4 = next(&real, H + 7, "Wes <w@was.example>", "WAS02-AAAAA", &r3.id, 1, "{\"role\":\"Lead coach\"}");
	snprintf(path, sizeof(path), "%s/fake.plsync", dir);
	write_bundle(path, "WAS02", 3, &f3, 1);
	is_int(pl_bundle_apply(&applied, &skipped, dist, path), 0,
	       "a bundle forged in WAS02's name applies (nothing proves who made it yet)");
	snprintf(path, sizeof(path), "%s/real.plsync", dir);
	write_bundle(path, "WAS02", 3, (struct tl_blob[]){ r3, r4 }, 2);
	is_int(pl_bundle_apply(&applied, &skipped, dist, path), PL_ECONFLICT,
	       "the real WAS02 bundle after it is refused as a conflict");
	diag("%s", pl_error_last()->message);
	pl_oid_fmt(hex, &f3.id);
	snprintf(want, sizeof(want), "WAS02/3 is %.12s here", hex);
	ok(strstr(pl_error_last()->message, "these ops of WAS02 differ from ones already applied") &&
	   strstr(pl_error_last()->message, want), "the message names the node, the seq and the op id here");
	pl_oid_fmt(hex, &r3.id);
	snprintf(want, sizeof(want), "%.12s in what arrived", hex);
	ok(strstr(pl_error_last()->message, want) != NULL, "and the id of the op that arrived");
	ok(!strstr(pl_error_last()->message, "apply the earlier bundle"), "it does not ask for an earlier bundle");
	is_int((int)seq_of(dist, "WAS02"), 3, "nothing of the real bundle is applied");

	tl_store_done(dist, dir);
	free(w1.enc); free(w2.enc); free(l1.enc); free(l2.enc); free(f3.enc); free(r3.enc); free(r4.enc);
	pl_shutdown();
	return done_testing();
}
