/*
 * bundle.c — a node's ops on a file, for a school with no link at all.
 *
 * Layout (version 2): the line "PLSYNC-BUNDLE 2\n"; a header line
 * "node=<node> first=<seq> last=<seq> count=<n> size=<raw bytes>
 * pack=<bytes> tip=<commit> base=<commit|none>\n"; the zlib-compressed
 * concatenation of the ops first..last; a git pack of the node's own mirror
 * commits after `base` up to `tip` (what the district repository needs to
 * take them as if pushed: bundle-district.c); then 20 bytes, the git blob id
 * (SHA-1) of everything before them. Version 1 (no pack, the header ends at
 * size=) is still read: its ops apply at an agent as before. The file is
 * written beside its target and renamed, so a reader never sees half of it.
 * On apply every size is checked before use, the checksum before
 * decompressing, and the ops go through the same checks as ops from git
 * (pl_write_remote_ex: the header's node, chain, ids, schema, ownership), in
 * one transaction: a bundle with one bad op applies nothing. The checksum
 * only catches damage: anyone can recompute it, so a bundle proves nothing
 * about who made it.
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
#include "bundle-int.h"
#include "layout-int.h"
#include "mirror-int.h"

#define MAGIC1 "PLSYNC-BUNDLE 1\n"
#define MAGIC2 "PLSYNC-BUNDLE 2\n"
#define MAGIC_LEN 16
#define HEADER_MAX 512
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

/*
 * The mirror's commits a bundle of ops after `since` carries: a git pack of
 * those after the newest commit (first parents from the tip) that holds no
 * op after `since`, into *pack (git_buf), with the tip and that base.
 */
static int pack_commits(git_buf *pack, git_oid *tip, git_oid *base, int *has_base, pl_mirror *m,
                        const char *node, uint64_t since)
{
	char refname[PL_NODE_MAX + 24];
	git_reference *ref = NULL;
	git_packbuilder *pb = NULL;
	git_revwalk *walk = NULL;
	git_oid at;
	int rc = 0, grc;

	*has_base = 0;
	pl_sync__node_ref(refname, sizeof(refname), node);
	if ((grc = git_reference_lookup(&ref, m->repo, refname)) < 0)
		return pl_error_from_git(grc, refname);
	git_oid_cpy(tip, git_reference_target(ref));
	git_reference_free(ref);
	git_oid_cpy(&at, tip);
	for (;;) {
		git_commit *c = NULL;
		uint64_t seq;
		if ((rc = pl_sync__commit_last_seq(&seq, NULL, m->repo, &at, node, refname)))
			return rc;
		if (seq <= since) {
			git_oid_cpy(base, &at);
			*has_base = 1;
			break;
		}
		if ((grc = git_commit_lookup(&c, m->repo, &at)) < 0)
			return pl_error_from_git(grc, refname);
		if (!git_commit_parentcount(c)) {
			git_commit_free(c);
			break;
		}
		git_oid_cpy(&at, git_commit_parent_id(c, 0));
		git_commit_free(c);
	}
	if ((grc = git_packbuilder_new(&pb, m->repo)) < 0 || (grc = git_revwalk_new(&walk, m->repo)) < 0 ||
	    (grc = git_revwalk_push(walk, tip)) < 0 || (*has_base && (grc = git_revwalk_hide(walk, base)) < 0)) {
		rc = pl_error_from_git(grc, "packing the mirror's commits");
		goto cleanup;
	}
	git_packbuilder_set_threads(pb, 1);
	if ((grc = git_packbuilder_insert_walk(pb, walk)) < 0 || (grc = git_packbuilder_write_buf(pack, pb)) < 0)
		rc = pl_error_from_git(grc, "packing the mirror's commits");
cleanup:
	git_revwalk_free(walk);
	git_packbuilder_free(pb);
	return rc;
}

static int write_file(const char *path, const unsigned char *data, size_t len, const pl_oid *sum)
{
	char tmp[4096];
	FILE *f;
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "wb")))
		return pl_error_from_errno(tmp);
	if (fwrite(data, 1, len, f) != len || fwrite(sum->id, 1, PL_OID_RAWSZ, f) != PL_OID_RAWSZ ||
	    fflush(f) || fsync(fileno(f))) {
		rc = pl_error_from_errno(tmp);
		fclose(f);
		unlink(tmp);
		return rc;
	}
	if (fclose(f)) {
		rc = pl_error_from_errno(tmp);
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path)) {
		rc = pl_error_from_errno(path);
		unlink(tmp);
	}
	return rc;
}

int pl_bundle_create(uint64_t *first, uint64_t *last, pl_mirror *m, pl_store *st, const char *path,
                     uint64_t since, const pl_sync_options *opts)
{
	const char *node = pl_store_node(st);
	struct collect c = { 0 };
	unsigned char *z = NULL;
	uLongf zlen;
	char header[HEADER_MAX], tiphex[41], basehex[41] = "none";
	git_buf pack = GIT_BUF_INIT;
	git_oid tip, base;
	uint64_t from, to;
	pl_oid sum;
	size_t hlen;
	int rc = 0, has_base = 0;

	*first = *last = 0;
	if (since == PL_BUNDLE_SINCE_PUSHED) {
		char *pushed = NULL;
		if ((rc = pl_store_meta_get(&pushed, st, "sync.pushed")))
			return rc;
		since = pushed ? strtoull(pushed, NULL, 10) : 0;
		free(pushed);
	}
	if ((rc = pl_store_ops_range(st, node, since + 1, UINT64_MAX, collect_op, &c)))
		goto cleanup;
	if (!c.count) {
		rc = pl_error_set(PL_ENOTFOUND, "node %s has no ops after seq %" PRIu64 ": nothing to bundle", node, since);
		goto cleanup;
	}
	/* the ops' own commits, made now if not yet, go along for the district */
	if ((rc = pl_mirror_commit(&from, &to, m, st, opts)) ||
	    (rc = pack_commits(&pack, &tip, &base, &has_base, m, node, since)))
		goto cleanup;
	if (pack.size > BUNDLE_MAX) {
		rc = pl_error_set(PL_EINVALID, "the commits holding these ops make more than 1 GiB: bundle fewer ops "
		                  "at a time");
		goto cleanup;
	}
	git_oid_tostr(tiphex, sizeof(tiphex), &tip);
	if (has_base)
		git_oid_tostr(basehex, sizeof(basehex), &base);
	hlen = (size_t)snprintf(header, sizeof(header), MAGIC2 "node=%s first=%" PRIu64 " last=%" PRIu64
	                        " count=%zu size=%zu pack=%zu tip=%s base=%s\n", node, c.first, c.last, c.count,
	                        c.len, pack.size, tiphex, basehex);
	zlen = compressBound(c.len);
	if (!(z = malloc(hlen + zlen + pack.size))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	memcpy(z, header, hlen);
	if (compress2(z + hlen, &zlen, c.buf, c.len, 6) != Z_OK) {
		rc = pl_error_set(PL_ERROR, "compressing the bundle failed");
		goto cleanup;
	}
	memcpy(z + hlen + zlen, pack.ptr, pack.size);
	if ((rc = pl_op_id(&sum, z, hlen + zlen + pack.size)) ||
	    (rc = write_file(path, z, hlen + zlen + pack.size, &sum)))
		goto cleanup;
	*first = c.first;
	*last = c.last;
cleanup:
	git_buf_dispose(&pack);
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

static int read_all(pl_sync__bundle *b, const char *path)
{
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	if (!(f = fopen(path, "rb")))
		return pl_error_from_errno(path);
	{
		struct stat sb;
		if (fstat(fileno(f), &sb) == 0 && (size_t)sb.st_size > 2 * BUNDLE_MAX + 4096 + PL_OID_RAWSZ) {
			fclose(f);
			return pl_error_set(PL_EINVALID, "%s is %lld bytes, larger than any bundle can be", path,
			                    (long long)sb.st_size);
		}
	}
	for (;;) {
		size_t r;
		if (b->flen == cap) {
			unsigned char *nb;
			if (cap >= 2 * BUNDLE_MAX + 4096) {
				rc = pl_error_set(PL_EINVALID, "%s: larger than any bundle can be", path);
				break;
			}
			cap = cap ? cap * 2 : 1 << 16;
			if (!(nb = realloc(b->file, cap))) {
				rc = pl_error_set(PL_ERROR, "out of memory");
				break;
			}
			b->file = nb;
		}
		if (!(r = fread(b->file + b->flen, 1, cap - b->flen, f)))
			break;
		b->flen += r;
	}
	if (!rc && ferror(f))
		rc = pl_error_from_errno(path);
	fclose(f);
	return rc;
}

/* The header line (without its newline) into b's fields. */
static int parse_header(pl_sync__bundle *b, char *line)
{
	char tip[48] = "", base[48] = "";
	int used = 0, n;

	if (b->version == 1)
		n = sscanf(line, "node=%32s first=%" SCNu64 " last=%" SCNu64 " count=%zu size=%zu%n", b->node,
		           &b->first, &b->last, &b->count, &b->rawsize, &used) == 5;
	else
		n = sscanf(line, "node=%32s first=%" SCNu64 " last=%" SCNu64 " count=%zu size=%zu pack=%zu "
		           "tip=%40s base=%40s%n", b->node, &b->first, &b->last, &b->count, &b->rawsize, &b->packlen,
		           tip, base, &used) == 8 &&
		    git_oid_fromstrn(&b->tip, tip, strlen(tip)) == 0 && strlen(tip) == 40 &&
		    (!strcmp(base, "none") || (strlen(base) == 40 && git_oid_fromstrn(&b->base, base, 40) == 0));
	if (!n || line[used] != '\0' || !pl_node_valid(b->node) || b->first == 0 || b->last < b->first ||
	    b->count != b->last - b->first + 1 || b->rawsize > BUNDLE_MAX || b->rawsize < b->count ||
	    b->packlen > BUNDLE_MAX)
		return -1;
	b->has_base = b->version == 2 && strcmp(base, "none") != 0;
	return 0;
}

int pl_sync__bundle_read(pl_sync__bundle *b, const char *path)
{
	const char *nl;
	size_t hlen, window;
	pl_oid sum;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = read_all(b, path)))
		return rc;
	if (b->flen >= MAGIC_LEN && !memcmp(b->file, MAGIC1, MAGIC_LEN))
		b->version = 1;
	else if (b->flen >= MAGIC_LEN && !memcmp(b->file, MAGIC2, MAGIC_LEN))
		b->version = 2;
	else if (b->flen >= MAGIC_LEN && !memcmp(b->file, MAGIC2, MAGIC_LEN - 2))
		return pl_error_set(PL_EINVALID, "%s is a plsync bundle of a newer format than this version reads: "
		                    "upgrade plsync here", path);
	else
	{
		pl_error_set(PL_EINVALID, "%s is not a plsync bundle", path);
		return pl_error_hint(PL_HINT_BUNDLE_CREATE, NULL);
	}
	window = b->flen - MAGIC_LEN < HEADER_MAX ? b->flen - MAGIC_LEN : HEADER_MAX;
	if (!(nl = memchr(b->file + MAGIC_LEN, '\n', window)))
		return pl_error_set(PL_ECORRUPT, "%s: truncated or damaged header: copy the bundle again from the school",
		                    path);
	hlen = (size_t)((const unsigned char *)nl - b->file) + 1;
	{
		char line[HEADER_MAX + 1];
		memcpy(line, b->file + MAGIC_LEN, hlen - MAGIC_LEN);
		line[hlen - MAGIC_LEN - 1] = '\0';
		if (parse_header(b, line)) {
			for (char *p = line; *p; p++) /* never echo raw bytes of a damaged file */
				if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
					*p = '?';
			return pl_error_set(PL_ECORRUPT, "%s: damaged header '%s': copy the bundle again from the school",
			                    path, line);
		}
	}
	if (b->flen < hlen + b->packlen + PL_OID_RAWSZ + 1)
		return pl_error_set(PL_ECORRUPT, "%s: truncated (%zu bytes)", path, b->flen);
	if ((rc = pl_op_id(&sum, b->file, b->flen - PL_OID_RAWSZ)))
		return rc;
	if (memcmp(sum.id, b->file + b->flen - PL_OID_RAWSZ, PL_OID_RAWSZ))
		return pl_error_set(PL_ECORRUPT, "%s: checksum mismatch: the file is truncated or damaged; "
		                    "copy it again from the school", path);
	b->z = b->file + hlen;
	b->zlen = b->flen - hlen - b->packlen - PL_OID_RAWSZ;
	b->pack = b->z + b->zlen;
	return 0;
}

void pl_sync__bundle_free(pl_sync__bundle *b)
{
	free(b->file);
	memset(b, 0, sizeof(*b));
}

int pl_bundle_apply(size_t *applied, size_t *skipped, pl_store *st, const char *path)
{
	struct apply_bundle a = { path };
	pl_sync__bundle b;
	unsigned char *raw = NULL;
	int rc;

	*applied = *skipped = 0;
	if ((rc = pl_sync__bundle_read(&b, path)))
		goto cleanup;
	if (!strcmp(b.node, pl_store_node(st))) {
		rc = pl_error_set(PL_EINVALID, "%s holds this node's own ops (%s): nothing to apply here", path, b.node);
		goto cleanup;
	}
	if (!(raw = malloc(b.rawsize ? b.rawsize : 1))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	{
		uLongf out = b.rawsize;
		if (uncompress(raw, &out, b.z, b.zlen) != Z_OK || out != b.rawsize) {
			rc = pl_error_set(PL_ECORRUPT, "%s: the compressed ops are damaged", path);
			goto cleanup;
		}
	}
	a.node = b.node;
	a.ops = raw;
	a.len = b.rawsize;
	a.first = b.first;
	a.last = b.last;
	a.count = b.count;
	if ((rc = pl_store_write(st, NULL, bundle_fn, &a)))
		goto cleanup;
	*applied = a.applied;
	*skipped = a.skipped;
cleanup:
	pl_sync__bundle_free(&b);
	free(raw);
	return rc;
}
