/*
 * plsync/sync.h — moving ops through git (docs/design.md, "Git layout and sync").
 *
 * Each node owns one ref, refs/heads/nodes/<node>, whose commits add batch
 * blobs ops/<node>/<a>/<b>/<first>-<last>.msgpack (a = first / 1e6,
 * b = first / 1e3 % 1000, seqs zero-padded to 12 digits): the plain
 * concatenation of the node's ops first..last in seq order. No tree holds
 * more than 1000 entries. The agent keeps a bare mirror in <dir>/git, so
 * commits are made offline and pushed when a link is up.
 *
 * What has been committed is read from the mirror itself (the last blob
 * under ops/<node>), what has been pushed and applied from the store's meta,
 * written only after the remote confirmed or in the same transaction as the
 * applied ops: an interrupted sync loses nothing and duplicates nothing.
 */
#ifndef PLSYNC_SYNC_H
#define PLSYNC_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "plsync/store.h"

typedef struct pl_mirror pl_mirror;

/* "ops/<node>/<a>/<b>/<first>-<last>.msgpack", the path of a batch blob. */
void pl_sync_blob_path(char *buf, size_t sz, const char *node, uint64_t first, uint64_t last);

typedef struct pl_progress {
	const char *stage;        /* "counting", "pushing", "fetching", "applying" */
	size_t      current;      /* objects (or ops) done */
	size_t      total;        /* objects (or ops) in all, 0 if unknown */
	size_t      bytes;        /* bytes transferred so far */
} pl_progress;

/* A negative return cancels the operation; that code is handed back. */
typedef int (*pl_progress_cb)(const pl_progress *p, void *payload);

typedef struct pl_sync_options {
	unsigned int   version;
	const char    *url;            /* the district repository */
	const char    *user_name;      /* commit author */
	const char    *user_email;
	const char   **follow;         /* node codes to fetch and apply; NULL = {"DISTRICT"} */
	size_t         nfollow;
	const char    *ssh_key;        /* private key file; "<key>.pub" beside it. NULL = ssh-agent */
	const char    *ssh_known_hosts;/* OpenSSH known_hosts file the ssh:// server's host key must be in
	                                  (plain names: "host", "[host]:port"); NULL = ~/.ssh/known_hosts,
	                                  whose hashed names are read too */
	const char    *http_user;      /* basic auth for http(s):// (also taken from the URL) */
	const char    *http_password;
	pl_progress_cb progress;
	void          *payload;
	/* limits on a silent or stalled server, on every transport (0 = the default, < 0 = none);
	   a call that hits one fails with PL_ENET naming it, having changed nothing */
	int            timeout;        /* seconds the server may say nothing: to connect and answer,
	                                  and once the data has passed (default 30) */
	int            lowspeed_bytes; /* while data flows, fewer bytes than this ... (default 1024) */
	int            lowspeed_time;  /* ... in this many seconds (default 60) */
	const char    *district_key;   /* the pinned district key's fingerprint ("SHA256:..."), or NULL:
	                                  a fetch then also takes refs/plsync/keys, refuses it unless that
	                                  key signed it, and applies a followed node's commits only if all
	                                  are signed by a key enrolled there for that node (plsync/key.h) */
} pl_sync_options;
#define PL_SYNC_OPTIONS_VERSION 1
#define PL_SYNC_OPTIONS_INIT { PL_SYNC_OPTIONS_VERSION }

typedef struct pl_sync_result {
	uint64_t committed_from;   /* seqs committed by this sync (0, 0 if none) */
	uint64_t committed_to;
	uint64_t pushed_seq;       /* last seq the remote has confirmed */
	size_t   applied;          /* ops from followed nodes applied */
	size_t   skipped;          /* ops already present */
	size_t   ahead;            /* applied ops stamped more than a day ahead of our clock */
	char     tip[41];          /* our ref's commit on the remote, hex */
	size_t   dangling;         /* applied ops whose base names ops this store does not
	                              hold (of nodes it does not follow, or never made) */
} pl_sync_result;

/*
 * Open the mirror in <dir>/git, creating an empty bare repository if it is
 * missing. *out is owned by the caller (pl_mirror_free).
 */
int pl_mirror_open(pl_mirror **out, const char *dir);
void pl_mirror_free(pl_mirror *m);

/*
 * Commit this node's ops not yet in the mirror as one commit on
 * refs/heads/nodes/<node> (batch blobs of at most 16 MiB), written as one
 * pack. *from and *to get the committed seq range, both 0 if nothing was new.
 */
int pl_mirror_commit(uint64_t *from, uint64_t *to, pl_mirror *m, pl_store *st,
                     const pl_sync_options *opts);

/*
 * The last seq committed in the mirror for `node` (0 if none), read from the
 * tip tree of `ref` (e.g. "refs/heads/nodes/LIN01").
 */
int pl_mirror_last_seq(uint64_t *seq, pl_mirror *m, const char *ref, const char *node);

/*
 * Push refs/heads/nodes/<node> to opts->url, fast-forward only, then record
 * the pushed seq in the store. Errors: PL_ENET (unreachable, dropped: retry
 * later), PL_EAUTH (credentials, certificate or ssh host key refused: the
 * message names the setting to fix), PL_ENOTFOUND (no repository at the
 * URL), PL_ECONFLICT (the remote refused the update: the message has its
 * reason).
 */
int pl_sync_push(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts);

/*
 * Fetch each followed node's ref and apply the ops of its new commits, in
 * commit order, verifying chain and ids; one store transaction per node,
 * which also records the applied commit. Cost grows with the new commits.
 * Errors: PL_ENET, PL_EAUTH, PL_ENOTFOUND, PL_ECORRUPT (a bad blob or op:
 * named by commit and path; nothing of that node is applied), PL_ECONFLICT
 * (the followed ref was rewritten).
 */
int pl_sync_fetch(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts);

/*
 * commit, push, fetch: the whole `plsync sync`. Holds an exclusive lock on
 * the mirror meanwhile (PL_EEXISTS if another sync of this data dir runs)
 * and first clears the lock files a killed sync left in the mirror.
 */
int pl_sync_run(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts);

/*
 * Rebuild a data dir from the district repository, for a node whose machine
 * was lost: st is a new, empty store of that node (PL_EEXISTS if it holds any
 * op of its own) and m its new mirror. Fetches refs/heads/nodes/<node> and
 * the followed refs; takes back the node's own ops, verified as a fetch
 * verifies (chain, ids, one node, ownership) in one transaction; sets the
 * mirror's refs/heads/nodes/<node> to the district's tip and sync.pushed,
 * sync.remote_tip and sync.last to match; then applies the followed nodes'
 * ops. The next local write continues the chain (seq = last + 1, prev =
 * last id) and the next push is a fast-forward. res->pushed_seq and res->tip
 * get the restored seq and commit, res->applied the followed nodes' ops.
 * Errors: those of pl_sync_fetch; PL_ENOTFOUND (the repository has no ref of
 * that node); PL_ECORRUPT (the node's ref does not verify: nothing of it is
 * restored).
 */
int pl_sync_restore(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts);

typedef struct pl_sync_status {
	uint64_t seq;              /* our last seq */
	uint64_t committed;        /* last seq in a mirror commit */
	uint64_t pushed;           /* last seq the remote confirmed */
	size_t   unpushed_commits; /* mirror commits not yet on the remote */
	char     last_sync[32];    /* RFC 3339, "" if never */
	char     remote_tip[41];   /* our ref on the remote at the last push, hex or "" */
} pl_sync_status;
int pl_sync_status_get(pl_sync_status *out, pl_mirror *m, pl_store *st);

/*
 * Bundles: a node's ops on a file, for schools with no link at all.
 * Layout (version 2): "PLSYNC-BUNDLE 2\n", then a header line
 * "node=<node> first=<seq> last=<seq> count=<n> size=<raw bytes> pack=<bytes>
 * tip=<commit> base=<commit|none>\n", then the zlib-compressed concatenation
 * of the ops, then a git pack of the node's mirror commits after base up to
 * tip, then 20 bytes: SHA-1 of all that precedes them. Version 1 files (no
 * pack, header ending at size=) are still read by pl_bundle_apply.
 *
 * Create: this node's ops after `since` (PL_BUNDLE_SINCE_PUSHED: after the
 * last seq the district repository confirmed, sync.pushed, i.e. everything
 * it is not known to have), first committed to the mirror `m` (opts gives
 * the commit author, as for pl_mirror_commit) so that the commits holding
 * them travel too. *first and *last get the ops' range. PL_ENOTFOUND if
 * there is no op after `since`.
 */
#define PL_BUNDLE_SINCE_PUSHED UINT64_MAX
int pl_bundle_create(uint64_t *first, uint64_t *last, pl_mirror *m, pl_store *st, const char *path,
                     uint64_t since, const pl_sync_options *opts);
/*
 * Verify and apply a bundle's ops to a store (agent to agent, or a school's
 * bundle at the DISTRICT agent) in one transaction. Truncated, corrupt or
 * foreign (not a plsync bundle, or our own node's) files are refused with
 * PL_ECORRUPT/PL_EINVALID and nothing is applied.
 */
int pl_bundle_apply(size_t *applied, size_t *skipped, pl_store *st, const char *path);

typedef struct pl_district_bundle_result {
	char     node[PL_NODE_MAX + 1]; /* the bundle's node */
	uint64_t had;                   /* its last seq in the district repository before (0: none) */
	uint64_t seq;                   /* ... and after */
	size_t   commits;               /* commits added to refs/heads/nodes/<node> */
	int      already;               /* 1: the repository already held all of it; nothing changed */
	char     tip[41];               /* the ref's commit afterwards, hex */
} pl_district_bundle_result;

/*
 * Land a (version 2) bundle in the district repository at `repo_path`: its
 * commits become refs/heads/nodes/<node> exactly as if the node had pushed
 * them, so the merge takes them and the node's later push is a fast-forward
 * (or has nothing to send). Before anything is written, every new commit is
 * checked as the fetch and the merge read a node ref: linear, only batches
 * added under ops/<node>/, each op that node's, continuing its chain from
 * what the ref held (seq and prev), with the id its bytes give. Then the
 * pack is moved into the repository and the ref moved (compare-and-swap on
 * its old tip). A bundle the repository already holds changes nothing
 * (res->already). Errors: PL_EINVALID (not a bundle, an old version-1
 * bundle with no commits, not a district repository), PL_ECORRUPT (damaged
 * or forged: nothing is written), PL_ECONFLICT (the bundle does not
 * continue the ref: res->had says what the repository holds, so a bundle
 * of the ops after it can be asked for).
 */
int pl_district_bundle_apply(pl_district_bundle_result *res, const char *repo_path, const char *path);

/* The bare district repository: create it (idempotent). PL_EEXISTS if the
 * path holds something that is not an empty dir or a plsync district repo. */
int pl_district_init(const char *path);
/*
 * pl_district_init, and what it repaired in a district repository an older
 * plsync made (gc.auto = false, which git refuses, becomes 0): one sentence
 * in `fixed` (of `sz` bytes), "" when it changed nothing worth telling.
 */
int pl_district_init_fix(const char *path, char *fixed, size_t sz);

#endif
