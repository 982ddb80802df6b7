/*
 * internal.h — shared inside sync/ (not public).
 */
#ifndef PLSYNC_SYNC_INTERNAL_H
#define PLSYNC_SYNC_INTERNAL_H

#include <git2.h>
#include <jansson.h>
#include <zlib.h>

#include "plsync/sync.h"

struct pl_mirror {
	git_repository  *repo;
	git_odb_backend *mempack;  /* owned by the repo's odb; new objects go here */
	char            *path;
};

/* "refs/heads/nodes/<node>" into buf. */
void pl_sync__node_ref(char *buf, size_t sz, const char *node);
/* "ops/<node>/<a>/<b>/<first>-<last>.msgpack" into buf. */
void pl_sync__blob_path(char *buf, size_t sz, const char *node, uint64_t first, uint64_t last);
/* Parse a blob file name "<first>-<last>.msgpack", 12 decimal digits each and
 * nothing else (one name per batch: the one pl_sync__blob_path makes). 0 on
 * success, -1 for anything else. */
int pl_sync__parse_blob_name(uint64_t *first, uint64_t *last, const char *name);
/* Set up remote callbacks (credentials, certificates, progress, push status). */
struct pl_sync__cb {
	const pl_sync_options *opts;
	int    auth_tries;
	char   push_error[512];
	char   auth_error[512];  /* why a callback refused credentials or a host key */
	int    cancelled;
};
void pl_sync__callbacks(git_remote_callbacks *cb, struct pl_sync__cb *state);
/* Remove a file or a directory tree; a missing path is not an error. */
int pl_sync__rm_rf(const char *path);
/* Add a mempack backend (highest priority: new objects go there) to repo. */
int pl_sync__add_mempack(git_odb_backend **out, git_repository *repo);
/*
 * Write `commit` and the objects of its tree that are new (in the mempack,
 * under subtrees that differ from `base`, the parent's tree) to disk as one
 * pack, then empty the mempack.
 */
int pl_sync__flush_mempack(git_repository *repo, git_odb_backend *mempack, const git_oid *commit,
                           const git_tree *base);
/*
 * Write objects `ids` (n of them, all in `mempack`; sorted and made unique
 * in place) to disk as one new pack without deltas (pack.c).
 */
int pl_sync__write_pack(git_repository *repo, git_odb_backend *mempack, git_oid *ids, size_t n);
/*
 * An object hashed and compressed ahead of its pack (on any thread, with
 * that thread's stream from pl_sync__zstream_init); z is malloc'd.
 */
typedef struct pl_sync__zobj {
	git_oid        id;
	git_object_t   type;
	size_t         len;
	unsigned char *z;
	size_t         zlen;
} pl_sync__zobj;
int pl_sync__zstream_init(z_stream *z);
int pl_sync__zobj_make(pl_sync__zobj *o, z_stream *z, git_object_t type, const void *data, size_t len);
/* Write objs (sorted and made unique in place; z of the dropped ones freed)
 * to disk as one new pack; the caller frees the z's left. */
int pl_sync__write_zpack(git_repository *repo, pl_sync__zobj *objs, size_t n);
/* Both at once, in one pack: ids from the mempack and objs compressed. */
int pl_sync__write_pack_with(git_repository *repo, git_odb_backend *mempack, git_oid *ids, size_t n,
                             pl_sync__zobj *objs, size_t nz);
/*
 * The tree of `base` (NULL: empty) with `ups` applied (tree.c): the same
 * tree git_tree_create_updated makes, its new tree objects written to the
 * mempack and listed in *written (malloc'd, n of them) for the pack.
 */
int pl_sync__tree_update(git_oid *out, git_oid **written, size_t *nwritten, git_repository *repo,
                         git_odb_backend *mempack, const git_tree *base, git_tree_update *ups, size_t n);
/*
 * Translate a failed network call into an error with advice: PL_EAUTH
 * (credentials, certificate or host key refused: what to fix), PL_ENOTFOUND
 * (no repository at the URL), PL_ENET (dropped or unreachable: retry), the
 * progress callback's own code when it cancelled, else PL_ERROR.
 */
int pl_sync__net_error(int rc, const struct pl_sync__cb *s, const char *what, const char *url);
/*
 * Keep libgit2 and git from searching deltas between batch blobs (they are
 * distinct ops, deltas gain nothing and cost minutes on 16 MiB blobs): sets
 * core.bigFileThreshold (git) and pack.deltaCacheSize (libgit2 1.5 reads its
 * packbuilder's big-file threshold from that key) to 1 MiB, and bounds the
 * delta window's memory (pack.windowMemory, 64 MiB), in repo's config, each
 * only if unset. The caller must be the repository's only writer.
 */
int pl_sync__tune_repo(git_repository *repo);
/*
 * For a local remote (a path or file:// URL): PL_ENOTFOUND, saying how to
 * create it, unless a git repository is there. 0 for network URLs.
 */
int pl_sync__check_local(const char *url);

/*
 * Open the bare district repository at `path` (merge.c). PL_ENOTFOUND if it
 * is not a git repository, PL_EINVALID if it has no plsync.district config.
 */
int pl_sync__open_district(git_repository **repo, const char *path);
/*
 * The node whose ops node commit `commit` carries: the one directory under
 * its tree's ops/ (merge.c). PL_ENOTFOUND if there is not exactly one.
 */
int pl_sync__node_of(char *out, size_t sz, git_repository *repo, const git_oid *commit);
/*
 * Flatten nested fields into dotted leaf paths -> value (objects are paths,
 * everything else a leaf) into `out` (audit.c; used by audit-verify.c).
 */


/*
 * The files that differ between a node commit's parent tree and its own, in
 * git's order, as git_diff_tree_to_tree would list them, but walking only
 * the subtrees whose ids differ, level by level (both entry lists are
 * sorted): a commit costs what it changes (a few fan-out levels), not the
 * size of ops/<node>/, which a full diff reads whole for every commit.
 * Collects at most ds->max files (ds->over says there were more); a tree
 * nested deeper than 16 levels is listed as a file of mode tree, which no
 * batch name fits. Call with dir "" and depth 0; free ds's paths with
 * pl_sync__deltas_clear (tree.c; used by merge.c and fetch.c).
 */
typedef struct pl_sync__delta {
	char          *path;
	git_delta_t    status;   /* ADDED, DELETED or MODIFIED */
	git_filemode_t mode;     /* the new file's (the old one's if deleted) */
	git_oid        id;
} pl_sync__delta;

typedef struct pl_sync__deltas {
	pl_sync__delta *d;
	size_t          n, cap, max;
	int             over;
} pl_sync__deltas;

/* dir followed by name, malloc'd, with room for one more byte (a '/');
 * NULL when out of memory (tree.c; used by pack.c). */
char *pl_sync__path_join(const char *dir, const char *name);

int pl_sync__tree_delta(pl_sync__deltas *ds, git_repository *repo, const char *dir, git_tree *a, git_tree *b,
                        int depth);
void pl_sync__deltas_clear(pl_sync__deltas *ds);

#endif
