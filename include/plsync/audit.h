/*
 * plsync/audit.h — what an auditor asks of the district repository
 * (docs/design.md, "District merge and audit").
 *
 * Two sources, kept apart on purpose:
 *
 *  - History questions (log, blame, show --at) read the district merge's
 *    cache, a plsync store beside the bare repository holding every merged
 *    op, indexed per record, and the carry index (which node commit brought
 *    each op batch, which merge commit took it). Open it with
 *    pl_merge_cache_open(), which rebuilds it from git when it does not
 *    describe main. One record's history costs O(its ops), not O(history).
 *
 *  - pl_audit_verify() trusts nothing but git: it re-derives every node
 *    chain, main's ops and main's state/ and conflicts/ from the objects
 *    and reports each disagreement. It never reads the cache.
 *
 * A record's fields are folded the way the store folds them: ops in
 * (hlc, node) order, per leaf field path (dotted, "approvals.supervisor.by"),
 * the highest (hlc, node) wins, a null value unsets the path and everything
 * below it, a del hides the record until a later put.
 */
#ifndef PLSYNC_AUDIT_H
#define PLSYNC_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "plsync/key.h"
#include "plsync/op.h"
#include "plsync/store.h"

/*
 * The whole history of record `id` as merged into main, oldest first, into
 * *out (caller json_decref()s):
 *
 *   {"id", "kind", "owner", "ops": [{
 *       "op": hex id, "node", "seq", "hlc", "time": RFC 3339 UTC, "actor",
 *       "type": "put" | "del", "base": [hex...], "note" (if any),
 *       "effect": "create" | "update" | "delete" | "restore",
 *       "changes": [{"field": dotted path, "before": v, "after": v}],
 *       "commit": the node commit that carried it (hex, null if unknown),
 *       "merge": the merge commit on main that consolidated it (hex or null)
 *   }]}
 *
 * "before"/"after" are the visible values of that leaf path in the fold
 * just before and just after the op (null: unset); "changes" lists only
 * paths whose value changed, sorted. `cache` is the merge's cache
 * (pl_merge_cache_open); the commits come from its carry index.
 * Errors: PL_ENOTFOUND if main never merged an op on `id`; PL_ECORRUPT if
 * the cache is damaged (hint PL_HINT_REBUILD_CACHE: rebuild it).
 */
int pl_audit_log(json_t **out, pl_store *cache, const char *id);

/*
 * Who set each current field of record `id`, into *out:
 *
 *   {"id", "kind", "owner", "deleted": bool, "fields": {dotted path: {
 *       "value", "op", "node", "seq", "hlc", "time", "actor", "note"?,
 *       "commit", "merge"}}}
 *
 * The setter of a field is the op whose (hlc, node) is the field's clock
 * (pl_record.clocks). Errors as pl_audit_log.
 */
int pl_audit_blame(json_t **out, pl_store *cache, const char *id);

/*
 * Record `id` as it stood at `at_ms` (unix milliseconds): the fold of its
 * ops whose hlc time (hlc >> 16) is <= at_ms, into *out (pl_record_free).
 * clocks, created, updated, owner and heads are those of that fold;
 * (*out)->deleted is 1 if it was deleted at that time.
 * Errors: PL_ENOTFOUND if main never merged an op on `id`, or its first op
 * is later than `at_ms` (the message gives the first op's time).
 */
int pl_audit_show(pl_record **out, pl_store *cache, const char *id, uint64_t at_ms);

/*
 * Parse an auditor's time: RFC 3339 ("2026-09-14T10:30:00Z",
 * "2026-09-14T10:30:00.250+02:00") or a date "2026-09-14", which means the
 * END of that day in UTC (23:59:59.999Z), so that "--at 2026-09-14"
 * includes everything done on the 14th. *ms gets unix milliseconds.
 * Errors: PL_EUSAGE naming the text and the accepted forms.
 */
int pl_audit_parse_time(uint64_t *ms, const char *text);

/* ---- verify ---- */

/*
 * One disagreement found by pl_audit_verify. Everything is borrowed, valid
 * during the callback only.
 */
typedef struct pl_audit_problem {
	const char *where;   /* a git revision:path a person can `git show`:
	                        "main:ops/LIN01/000/000/...msgpack", a state or
	                        conflicts file at the commit on main since which
	                        it is what it is (commit: that one, in full)
	                        "5d0c1a2b3c4d:state/pd_entry/5a/f2/LIN01-KZWHV.json",
	                        "nodes/LIN01:ops/LIN01/000/000/...msgpack",
	                        "refs/heads/nodes/LIN01", "merge 677712819797" */
	const char *node;    /* the node concerned, or NULL */
	uint64_t    seq;     /* the op's seq, 0 if not about one op */
	const char *commit;  /* hex of the commit concerned, or NULL */
	const char *what;    /* one line: what is wrong */
} pl_audit_problem;

/* Return 0 to go on; a negative return stops the verify and is handed back. */
typedef int (*pl_audit_problem_cb)(const pl_audit_problem *p, void *payload);

typedef struct pl_audit_verify_options {
	unsigned int        version;
	const char         *tmpdir;   /* parent of the fold's temporary store;
	                                 NULL = $TMPDIR or /tmp */
	pl_audit_problem_cb problem;  /* called once per problem; may be NULL */
	void               *payload;
	pl_op_limits        limits;
	const char         *district_key; /* the district key's fingerprint
	                                     ("SHA256:..."), pinned; NULL = the
	                                     public part of REPO/plsync-district.key */
} pl_audit_verify_options;
#define PL_AUDIT_VERIFY_OPTIONS_VERSION 1
#define PL_AUDIT_VERIFY_OPTIONS_INIT { PL_AUDIT_VERIFY_OPTIONS_VERSION, NULL, NULL, NULL, PL_OP_LIMITS_INIT, NULL }

typedef struct pl_audit_verify_result {
	char     main[41];     /* main's tip, "" if nothing was merged yet */
	size_t   nodes;        /* node refs checked */
	uint64_t node_ops;     /* ops on those refs */
	size_t   merges;       /* commits on main's first-parent chain */
	uint64_t main_ops;     /* ops in main's tree, all folded */
	size_t   states;       /* state files checked */
	size_t   conflicts;    /* conflict files checked */
	size_t   problems;     /* disagreements found (each passed to the callback) */
	size_t   signatures;   /* commits whose signature was checked (node, merge, keys) */
	size_t   witnesses;    /* witnesses: distinct (node, main tip seen) pairs */
	char     district_fp[64]; /* the district key checked against, "" if none */
} pl_audit_verify_result;

/*
 * Verify the district repository at `repo` (path of the bare repository)
 * from git alone:
 *
 *  1. every refs/heads/nodes/<node>: its tip's tree holds only
 *     ops/<node>/a/b/<first>-<last>.msgpack blobs whose names match the seqs
 *     they hold; seqs run gapless from 1; each op claims <node>, its prev is
 *     the id of the op before, ids are the git blob hash of the op's bytes;
 *  2. main's first-parent chain: each merge's node parents are node commits,
 *     each node's merged tips follow each other, and the last one is still
 *     in (or is) the node's current ref — a force-pushed ref is reported;
 *  3. every blob of main's ops/<node>/ is identical to the blob at the same
 *     path in nodes/<node>, and every blob of the last merged tip is in main;
 *  4. main's ops, folded into a temporary store (under opts->tmpdir,
 *     removed afterwards) in seq order per node, continue each chain and
 *     claim their directory's node; no op changes a record its node does
 *     not own (DISTRICT excepted);
 *  5. every file in state/ and conflicts/ is byte-for-byte what the merge
 *     renders from that fold (pl_merge_state_json, pl_merge_conflicts_json),
 *     at the path pl_merge_state_path gives; no file for a record with no
 *     ops or a deleted one; none missing for a live record;
 *  6. signatures: every commit of every node ref is signed, validly, and
 *     (for a node with a key enrolled on refs/plsync/keys) by a key enrolled
 *     for that node and valid at its committer time; every commit on main's
 *     first-parent chain and refs/plsync/keys' tip is signed by the district
 *     key (opts->district_key if pinned, else REPO/plsync-district.key's
 *     public part, else the signer of refs/plsync/keys' first commit);
 *  7. witnesses: every main tip a validly signed node commit names in its
 *     "Seen-main:" trailer is main's tip or an ancestor of it; one that is
 *     not proves main was rewound or rewritten, and is reported with the
 *     node, its commit and the sha it saw.
 *
 * Memory stays bounded by one blob and one record: the fold lives in LMDB.
 * Each problem goes to opts->problem and is counted in res->problems;
 * finding problems is not an error: the return is 0 and res->problems > 0.
 * Errors: PL_ENOTFOUND/PL_EINVALID if `repo` is not a plsync district
 * repository; PL_EOS/PL_EFULL for the temporary store; whatever the
 * callback returns.
 */
int pl_audit_verify(pl_audit_verify_result *res, const char *repo, const pl_audit_verify_options *opts);

/*
 * The enrolled node keys of `repo` (refs/plsync/keys) as an auditor reads
 * them, from git alone: the district key is chosen exactly as
 * pl_audit_verify's step 6 chooses it (opts->district_key if pinned, else
 * REPO/plsync-district.key's public part, else the signer of the keys
 * ref's first commit), and the keys ref's tip must be signed by it. Each
 * problem on the way goes to opts->problem and is counted in
 * res->problems (then *out may be empty); res->district_fp names the key
 * used. Nothing is written. *out is the caller's (pl_keyring_clear).
 * Errors: as pl_audit_verify's for a repository that cannot be opened.
 */
int pl_audit_keys(pl_keyring *out, pl_audit_verify_result *res, const char *repo,
                  const pl_audit_verify_options *opts);

#endif
