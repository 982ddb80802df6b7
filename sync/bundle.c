/*
 * bundle.c — a node's ops on a file, for a school with no link at all.
 *
 * Layout: the line "PLSYNC-BUNDLE 1\n"; a header line
 * "node=<node> first=<seq> last=<seq> count=<n> size=<raw bytes>\n"; the
 * zlib-compressed concatenation of the ops; then 20 bytes, the git blob id
 * (SHA-1) of everything before them. The file is written beside its target
 * and renamed, so a reader never sees half of it. On apply every size is
 * checked before use, the checksum before decompressing, and the ops go
 * through the same checks as ops from git (pl_write_remote_ex: the header's
 * node, chain, ids, schema, ownership), in one transaction: a bundle with
 * one bad op applies nothing. The checksum only catches damage: anyone can
 * recompute it, so a bundle proves nothing about who made it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "plsync/errors.h"
#include "plsync/op.h"
#include "plsync/sync.h"

#define MAGIC "PLSYNC-BUNDLE 1\n"
#define BUNDLE_MAX ((size_t)1 << 30)

struct collect {
	unsigned char *buf;
	size_t len, cap, count;
	uint64_t first, last;
};

static int collect_op(uint64_t seq, const void *bytes, size_t len, void *payload)
{
	struct collect *c = payload;
	if (c->len + len > BUNDLE_MAX) {
		pl_error_set(PL_EINVALID, "the ops make more than 1 GiB");
		return pl_error_hint(PL_HINT_BUNDLE_SINCE, NULL);
	}
	if (c->len + len > c->cap) {
		size_t cap = c->cap ? c->cap : 1 << 16;
		unsigned char *nb;
		while (cap < c->len + len)
			cap *= 2;
		if (!(nb = realloc(c->buf, cap)))
			return pl_error_set(PL_ERROR, "out of memory");
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, bytes, len);
	c->len += len;
	if (!c->count++)
		c->first = seq;
	c->last = seq;
	return 0;
}

int pl_bundle_create(uint64_t *first, uint64_t *last, pl_store *st, const char *path, uint64_t since)
{
	const char *node = pl_store_node(st);
	struct collect c = { 0 };
	unsigned char *z = NULL;
	uLongf zlen;
	char header[256], tmp[4096];
	pl_oid sum;
	FILE *f = NULL;
	size_t hlen;
	int rc = 0;

	*first = *last = 0;
	if ((rc = pl_store_ops_range(st, node, since + 1, UINT64_MAX, collect_op, &c)))
		goto cleanup;
	if (!c.count) {
		rc = pl_error_set(PL_ENOTFOUND, "node %s has no ops after seq %" PRIu64 ": nothing to bundle", node, since);
		goto cleanup;
	}
	hlen = (size_t)snprintf(header, sizeof(header), MAGIC "node=%s first=%" PRIu64 " last=%" PRIu64
	                        " count=%zu size=%zu\n", node, c.first, c.last, c.count, c.len);
	zlen = compressBound(c.len);
	if (!(z = malloc(hlen + zlen))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	memcpy(z, header, hlen);
	if (compress2(z + hlen, &zlen, c.buf, c.len, 6) != Z_OK) {
		rc = pl_error_set(PL_ERROR, "compressing the bundle failed");
		goto cleanup;
	}
	if ((rc = pl_op_id(&sum, z, hlen + zlen)))
		goto cleanup;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "wb"))) {
		rc = pl_error_from_errno(tmp);
		goto cleanup;
	}
	if (fwrite(z, 1, hlen + zlen, f) != hlen + zlen || fwrite(sum.id, 1, PL_OID_RAWSZ, f) != PL_OID_RAWSZ ||
	    fflush(f) || fsync(fileno(f))) {
		rc = pl_error_from_errno(tmp);
		fclose(f);
		f = NULL;
		unlink(tmp);
		goto cleanup;
	}
	if (fclose(f)) {
		f = NULL;
		rc = pl_error_from_errno(tmp);
		unlink(tmp);
		goto cleanup;
	}
	f = NULL;
	if (rename(tmp, path)) {
		rc = pl_error_from_errno(path);
		unlink(tmp);
		goto cleanup;
	}
	*first = c.first;
	*last = c.last;
cleanup:
	if (f)
		fclose(f);
	free(z);
	free(c.buf);
	return rc;
}

struct apply_bundle {
	const char    *path;
	const char    *node;
	const unsigned char *ops;
	size_t         len;
	uint64_t       first, last;
	size_t         count, applied, skipped;
};

static int bundle_fn(pl_write *w, void *payload)
{
	struct apply_bundle *a = payload;
	pl_remote_check chk = { a->node, 1, 0 };
	size_t off = 0, n = 0;
	uint64_t expect = a->first;
	int rc;

	a->applied = a->skipped = 0;
	while (off < a->len) {
		size_t start = off;
		pl_op *op = NULL;
		if ((rc = pl_op_decode_next(&op, a->ops, a->len, &off, NULL)))
			return pl_error_prefix("%s: op %zu", a->path, n + 1);
		if (strcmp(op->node, a->node) || op->seq != expect) {
			rc = pl_error_set(PL_ECORRUPT, "%s: op %zu is %s/%" PRIu64 ", but the header promises %s/%" PRIu64,
			                  a->path, n + 1, op->node, op->seq, a->node, expect);
			pl_op_free(op);
			return rc;
		}
		pl_op_free(op);
		/* the checks a fetch and the merge make: the header's node only,
		 * its chain, and no change to a record another node created */
		rc = pl_write_remote_ex(w, a->ops + start, off - start, &chk, NULL);
		if (rc < 0) {
			if (rc == PL_ECORRUPT && strstr(pl_error_last()->message, "does not follow"))
				pl_error_prefix("%s: this store lacks earlier ops of %s; apply the earlier bundle (or sync) first",
				                a->path, a->node);
			else
				pl_error_prefix("%s", a->path);
			return rc;
		}
		if (rc == 1)
			a->skipped++;
		else
			a->applied++;
		expect++;
		n++;
	}
	if (n != a->count || expect != a->last + 1)
		return pl_error_set(PL_ECORRUPT, "%s: holds %zu ops, the header promises %zu", a->path, n, a->count);
	return 0;
}

int pl_bundle_apply(size_t *applied, size_t *skipped, pl_store *st, const char *path)
{
	struct apply_bundle a = { path };
	unsigned char *file = NULL, *raw = NULL;
	char node[PL_NODE_MAX + 1];
	size_t flen = 0, cap = 0, hlen, rawsize, count;
	uint64_t first, last;
	const char *nl;
	pl_oid sum;
	FILE *f;
	int rc = 0, used = 0;

	*applied = *skipped = 0;
	if (!(f = fopen(path, "rb")))
		return pl_error_from_errno(path);
	{
		struct stat sb;
		if (fstat(fileno(f), &sb) == 0 && (size_t)sb.st_size > BUNDLE_MAX + 4096 + PL_OID_RAWSZ) {
			fclose(f);
			return pl_error_set(PL_EINVALID, "%s is %lld bytes, larger than any bundle can be", path,
			                    (long long)sb.st_size);
		}
	}
	for (;;) {
		size_t r;
		if (flen == cap) {
			unsigned char *nb;
			if (cap >= BUNDLE_MAX + 4096) {
				rc = pl_error_set(PL_EINVALID, "%s: larger than any bundle can be", path);
				goto cleanup;
			}
			cap = cap ? cap * 2 : 1 << 16;
			if (!(nb = realloc(file, cap))) {
				rc = pl_error_set(PL_ERROR, "out of memory");
				goto cleanup;
			}
			file = nb;
		}
		if (!(r = fread(file + flen, 1, cap - flen, f)))
			break;
		flen += r;
	}
	if (ferror(f)) {
		rc = pl_error_from_errno(path);
		goto cleanup;
	}
	if (flen < strlen(MAGIC) || memcmp(file, MAGIC, strlen(MAGIC))) {
		pl_error_set(PL_EINVALID, "%s is not a plsync bundle", path);
		rc = pl_error_hint(PL_HINT_BUNDLE_CREATE, NULL);
		goto cleanup;
	}
	nl = memchr(file + strlen(MAGIC), '\n', flen - strlen(MAGIC) < 256 ? flen - strlen(MAGIC) : 256);
	if (!nl) {
		rc = pl_error_set(PL_ECORRUPT, "%s: truncated or damaged header: copy the bundle again from the school", path);
		goto cleanup;
	}
	hlen = (size_t)((const unsigned char *)nl - file) + 1;
	{
		char line[300];
		memcpy(line, file + strlen(MAGIC), hlen - strlen(MAGIC));
		line[hlen - strlen(MAGIC) - 1] = '\0';
		if (sscanf(line, "node=%32s first=%" SCNu64 " last=%" SCNu64 " count=%zu size=%zu%n",
		           node, &first, &last, &count, &rawsize, &used) != 5 || line[used] != '\0' ||
		    !pl_node_valid(node) || first == 0 || last < first || count != last - first + 1 ||
		    rawsize > BUNDLE_MAX || rawsize < count) {
			for (char *p = line; *p; p++) /* never echo raw bytes of a damaged file */
				if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
					*p = '?';
			rc = pl_error_set(PL_ECORRUPT, "%s: damaged header '%s': copy the bundle again from the school",
			                  path, line);
			goto cleanup;
		}
	}
	if (flen < hlen + PL_OID_RAWSZ) {
		rc = pl_error_set(PL_ECORRUPT, "%s: truncated (%zu bytes)", path, flen);
		goto cleanup;
	}
	if ((rc = pl_op_id(&sum, file, flen - PL_OID_RAWSZ)))
		goto cleanup;
	if (memcmp(sum.id, file + flen - PL_OID_RAWSZ, PL_OID_RAWSZ)) {
		rc = pl_error_set(PL_ECORRUPT, "%s: checksum mismatch: the file is truncated or damaged; "
		                  "copy it again from the school", path);
		goto cleanup;
	}
	if (!strcmp(node, pl_store_node(st))) {
		rc = pl_error_set(PL_EINVALID, "%s holds this node's own ops (%s): nothing to apply here", path, node);
		goto cleanup;
	}
	if (!(raw = malloc(rawsize ? rawsize : 1))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	{
		uLongf out = rawsize;
		if (uncompress(raw, &out, file + hlen, flen - hlen - PL_OID_RAWSZ) != Z_OK || out != rawsize) {
			rc = pl_error_set(PL_ECORRUPT, "%s: the compressed ops are damaged", path);
			goto cleanup;
		}
	}
	a.node = node;
	a.ops = raw;
	a.len = rawsize;
	a.first = first;
	a.last = last;
	a.count = count;
	if ((rc = pl_store_write(st, NULL, bundle_fn, &a)))
		goto cleanup;
	*applied = a.applied;
	*skipped = a.skipped;
cleanup:
	fclose(f);
	free(file);
	free(raw);
	return rc;
}
