/*
 * tree.c — a new tree from a base tree and path updates, its new tree
 * objects written to the mempack.
 *
 * Rules kept here:
 *  - The same tree as git_tree_create_updated gives for the same base and
 *    updates (git's entry order, a directory left empty is dropped, the last
 *    of two updates of one path wins), bit for bit: only the directories on
 *    an updated path are read and rewritten, so the work grows with the
 *    updates, not with the tree.
 *  - No existence check of the objects named: the caller wrote them (the
 *    merge's state files, its node's batch blobs) before it builds.
 *  - The ids of the trees written are listed for the pack (no walk after).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

#include "plsync/errors.h"
#include "tree-int.h"

struct ent {
	const char *name;
	size_t      nlen;
	unsigned    mode;
	git_oid     id;
	int         gone;
};

struct build {
	git_repository   *repo;
	git_odb_backend  *mempack;
	git_tree_update **ups;      /* sorted by path */
	git_oid          *written;
	size_t            nwritten, capwritten;
	unsigned char    *buf;      /* a tree's serialisation */
	size_t            bufcap;
};

/* git's order: names bytewise, a tree's as if it ended in '/'. */
static int ent_cmp(const void *pa, const void *pb)
{
	const struct ent *a = pa, *b = pb;
	size_t n = a->nlen < b->nlen ? a->nlen : b->nlen;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c)
		return c;
	ca = a->nlen > n ? (unsigned char)a->name[n] : (a->mode == GIT_FILEMODE_TREE ? '/' : 0);
	cb = b->nlen > n ? (unsigned char)b->name[n] : (b->mode == GIT_FILEMODE_TREE ? '/' : 0);
	return (int)ca - (int)cb;
}

static int ups_cmp(const void *pa, const void *pb)
{
	const git_tree_update *a = *(git_tree_update *const *)pa, *b = *(git_tree_update *const *)pb;
	int c = strcmp(a->path, b->path);
	/* equal paths keep their order (the last wins) */
	return c ? c : (a > b) - (a < b);
}

/*
 * A directory's entries by name: an open-addressing table of indexes + 1,
 * sized for every entry the directory can reach (its base's and one per
 * update), so it never grows. A merge touching k of a flat directory's N
 * entries (conflicts/) costs O(N + k), not O(N k).
 */
struct dir {
	struct ent *e;
	size_t      n, cap;
	size_t     *ht;
	size_t      mask;
};

static size_t name_hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The entry named so (gone or not), or NULL. */
static struct ent *ent_find(struct dir *d, const char *name, size_t nlen)
{
	for (size_t i = name_hash(name, nlen) & d->mask; d->ht[i]; i = (i + 1) & d->mask) {
		struct ent *x = &d->e[d->ht[i] - 1];
		if (x->nlen == nlen && !memcmp(x->name, name, nlen))
			return x;
	}
	return NULL;
}

static void ent_set(struct dir *d, const char *name, size_t nlen, unsigned mode, const git_oid *id)
{
	struct ent *x = ent_find(d, name, nlen);

	if (!x) {
		size_t i = name_hash(name, nlen) & d->mask;
		while (d->ht[i])
			i = (i + 1) & d->mask;
		x = &d->e[d->n++]; /* room for it: the table and array were sized for it */
		d->ht[i] = d->n;
		x->name = name;
		x->nlen = nlen;
	}
	x->gone = 0;
	x->mode = mode;
	git_oid_cpy(&x->id, id);
}

static void ent_remove(struct dir *d, const char *name, size_t nlen)
{
	struct ent *x = ent_find(d, name, nlen);
	if (x)
		x->gone = 1;
}

/* Serialise, hash and store the tree of entries e (sorted, none gone). */
static int write_tree(struct build *b, git_oid *out, const struct ent *e, size_t n)
{
	size_t len = 0;
	int grc;

	for (size_t i = 0; i < n; i++) {
		char mode[16];
		int ml = snprintf(mode, sizeof(mode), "%o", e[i].mode);
		size_t need = len + (size_t)ml + 1 + e[i].nlen + 1 + GIT_OID_RAWSZ;
		if (need > b->bufcap) {
			size_t nc = b->bufcap ? b->bufcap : 4096;
			unsigned char *nb;
			while (nc < need)
				nc *= 2;
			if (!(nb = realloc(b->buf, nc)))
				return pl_error_set(PL_ERROR, "out of memory");
			b->buf = nb;
			b->bufcap = nc;
		}
		memcpy(b->buf + len, mode, (size_t)ml);
		len += (size_t)ml;
		b->buf[len++] = ' ';
		memcpy(b->buf + len, e[i].name, e[i].nlen);
		len += e[i].nlen;
		b->buf[len++] = '\0';
		memcpy(b->buf + len, e[i].id.id, GIT_OID_RAWSZ);
		len += GIT_OID_RAWSZ;
	}
	if ((grc = git_odb_hash(out, b->buf, len, GIT_OBJECT_TREE)) < 0 ||
	    (grc = b->mempack->write(b->mempack, out, b->buf, len, GIT_OBJECT_TREE)) < 0)
		return pl_error_from_git(grc, "writing a tree");
	if (b->nwritten == b->capwritten) {
		size_t nc = b->capwritten ? b->capwritten * 2 : 1024;
		git_oid *nw = realloc(b->written, nc * sizeof(*nw));
		if (!nw)
			return pl_error_set(PL_ERROR, "out of memory");
		b->written = nw;
		b->capwritten = nc;
	}
	git_oid_cpy(&b->written[b->nwritten++], out);
	return 0;
}

/*
 * The directory `base` (NULL: none) with updates ups[lo..hi), whose paths
 * continue at byte `off`: its new id in *out, or *empty when nothing is left.
 */
static int build_dir(struct build *b, const git_tree *base, size_t lo, size_t hi, size_t off, git_oid *out,
                     int *empty)
{
	struct dir d = { NULL, 0, 0, NULL, 0 };
	size_t nb = base ? git_tree_entrycount(base) : 0, i = lo, k = 0, tsize = 16;
	int rc = 0;

	*empty = 0;
	d.cap = nb + (hi - lo);
	while (tsize < 2 * d.cap)
		tsize *= 2;
	d.mask = tsize - 1;
	if (!(d.e = malloc((d.cap ? d.cap : 1) * sizeof(*d.e))) || !(d.ht = calloc(tsize, sizeof(*d.ht)))) {
		free(d.e);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	for (size_t j = 0; j < nb; j++) {
		const git_tree_entry *te = git_tree_entry_byindex(base, j);
		const char *name = git_tree_entry_name(te);
		ent_set(&d, name, strlen(name), git_tree_entry_filemode(te), git_tree_entry_id(te));
	}
	while (i < hi && !rc) {
		const char *rel = b->ups[i]->path + off, *slash = strchr(rel, '/');

		if (!slash) {
			size_t nlen = strlen(rel);
			if (b->ups[i]->action == GIT_TREE_UPDATE_REMOVE)
				ent_remove(&d, rel, nlen);
			else
				ent_set(&d, rel, nlen, b->ups[i]->filemode, &b->ups[i]->id);
			i++;
			continue;
		}
		{
			size_t clen = (size_t)(slash - rel), j = i;
			struct ent *cur;
			git_tree *sub = NULL;
			git_oid id;
			int sub_empty = 0, grc;

			while (j < hi && !strncmp(b->ups[j]->path + off, rel, clen + 1))
				j++;
			cur = ent_find(&d, rel, clen);
			if (cur && !cur->gone && cur->mode == GIT_FILEMODE_TREE &&
			    (grc = git_tree_lookup(&sub, b->repo, &cur->id)) < 0) {
				rc = pl_error_from_git(grc, "reading a tree");
				break;
			}
			rc = build_dir(b, sub, i, j, off + clen + 1, &id, &sub_empty);
			git_tree_free(sub);
			if (!rc && sub_empty)
				ent_remove(&d, rel, clen);
			else if (!rc)
				ent_set(&d, rel, clen, GIT_FILEMODE_TREE, &id);
			i = j;
		}
	}
	if (!rc) {
		for (size_t j = 0; j < d.n; j++)
			if (!d.e[j].gone)
				d.e[k++] = d.e[j];
		if (k == 0)
			*empty = 1;
		else {
			qsort(d.e, k, sizeof(*d.e), ent_cmp);
			rc = write_tree(b, out, d.e, k);
		}
	}
	free(d.ht);
	free(d.e);
	return rc;
}

int pl_sync__tree_update(git_oid *out, git_oid **written, size_t *nwritten, git_repository *repo,
                         git_odb_backend *mempack, const git_tree *base, git_tree_update *ups, size_t n)
{
	struct build b;
	int empty = 0, rc;

	memset(&b, 0, sizeof(b));
	*written = NULL;
	*nwritten = 0;
	b.repo = repo;
	b.mempack = mempack;
	if (n && !(b.ups = malloc(n * sizeof(*b.ups))))
		return pl_error_set(PL_ERROR, "out of memory");
	for (size_t i = 0; i < n; i++)
		b.ups[i] = &ups[i];
	if (n)
		qsort(b.ups, n, sizeof(*b.ups), ups_cmp);
	rc = build_dir(&b, base, 0, n, 0, out, &empty);
	if (!rc && empty) {
		/* the empty tree */
		rc = write_tree(&b, out, NULL, 0);
	}
	free(b.ups);
	free(b.buf);
	if (rc) {
		free(b.written);
		return rc;
	}
	*written = b.written;
	*nwritten = b.nwritten;
	return 0;
}

/* ---- what a commit changed ---- */

#define DELTA_DEPTH 16


int pl_sync__commit_delta(pl_sync__deltas *ds, git_repository *repo, const git_oid *id, const char *hex,
                          int linear)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	int rc = 0, grc;

	if ((grc = git_commit_lookup(&c, repo, id)) < 0 || (grc = git_commit_tree(&tree, c)) < 0) {
		rc = pl_error_from_git(grc, hex);
		goto cleanup;
	}
	if (linear && git_commit_parentcount(c) > 1) {
		rc = pl_error_set(PL_ECORRUPT, "commit is a merge: node history must be linear");
		goto cleanup;
	}
	if (git_commit_parentcount(c) > 0 &&
	    ((grc = git_commit_parent(&parent, c, 0)) < 0 || (grc = git_commit_tree(&ptree, parent)) < 0)) {
		rc = pl_error_from_git(grc, hex);
		goto cleanup;
	}
	rc = pl_sync__tree_delta(ds, repo, "", ptree, tree, 0);
cleanup:
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(c);
	return rc;
}

void pl_sync__deltas_clear(pl_sync__deltas *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->d[i].path);
	free(ds->d);
	ds->d = NULL;
	ds->n = ds->cap = 0;
	ds->over = 0;
}

char *pl_sync__path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2); /* and room for a '/' after it */

	if (p) {
		memcpy(p, dir, a);
		memcpy(p + a, name, b + 1);
	}
	return p;
}

static int deltas_add(pl_sync__deltas *ds, const char *dir, const git_tree_entry *e, git_delta_t status)
{
	if (ds->n >= ds->max) {
		ds->over = 1;
		return 0;
	}
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 16;
		pl_sync__delta *nd = realloc(ds->d, cap * sizeof(*nd));
		if (!nd)
			return pl_error_set(PL_ERROR, "out of memory");
		ds->d = nd;
		ds->cap = cap;
	}
	if (!(ds->d[ds->n].path = pl_sync__path_join(dir, git_tree_entry_name(e))))
		return pl_error_set(PL_ERROR, "out of memory");
	ds->d[ds->n].status = status;
	ds->d[ds->n].mode = git_tree_entry_filemode(e);
	git_oid_cpy(&ds->d[ds->n].id, git_tree_entry_id(e));
	ds->n++;
	return 0;
}


/* Entry ea of a and/or eb of b (NULL: absent), of the same name, into ds. */
static int entry_delta(pl_sync__deltas *ds, git_repository *repo, const char *dir, const git_tree_entry *ea,
                       const git_tree_entry *eb, int depth)
{
	const git_tree_entry *e = eb ? eb : ea;
	git_tree *ta = NULL, *tb = NULL;
	char *sub = NULL;
	int rc = 0, grc;

	if (ea && eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
	    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
		return 0;
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE || depth >= DELTA_DEPTH)
		return deltas_add(ds, dir, e, !ea ? GIT_DELTA_ADDED : !eb ? GIT_DELTA_DELETED : GIT_DELTA_MODIFIED);
	if (!(sub = pl_sync__path_join(dir, git_tree_entry_name(e))))
		return pl_error_set(PL_ERROR, "out of memory");
	strcat(sub, "/"); /* pl_sync__path_join leaves room for it */
	if ((ea && (grc = git_tree_lookup(&ta, repo, git_tree_entry_id(ea))) < 0) ||
	    (eb && (grc = git_tree_lookup(&tb, repo, git_tree_entry_id(eb))) < 0))
		rc = pl_error_from_git(grc, sub);
	else
		rc = pl_sync__tree_delta(ds, repo, sub, ta, tb, depth + 1);
	git_tree_free(ta);
	git_tree_free(tb);
	free(sub);
	return rc;
}

int pl_sync__tree_delta(pl_sync__deltas *ds, git_repository *repo, const char *dir, git_tree *a, git_tree *b, int depth)
{
	size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0, i = 0, j = 0;
	int rc = 0;

	while ((i < na || j < nb) && !rc && !ds->over) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int c = !ea ? 1 : !eb ? -1 : git_tree_entry_cmp(ea, eb);

		rc = entry_delta(ds, repo, dir, c <= 0 ? ea : NULL, c >= 0 ? eb : NULL, depth);
		i += c <= 0;
		j += c >= 0;
	}
	return rc;
}

int pl_sync__tree_entry_id(git_oid *out, git_tree *t, const char *path)
{
	git_tree_entry *e = NULL;
	int found = t && git_tree_entry_bypath(&e, t, path) == 0;
	if (found)
		*out = *git_tree_entry_id(e);
	git_tree_entry_free(e);
	return found;
}

int pl_sync__subtree(git_tree **out, git_repository *repo, git_tree *t, const char *path)
{
	git_tree_entry *e = NULL;
	int rc = -1;

	*out = NULL;
	if (t && git_tree_entry_bypath(&e, t, path) == 0 && git_tree_entry_type(e) == GIT_OBJECT_TREE)
		rc = git_tree_lookup(out, repo, git_tree_entry_id(e)) < 0 ? -1 : 0;
	git_tree_entry_free(e);
	return rc;
}
