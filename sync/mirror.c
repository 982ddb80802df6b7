/*
 * mirror.c — the agent's own bare git repository, and commits of new ops.
 *
 * Rules kept here: the mirror is the truth for what has been committed (the
 * name of the last batch blob under ops/<node>); a commit holds every op
 * after that, in seq order, in blobs of at most 16 MiB; all objects of a
 * commit go through a mempack and reach disk as one pack before the ref is
 * moved (compare-and-swap on the old tip), so a crash leaves at worst an
 * unreferenced pack. Every commit is signed (SSHSIG, sign.c) with the data
 * dir's key, <dir>/node.key, made on the first commit if the dir has none.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "plsync/errors.h"
#include "plsync/key.h"
#include "plsync/op.h"
#include "layout-int.h"
#include "mirror-int.h"
#include "pack-int.h"
#include "sign-int.h"

#define BATCH_MAX (16u * 1024u * 1024u)
#define MSG_RECORDS_MAX 2000

/*
 * A new mirror is made in "<path>.new-<pid>" and renamed into place, so a
 * kill at any moment leaves no mirror or a whole one, never a half-made one
 * that libgit2 can neither open nor initialise again. Leftovers of killed
 * processes are removed.
 */
static int create_mirror(git_repository **out, const char *path)
{
	git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *repo = NULL;
	char tmp[4096], *slash, *parent = NULL;
	const char *base;
	DIR *d;
	struct dirent *e;
	int grc;

	if (!(parent = strdup(path)))
		return pl_error_set(PL_ERROR, "out of memory");
	slash = strrchr(parent, '/');
	base = slash ? slash + 1 : parent;
	if (slash)
		*slash = '\0';
	if ((d = opendir(slash ? (*parent ? parent : "/") : "."))) {
		size_t bl = strlen(base);
		while ((e = readdir(d))) {
			long pid;
			char *end;
			if (strncmp(e->d_name, base, bl) || strncmp(e->d_name + bl, ".new-", 5))
				continue;
			pid = strtol(e->d_name + bl + 5, &end, 10);
			if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
				continue; /* not ours, or its maker still runs */
			snprintf(tmp, sizeof(tmp), "%s/%s", slash ? (*parent ? parent : "") : ".", e->d_name);
			pl_sync__rm_rf(tmp);
		}
		closedir(d);
	}
	free(parent);
	snprintf(tmp, sizeof(tmp), "%s.new-%ld", path, (long)getpid());
	pl_sync__rm_rf(tmp);
	io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
	io.initial_head = "nodes/HEAD";
	if ((grc = git_repository_init_ext(&repo, tmp, &io)) < 0) {
		int rc = pl_error_from_git(grc, tmp);
		pl_sync__rm_rf(tmp);
		return rc;
	}
	git_repository_free(repo);
	if (rename(tmp, path)) {
		int err = errno;
		pl_sync__rm_rf(tmp);
		if (err != EEXIST && err != ENOTEMPTY) { /* else another process made it first */
			errno = err;
			return pl_error_from_errno(path);
		}
	}
	if ((grc = git_repository_open_bare(out, path)) < 0)
		return pl_error_from_git(grc, path);
	return 0;
}

int pl_mirror_open(pl_mirror **out, const char *dir)
{
	pl_mirror *m = calloc(1, sizeof(*m));
	size_t n = strlen(dir) + 8;
	int rc;

	*out = NULL;
	if (!m || !(m->path = malloc(n))) {
		free(m);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	snprintf(m->path, n, "%s/git", dir);
	rc = git_repository_open_bare(&m->repo, m->path);
	if (rc == GIT_ENOTFOUND && access(m->path, F_OK) == 0) {
		pl_error_set(PL_ECORRUPT, "%s exists but is not a git repository: move it away", m->path);
		rc = pl_error_hint(PL_HINT_NEW_MIRROR, NULL);
		pl_mirror_free(m);
		return rc;
	}
	if (rc == GIT_ENOTFOUND) {
		if ((rc = create_mirror(&m->repo, m->path))) {
			pl_mirror_free(m);
			return rc;
		}
	} else if (rc < 0) {
		rc = pl_error_from_git(rc, m->path);
		pl_mirror_free(m);
		return rc;
	}
	if ((rc = pl_sync__add_mempack(&m->mempack, m->repo))) {
		pl_mirror_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void pl_mirror_free(pl_mirror *m)
{
	if (!m)
		return;
	git_repository_free(m->repo);
	free(m->path);
	free(m);
}

/* The last entry (bytewise) of a tree that names a tree / blob. */
static const git_tree_entry *last_entry(const git_tree *t, git_object_t type)
{
	size_t n = git_tree_entrycount(t);
	while (n--) {
		const git_tree_entry *e = git_tree_entry_byindex(t, n);
		if (git_tree_entry_type(e) == type)
			return e;
	}
	return NULL;
}

int pl_sync__commit_last_seq(uint64_t *seq, git_oid *blob, git_repository *repo, const git_oid *commit,
                             const char *node, const char *what)
{
	git_commit *c = NULL;
	git_tree *root = NULL, *t = NULL;
	git_tree_entry *e = NULL;
	char path[PL_NODE_MAX + 8];
	int rc = 0, grc;

	*seq = 0;
	if ((grc = git_commit_lookup(&c, repo, commit)) < 0 || (grc = git_commit_tree(&root, c)) < 0) {
		rc = pl_error_from_git(grc, what);
		goto cleanup;
	}
	snprintf(path, sizeof(path), "ops/%s", node);
	if ((grc = git_tree_entry_bypath(&e, root, path)) == GIT_ENOTFOUND)
		goto cleanup;
	if (grc < 0 || (grc = git_tree_lookup(&t, repo, git_tree_entry_id(e))) < 0) {
		rc = pl_error_from_git(grc, path);
		goto cleanup;
	}
	/* ops/<node>/<a>/<b>/<blob>: descend by the last name at each level */
	for (int level = 0; level < 3; level++) {
		const git_tree_entry *le = last_entry(t, level < 2 ? GIT_OBJECT_TREE : GIT_OBJECT_BLOB);
		git_tree *next = NULL;
		uint64_t first, last;

		if (!le) {
			rc = pl_error_set(PL_ECORRUPT, "%s: %s has an empty or malformed ops tree", what, path);
			goto cleanup;
		}
		if (level == 2) {
			if (pl_sync__parse_blob_name(&first, &last, git_tree_entry_name(le))) {
				rc = pl_error_set(PL_ECORRUPT, "%s: unexpected file '%s' under %s", what,
				                  git_tree_entry_name(le), path);
				goto cleanup;
			}
			*seq = last;
			if (blob)
				git_oid_cpy(blob, git_tree_entry_id(le));
			break;
		}
		if ((grc = git_tree_lookup(&next, repo, git_tree_entry_id(le))) < 0) {
			rc = pl_error_from_git(grc, path);
			goto cleanup;
		}
		git_tree_free(t);
		t = next;
	}
cleanup:
	git_tree_entry_free(e);
	git_tree_free(t);
	git_tree_free(root);
	git_commit_free(c);
	return rc;
}

int pl_mirror_last_seq(uint64_t *seq, pl_mirror *m, const char *ref, const char *node)
{
	git_reference *r = NULL;
	int rc, grc;

	*seq = 0;
	if ((grc = git_reference_lookup(&r, m->repo, ref)) == GIT_ENOTFOUND)
		return 0;
	if (grc < 0)
		return pl_error_from_git(grc, ref);
	rc = pl_sync__commit_last_seq(seq, NULL, m->repo, git_reference_target(r), node, ref);
	git_reference_free(r);
	return rc;
}

/* ---- building a commit ---- */

struct batch {
	git_repository *repo;
	const char     *node;
	unsigned char  *buf;
	size_t          len, cap;
	uint64_t        first, last;
	git_tree_update *updates;
	size_t          nupdates, capupdates;
	char          **paths;
	json_t         *records;   /* "kind id" -> op type seen */
	json_t         *order;     /* record keys in first-touched order */
	int             rc;
};

static int flush_batch(struct batch *b)
{
	git_oid oid;
	char path[256];
	int grc;

	if (!b->len)
		return 0;
	if ((grc = git_blob_create_from_buffer(&oid, b->repo, b->buf, b->len)) < 0)
		return pl_error_from_git(grc, "writing a batch blob");
	if (b->nupdates == b->capupdates) {
		size_t cap = b->capupdates ? b->capupdates * 2 : 8;
		git_tree_update *nu = realloc(b->updates, cap * sizeof(*nu));
		char **np;
		if (!nu)
			return pl_error_set(PL_ERROR, "out of memory");
		b->updates = nu;
		if (!(np = realloc(b->paths, cap * sizeof(*np))))
			return pl_error_set(PL_ERROR, "out of memory");
		b->paths = np;
		b->capupdates = cap;
	}
	pl_sync__blob_path(path, sizeof(path), b->node, b->first, b->last);
	if (!(b->paths[b->nupdates] = strdup(path)))
		return pl_error_set(PL_ERROR, "out of memory");
	memset(&b->updates[b->nupdates], 0, sizeof(git_tree_update));
	b->updates[b->nupdates].action = GIT_TREE_UPDATE_UPSERT;
	b->updates[b->nupdates].id = oid;
	b->updates[b->nupdates].filemode = GIT_FILEMODE_BLOB;
	b->updates[b->nupdates].path = b->paths[b->nupdates];
	b->nupdates++;
	b->len = 0;
	b->first = b->last = 0;
	return 0;
}

static int add_op(uint64_t seq, const void *bytes, size_t len, void *payload)
{
	struct batch *b = payload;
	char key[128], kind[33], rec[PL_ID_MAX + 1];
	int rc, type;

	if (b->len && b->len + len > BATCH_MAX && (rc = flush_batch(b)))
		return rc;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		unsigned char *nb;
		while (cap < b->len + len)
			cap *= 2;
		if (!(nb = realloc(b->buf, cap)))
			return pl_error_set(PL_ERROR, "out of memory");
		b->buf = nb;
		b->cap = cap;
	}
	if (!b->len)
		b->first = seq;
	b->last = seq;
	memcpy(b->buf + b->len, bytes, len);
	b->len += len;
	if (json_object_size(b->records) > MSG_RECORDS_MAX)
		return 0; /* the message lists the first records only */
	if ((rc = pl_op_peek(&type, kind, rec, bytes, len)))
		return pl_error_prefix("op %s/%" PRIu64 " in the store", b->node, seq);
	snprintf(key, sizeof(key), "%s %s %s", type == PL_OP_PUT ? "put" : "del", kind, rec);
	{
		char rk[120];
		snprintf(rk, sizeof(rk), "%s %s", kind, rec);
		json_t *seen = json_object_get(b->records, rk);
		if (!seen) {
			json_object_set_new(b->records, rk, json_string(key));
			json_array_append_new(b->order, json_string(rk));
		} else if (type == PL_OP_DEL) {
			json_object_set_new(b->records, rk, json_string(key));
		}
	}
	return 0;
}

static char *commit_message(const struct batch *b, const char *node, uint64_t from, uint64_t to)
{
	size_t n = json_array_size(b->order), cap = 256 + (n + 1) * (4 + 33 + PL_ID_MAX + 2), off = 0;
	char *msg = malloc(cap);

	if (!msg)
		return NULL;
	off += snprintf(msg + off, cap - off, "%s: %" PRIu64 " op%s (seq %" PRIu64 "..%" PRIu64 "), %zu record%s\n\n",
	                node, to - from + 1, to == from ? "" : "s", from, to, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < MSG_RECORDS_MAX && off < cap; i++) {
		const char *rk = json_string_value(json_array_get(b->order, i));
		off += snprintf(msg + off, cap - off, "%s\n",
		                json_string_value(json_object_get(b->records, rk)));
	}
	if (n > MSG_RECORDS_MAX && off < cap)
		snprintf(msg + off, cap - off, "... and more records\n");
	return msg;
}

int pl_mirror_commit(uint64_t *from, uint64_t *to, pl_mirror *m, pl_store *st,
                     const pl_sync_options *opts)
{
	const char *node = pl_store_node(st);
	struct batch b = { 0 };
	git_odb_backend *mempack = NULL;
	git_reference *ref = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id, commit_id;
	char refname[PL_NODE_MAX + 24], *msg = NULL;
	uint64_t committed, seq;
	pl_oid last_id;
	pl_key key = { 0 };
	int rc = 0, grc;

	*from = *to = 0;
	pl_sync__node_ref(refname, sizeof(refname), node);
	if ((rc = pl_mirror_last_seq(&committed, m, refname, node)) ||
	    (rc = pl_store_node_seq(&seq, &last_id, st, node)))
		return rc;
	if (committed > seq)
		return pl_error_set(PL_ECORRUPT, "the mirror has ops up to seq %" PRIu64 " but the store only %" PRIu64
		                    "; was the data dir restored from an old backup?", committed, seq);
	if (committed == seq)
		return 0;

	mempack = m->mempack;
	git_mempack_reset(mempack);
	grc = git_reference_lookup(&ref, m->repo, refname);
	if (grc == 0) {
		if ((grc = git_commit_lookup(&parent, m->repo, git_reference_target(ref))) < 0 ||
		    (grc = git_commit_tree(&base, parent)) < 0) {
			rc = pl_error_from_git(grc, refname);
			goto cleanup;
		}
	} else if (grc != GIT_ENOTFOUND) {
		rc = pl_error_from_git(grc, refname);
		goto cleanup;
	}

	b.repo = m->repo;
	b.node = node;
	b.records = json_object();
	b.order = json_array();
	if ((rc = pl_store_ops_range(st, node, committed + 1, seq, add_op, &b)) || (rc = flush_batch(&b)))
		goto cleanup;
	if ((grc = git_tree_create_updated(&tree_id, m->repo, base, b.nupdates, b.updates)) < 0 ||
	    (grc = git_tree_lookup(&tree, m->repo, &tree_id)) < 0) {
		rc = pl_error_from_git(grc, "building the commit tree");
		goto cleanup;
	}
	grc = git_signature_now(&sig, opts && opts->user_name ? opts->user_name : node,
	                        opts && opts->user_email ? opts->user_email : "plsync@localhost");
	if (grc < 0) {
		rc = pl_error_from_git(grc, "the commit author (set user.name and user.email)");
		goto cleanup;
	}
	if (!(msg = commit_message(&b, node, committed + 1, seq))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	{
		/* signed with the data dir's key (made here if it has none: a store made before signing) */
		const git_commit *parents[1] = { parent };
		size_t dl = strlen(m->path) - strlen("/git");
		char dir[4096];
		snprintf(dir, sizeof(dir), "%.*s", (int)dl, m->path);
		if ((rc = pl_key_ensure(&key, NULL, dir, node)) ||
		    (rc = pl_sync__commit_signed(&commit_id, m->repo, &key, sig, sig, msg, tree, parent ? 1 : 0, parents)))
			goto cleanup;
	}
	/* every new object is in the mempack: write it to disk as one pack */
	if ((rc = pl_sync__flush_mempack(m->repo, mempack, &commit_id, base)))
		goto cleanup;
	git_mempack_reset(mempack);
	{
		git_reference *nref = NULL;
		char reflog[128];
		snprintf(reflog, sizeof(reflog), "plsync: ops %" PRIu64 "..%" PRIu64, committed + 1, seq);
		if (parent)
			grc = git_reference_create_matching(&nref, m->repo, refname, &commit_id, 1,
			                                    git_commit_id(parent), reflog);
		else
			grc = git_reference_create(&nref, m->repo, refname, &commit_id, 0, reflog);
		git_reference_free(nref);
		if (grc < 0) {
			rc = pl_error_from_git(grc, "moving the node ref (another sync running?)");
			goto cleanup;
		}
	}
	*from = committed + 1;
	*to = seq;

cleanup:
	pl_key_clear(&key);
	free(msg);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	git_reference_free(ref);
	git_mempack_reset(mempack);
	for (size_t i = 0; i < b.nupdates; i++)
		free(b.paths[i]);
	free(b.paths);
	free(b.updates);
	free(b.buf);
	json_decref(b.records);
	json_decref(b.order);
	return rc;
}
