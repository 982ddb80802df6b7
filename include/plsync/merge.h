/*
 * plsync/merge.h — the district merge (docs/design.md, "District merge and audit").
 *
 * Reads every refs/heads/nodes/<node> of the district repository, verifies
 * each node's range since its last merged tip (fast-forward, node and seq,
 * hash chain, ids, msgpack, schema, ownership, size limits), quarantines a
 * range that fails (a finding; nothing deleted; other nodes still merge) and
 * makes one merge commit on refs/heads/main whose parents are the old main
 * and the merged node tips (on the first merge, the old main is a new
 * parentless commit with the empty tree: parents 1.. of every commit on
 * main's first-parent chain are node tips, parent 0 is never one). Its tree holds every merged ops/ blob, the
 * consolidated records in state/ and the open conflicts in conflicts/.
 *
 * State files are state/<kind>/<h1>/<h2>/<id>.json where h1h2 are the first
 * four hex digits of `printf %s ID | git hash-object --stdin`: a fan-out so
 * that no tree grows with the district's history (docs/design.md's flat
 * state/<kind>/<id>.json would make every merge rewrite one huge tree).
 *
 * A cache (a plsync store in <repo>/plsync-cache) makes a merge cost
 * O(new ops); it is rebuilt from git whenever it does not match main, and
 * gives the same trees.
 */
#ifndef PLSYNC_MERGE_H
#define PLSYNC_MERGE_H

#include <jansson.h>

#include "plsync/op.h"

typedef struct pl_merge_options {
	unsigned int version;
	int          rebuild_cache;   /* rebuild the cache from git first */
	const char  *name;            /* merge commit author; default "plsync-district" */
	const char  *email;
	size_t       max_blobs;       /* batch blobs per node commit (10000) */
	pl_op_limits limits;
	int          wait_secs;       /* another merge holds the lock: wait for it up
	                                 to this many seconds (-1, the default: as
	                                 long as it runs; 0: refuse at once) */
} pl_merge_options;
#define PL_MERGE_OPTIONS_VERSION 1
#define PL_MERGE_OPTIONS_INIT { PL_MERGE_OPTIONS_VERSION, 0, NULL, NULL, 10000, PL_OP_LIMITS_INIT, -1 }

typedef struct pl_merge_result {
	int     committed;    /* 1 if a merge commit was made */
	char    main[41];     /* main's tip afterwards ("" if none) */
	char    tree[41];     /* its tree */
	size_t  ops;          /* ops merged */
	size_t  records;      /* state files written or removed */
	size_t  conflicts;    /* conflict files written (records of this merge) */
	size_t  open_conflicts; /* files in main's conflicts/ afterwards: the
	                           records with an open conflict, as status counts */
	int     rebuilt;      /* the cache was rebuilt */
	json_t *merged;       /* [{node, from, to, tip}] */
	json_t *findings;     /* [{node, commit, seq, reason}] quarantined ranges */
	json_t *reported;     /* [{type, node, seq, op, rec, reason, ...}] merged but
	                         reported: "clock_ahead" (+ skew_ms, time: more than
	                         a day ahead of the merge's clock), "dangling_base"
	                         (+ missing: a base id no merged op has) */
	double  secs[6];      /* seconds per phase, indexed by PL_MERGE_T_* */
	int     lock_cleared; /* a stale refs/heads/main.lock was removed */
	long    lock_age;     /* its age in seconds */
	int     main_refused; /* main is not the one the merges made: the error
	                         names the commit (pl_merge_reset goes back) */
	json_t *unenrolled;   /* [node] merged with no key enrolled for them:
	                         their signatures were not checked (plsync/key.h) */
} pl_merge_result;

/* The phases of a merge, for pl_merge_result.secs. */
enum { PL_MERGE_T_CACHE, PL_MERGE_T_VERIFY, PL_MERGE_T_STATE, PL_MERGE_T_TREE, PL_MERGE_T_PACK,
       PL_MERGE_T_COMMIT };

void pl_merge_result_clear(pl_merge_result *r);

/*
 * Merge the district repository at `repo` (a path to the bare repository).
 *
 * One merge at a time: the whole merge holds an flock on
 * <repo>/plsync-merge.lock, which the kernel drops when the process ends,
 * however it ends (a killed merge leaves no stale lock). A second merge waits
 * for it (opts->wait_secs; default: as long as it runs) or gives
 * PL_ECONFLICT "another merge of REPO is running (pid N since TIME)". The
 * file's text names the holder for that message only.
 *
 * Holding the lock, a refs/heads/main.lock (git's lock of the main ref) that
 * is at least 10 seconds old (waited for if younger) is one a dead merge left (only
 * merges write main, and no other merge is running): it is removed and
 * res->lock_cleared/lock_age say so.
 *
 * Every merge records the commit it moved main to in <repo>/plsync-last-merge
 * (beside the cache, written atomically). A main that no longer contains
 * that merge (moved back or replaced by hand), or that has commits on top
 * of it that no merge made (a hand commit), is refused before anything is
 * written: PL_ECORRUPT naming the commit and what is wrong, and
 * res->main_refused. Without the file (a repository merged before it was
 * kept) only main's tip is checked: a commit with one parent is no merge.
 *
 * Errors: PL_ENOTFOUND/PL_EINVALID if it is not a plsync district repository;
 * PL_ECORRUPT if main was tampered with (above); PL_ECONFLICT if another merge holds the lock past opts->wait_secs, or if
 * main was written during the merge by something other than a merge
 * (nothing is lost: merge again). A quarantined node is not an error: it is
 * in res->findings.
 */
int pl_merge(pl_merge_result *res, const char *repo, const pl_merge_options *opts);

/*
 * The one way back: move main of `repo` to `rev`, a merge this repository
 * made (on the first-parent history of the last merge), and record it: the
 * last merge becomes rev, and a line "<UTC time> main <old> -> <rev> (last
 * merge was <hex>): <reason>" is appended to <repo>/plsync-resets.log.
 * Also how a district keeps a main moved back by hand (rev = that main).
 * Holds the merge lock; the next merge rebuilds its cache from the new main
 * and merges every node's ops after it again. old_main gets main before
 * ("" if none). Errors: PL_ENOTFOUND (no such commit, nothing merged yet),
 * PL_EUSAGE (rev is not one of the merges), those of pl_merge.
 */
int pl_merge_reset(char old_main[41], const char *repo, const char *rev, const char *reason);

/*
 * Per node: last push (time, seq), last merged seq, lag, quarantine findings,
 * and the open conflicts: {"nodes": {...}, "conflicts": n, "main": hex}.
 * Reads the cache as pl_merge_cache_open does (waiting for a running merge).
 */
int pl_merge_status(json_t **out, const char *repo);

/* "state/<kind>/<h1>/<h2>/<id>.json" into buf. */
int pl_merge_state_path(char *buf, size_t sz, const char *kind, const char *id);

struct pl_store;
struct pl_record;

/*
 * A record's state file as the merge writes it: the current fields at the
 * top level plus "_id", "_kind", "_owner" and "_updated" (RFC 3339 UTC of
 * the last op), to be written with pl_json_canonical(). The caller
 * json_decref()s it; NULL only when out of memory. Everything that checks
 * or shows a state file (plsync-audit) renders it here, never by hand.
 */
json_t *pl_merge_state_json(const struct pl_record *r);

/*
 * The conflicts/<id>.json file of record `r` in store `st`:
 * {"id", "kind", "fields": pl_store_conflicts()}, into *out; *out is NULL
 * when the record has no open conflict (or is deleted). Errors: those of
 * pl_store_conflicts.
 */
int pl_merge_conflicts_json(json_t **out, struct pl_store *st, const struct pl_record *r);

/*
 * The node code of the cache store. It can never be a node's: the merge
 * ignores a refs/heads/nodes/ ref of that name.
 */
#define PL_MERGE_CACHE_NODE "DISTRICT-MERGE"

/*
 * Open the cache of `repo` for tools (plsync-audit): a plsync store holding
 * every op merged into main, its recops index (pl_store_log by record) and
 * the carry index, meta keys "carry/<node>/<first seq, 12 digits>" =
 * "<last seq> <node commit hex> <merge commit hex>" (pl_store_meta_floor).
 * It is rebuilt from git first if it does not describe main. The check (and
 * a rebuild) holds the merge lock: a running merge is waited for, never
 * rebuilt under. A caller who cannot write `repo` (or its cache) gets a
 * cache of its own instead, built from main and checked against it the same
 * way: $XDG_CACHE_HOME/plsync/<name>-<hash> (or ~/.cache/plsync/...), under
 * a lock of its own; PL_EINVALID if that plsync dir is not the caller's
 * alone. *out is owned by the caller (pl_store_free). Errors: those of
 * pl_merge.
 */
int pl_merge_cache_open(struct pl_store **out, const char *repo);

#endif
