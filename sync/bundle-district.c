/*
 * bundle-district.c — a school's bundle landed in the district repository,
 * as if the school had pushed (pl_district_bundle_apply).
 *
 * Rules kept here: nothing reaches the repository before every new commit
 * is checked. The bundle's pack is indexed into a directory of its own and
 * read through a one-pack backend; the first-parent chain from the bundle's
 * tip must reach the ref's current tip (or a root, for a new ref); each of
 * those commits may only add batches under ops/<node>/ whose ops continue
 * the node's chain, and reading them reads every object they add. Only then
 * is the pack moved into objects/pack and the ref moved, compare-and-swap on
 * the tip that was checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "plsync/errors.h"
#include "plsync/op.h"
#include "plsync/sync.h"
#include "bundle-int.h"
#include "district-int.h"
#include "layout-int.h"
#include "mirror-int.h"
#include "tree-int.h"

#define CHAIN_MAX 1000000

struct chain {
	git_repository *repo;
	const char     *path;     /* the bundle, for messages */
	const char     *node;
	uint64_t        seq;      /* the last seq checked so far */
	pl_oid          last;     /* ... and its op id */
};

/* The last op of the batch `blob` into c (the ref's tip before the bundle). */
static int chain_start(struct chain *c, const git_oid *blob)
{
	static const pl_op_limits lim = PL_OP_LIMITS_INIT;
	git_blob *b = NULL;
	size_t off = 0, start = 0, len;
	const unsigned char *buf;
	int rc = 0, grc;

	if ((grc = git_blob_lookup(&b, c->repo, blob)) < 0)
		return pl_error_from_git(grc, "the last batch of the node's ref");
	buf = git_blob_rawcontent(b);
	len = (size_t)git_blob_rawsize(b);
	while (off < len && !rc) {
		start = off;
		rc = pl_op_skip(buf, len, &off, &lim);
	}
	if (!rc && len)
		rc = pl_op_id(&c->last, buf + start, off - start);
	git_blob_free(b);
	return rc;
}

/* One added batch: every op the node's, next in its chain, named right. */
static int check_batch(struct chain *c, const pl_sync__delta *d, const char *hex)
{
	static const pl_op_limits lim = PL_OP_LIMITS_INIT;
	const char *name = strrchr(d->path, '/');
	git_blob *blob = NULL;
	const unsigned char *buf;
	uint64_t first, last;
	size_t len, off = 0;
	int rc = 0, grc;

	if (d->status != GIT_DELTA_ADDED || d->mode != GIT_FILEMODE_BLOB || !name ||
	    pl_sync__parse_blob_name(&first, &last, name + 1))
		return pl_error_set(PL_ECORRUPT, "%s: commit %.12s %s: only new op batches may be added to a node's ref",
		                    c->path, hex, d->path);
	if (first != c->seq + 1)
		return pl_error_set(PL_ECORRUPT, "%s: commit %.12s %s starts at seq %" PRIu64 ", not %" PRIu64, c->path,
		                    hex, d->path, first, c->seq + 1);
	if ((grc = git_blob_lookup(&blob, c->repo, &d->id)) < 0)
		return pl_error_from_git(grc, d->path);
	buf = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (len > lim.max_batch)
		rc = pl_error_set(PL_ECORRUPT, "%s: commit %.12s %s: a batch over %zu bytes", c->path, hex, d->path,
		                  lim.max_batch);
	while (!rc && off < len) {
		size_t start = off;
		pl_op *op = NULL;
		if ((rc = pl_op_decode_next(&op, buf, len, &off, &lim))) {
			pl_error_prefix("%s: commit %.12s %s", c->path, hex, d->path);
			break;
		}
		if (strcmp(op->node, c->node) || op->seq != c->seq + 1 || op->has_prev != (op->seq > 1) ||
		    (op->has_prev && memcmp(op->prev.id, c->last.id, PL_OID_RAWSZ)))
			rc = pl_error_set(PL_ECORRUPT, "%s: commit %.12s %s: op %s/%" PRIu64 " does not follow %s/%" PRIu64
			                  " of the node's chain", c->path, hex, d->path, op->node, op->seq, c->node,
			                  c->seq);
		pl_op_free(op);
		if (!rc && !(rc = pl_op_id(&c->last, buf + start, off - start)))
			c->seq++;
	}
	if (!rc && c->seq != last)
		rc = pl_error_set(PL_ECORRUPT, "%s: commit %.12s %s holds ops up to seq %" PRIu64 ", its name says %" PRIu64,
		                  c->path, hex, d->path, c->seq, last);
	git_blob_free(blob);
	return rc;
}

static int check_commit(struct chain *c, const git_oid *id)
{
	pl_sync__deltas ds = { NULL, 0, 0, 4096, 0 };
	char hex[41], prefix[PL_NODE_MAX + 8];
	int rc;

	git_oid_tostr(hex, sizeof(hex), id);
	snprintf(prefix, sizeof(prefix), "ops/%s/", c->node);
	if ((rc = pl_sync__commit_delta(&ds, c->repo, id, hex, 1)))
		return pl_error_prefix("%s", c->path);
	if (ds.over)
		rc = pl_error_set(PL_ECORRUPT, "%s: commit %.12s changes more files than a node commit does", c->path, hex);
	for (size_t i = 0; i < ds.n && !rc; i++) {
		if (strncmp(ds.d[i].path, prefix, strlen(prefix)))
			rc = pl_error_set(PL_ECORRUPT, "%s: commit %.12s touches %s, outside %s", c->path, hex,
			                  ds.d[i].path, prefix);
		else
			rc = check_batch(c, &ds.d[i], hex);
	}
	pl_sync__deltas_clear(&ds);
	return rc;
}

/* A bundle built on commit `at`, which the repository does not have. */
static int gap(const char *path, const git_oid *at, const char *node, uint64_t had)
{
	char hex[41];

	git_oid_tostr(hex, sizeof(hex), at);
	return pl_error_set(PL_ECONFLICT, "%s builds on commit %.12s of %s, which the district repository does not "
	                    "have: it does not continue nodes/%s, which holds ops up to seq %" PRIu64 "; a bundle "
	                    "of %s's ops after seq %" PRIu64 " is needed", path, hex, node, node, had, node, had);
}

/*
 * The commits from the bundle's tip down to `cur` (exclusive; NULL: to a
 * root), first parents, into *out (oldest last). PL_ECONFLICT when the
 * chain misses a commit or ends without meeting cur.
 */
static int chain_commits(git_oid **out, size_t *n, git_repository *repo, const git_oid *tip, const git_oid *cur,
                         const char *path, const char *node, uint64_t had)
{
	git_oid at, *v = NULL;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	git_oid_cpy(&at, tip);
	for (;;) {
		git_commit *c = NULL;
		if (cur && git_oid_equal(&at, cur))
			break;
		if (*n == cap) {
			git_oid *nv;
			cap = cap ? cap * 2 : 64;
			if (*n >= CHAIN_MAX || !(nv = realloc(v, cap * sizeof(*v)))) {
				free(v);
				return pl_error_set(PL_ERROR, "%s: more commits than a node ref can have", path);
			}
			v = nv;
		}
		git_oid_cpy(&v[(*n)++], &at);
		if (git_commit_lookup(&c, repo, &at) < 0) {
			free(v);
			if (*n == 1)
				return pl_error_set(PL_ECORRUPT, "%s: the commits it carries lack its tip: the file is "
				                    "damaged or forged", path);
			return gap(path, &at, node, had);
		}
		if (!git_commit_parentcount(c)) {
			git_commit_free(c);
			if (!cur)
				break;
			free(v);
			return pl_error_set(PL_ECONFLICT, "%s does not continue nodes/%s: its commits are another "
			                    "history than the district repository's (another agent with node %s, or a "
			                    "rebuilt data dir); nothing was changed", path, node, node);
		}
		git_oid_cpy(&at, git_commit_parent_id(c, 0));
		git_commit_free(c);
	}
	*out = v;
	return 0;
}

/*
 * Index the bundle's pack into dir; its .idx path into idx. The pack must
 * stand alone (no delta against an object outside it). The indexer is not
 * asked to check that every object a tree names is present: libgit2 1.5
 * leaks doing that against a repository's odb, and the chain checks read
 * every object the new commits add anyway (a missing one fails them).
 */
static int index_pack(char *idx, size_t sz, const char *dir, const pl_sync__bundle *b, const char *path)
{
	git_indexer_options io = GIT_INDEXER_OPTIONS_INIT;
	git_indexer_progress stats;
	git_indexer *ix = NULL;
	int grc;

	if ((grc = git_indexer_new(&ix, dir, 0, NULL, &io)) < 0 ||
	    (grc = git_indexer_append(ix, b->pack, b->packlen, &stats)) < 0 ||
	    (grc = git_indexer_commit(ix, &stats)) < 0) {
		const git_error *e = git_error_last();
		int rc = pl_error_set(PL_ECORRUPT, "%s: the commits it carries are damaged (%s)", path,
		                      e && e->message ? e->message : "bad pack");
		git_indexer_free(ix);
		return rc;
	}
	snprintf(idx, sz, "%s/pack-%s.idx", dir, git_indexer_name(ix));
	git_indexer_free(ix);
	return 0;
}

/* Move dir's pack and then its index into the repository's objects/pack. */
static int install_pack(git_repository *repo, const char *idx)
{
	char from[4200], to[4200];
	const char *name = strrchr(idx, '/') + 1;
	size_t base = strlen(name) - 4;

	for (int i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%.*s.%s", (int)strlen(idx) - 4, idx, i ? "idx" : "pack");
		snprintf(to, sizeof(to), "%sobjects/pack/%.*s.%s", git_repository_path(repo), (int)base, name,
		         i ? "idx" : "pack");
		if (rename(from, to))
			return pl_error_from_errno(to);
	}
	return 0;
}

static int land(pl_district_bundle_result *res, git_repository *repo, const pl_sync__bundle *b, const char *path,
                const char *tmpdir)
{
	char refname[PL_NODE_MAX + 24], idx[4200], reflog[128];
	git_reference *ref = NULL, *nref = NULL;
	git_odb *odb = NULL;
	git_odb_backend *be = NULL;
	git_oid cur, *chain = NULL, blob;
	size_t n = 0;
	struct chain c = { repo, path, b->node, 0, { { 0 } } };
	int rc = 0, grc, has_cur;

	pl_sync__node_ref(refname, sizeof(refname), b->node);
	grc = git_reference_lookup(&ref, repo, refname);
	if (grc < 0 && grc != GIT_ENOTFOUND)
		return pl_error_from_git(grc, refname);
	if ((has_cur = grc == 0)) {
		git_oid_cpy(&cur, git_reference_target(ref));
		git_reference_free(ref);
		if ((rc = pl_sync__commit_last_seq(&c.seq, &blob, repo, &cur, b->node, refname)) ||
		    (c.seq && (rc = chain_start(&c, &blob))))
			return rc;
	}
	res->had = res->seq = c.seq;
	git_oid_tostr(res->tip, sizeof(res->tip), has_cur ? &cur : &b->tip);
	/* already here: the tip is the ref's, or one of its ancestors */
	if (has_cur && git_oid_equal(&cur, &b->tip)) {
		res->already = 1;
		return 0;
	}
	if ((grc = git_repository_odb(&odb, repo)) < 0)
		return pl_error_from_git(grc, path);
	if (has_cur && git_odb_exists(odb, &b->tip) && git_graph_descendant_of(repo, &cur, &b->tip) == 1) {
		res->already = 1;
		goto cleanup;
	}
	if (b->has_base && !git_odb_exists(odb, &b->base)) {
		rc = gap(path, &b->base, b->node, c.seq);
		goto cleanup;
	}
	if ((rc = index_pack(idx, sizeof(idx), tmpdir, b, path)))
		goto cleanup;
	if ((grc = git_odb_backend_one_pack(&be, idx)) < 0 || (grc = git_odb_add_backend(odb, be, 0)) < 0) {
		if (be && grc < 0)
			be->free(be);
		rc = pl_error_from_git(grc, path);
		goto cleanup;
	}
	if ((rc = chain_commits(&chain, &n, repo, &b->tip, has_cur ? &cur : NULL, path, b->node, c.seq)))
		goto cleanup;
	for (size_t i = n; i-- > 0 && !rc;)
		rc = check_commit(&c, &chain[i]);
	if (rc)
		goto cleanup;
	if ((rc = install_pack(repo, idx)))
		goto cleanup;
	snprintf(reflog, sizeof(reflog), "plsync-district: bundle, ops %" PRIu64 "..%" PRIu64, res->had + 1, c.seq);
	if (has_cur)
		grc = git_reference_create_matching(&nref, repo, refname, &b->tip, 1, &cur, reflog);
	else
		grc = git_reference_create(&nref, repo, refname, &b->tip, 0, reflog);
	git_reference_free(nref);
	if (grc < 0) {
		rc = pl_error_from_git(grc, "moving the node's ref (did the node push meanwhile? apply again)");
		goto cleanup;
	}
	res->seq = c.seq;
	res->commits = n;
	git_oid_tostr(res->tip, sizeof(res->tip), &b->tip);
cleanup:
	free(chain);
	git_odb_free(odb);
	return rc;
}

int pl_district_bundle_apply(pl_district_bundle_result *res, const char *repo_path, const char *path)
{
	git_repository *repo = NULL;
	pl_sync__bundle b;
	char tmpdir[4200];
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = pl_sync__bundle_read(&b, path)))
		goto cleanup;
	snprintf(res->node, sizeof(res->node), "%s", b.node);
	if (b.version < 2 || !b.packlen) {
		rc = pl_error_set(PL_EINVALID, "%s is an old-format bundle (PLSYNC-BUNDLE %d): it carries the ops of %s "
		                  "but not its commits, so it cannot land in the district repository; have the school "
		                  "make the bundle again with this version of plsync, or apply it to the district's agent",
		                  path, b.version, b.node);
		goto cleanup;
	}
	if ((rc = pl_sync__open_district(&repo, repo_path)))
		goto cleanup;
	snprintf(tmpdir, sizeof(tmpdir), "%splsync-bundle.tmp%ld", git_repository_path(repo), (long)getpid());
	pl_sync__rm_rf(tmpdir);
	if (mkdir(tmpdir, 0700)) {
		rc = pl_error_from_errno(tmpdir);
		goto cleanup;
	}
	rc = land(res, repo, &b, path, tmpdir);
	git_repository_free(repo); /* closes the one-pack backend before its directory goes */
	repo = NULL;
	pl_sync__rm_rf(tmpdir);
cleanup:
	git_repository_free(repo);
	pl_sync__bundle_free(&b);
	return rc;
}
