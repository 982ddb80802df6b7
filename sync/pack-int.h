/*
 * pack-int.h — new objects to disk as one pack (pack.c; private to sync/):
 * the mempack that holds them until then, objects compressed ahead of their
 * pack, and the pack writers.
 */
#ifndef PLSYNC_SYNC_PACK_INT_H
#define PLSYNC_SYNC_PACK_INT_H

#include <git2.h>
#include <zlib.h>

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
 * in place) to disk as one new pack without deltas.
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

#endif
