/*
 * push.c — push this node's ref, fast-forward only.
 *
 * A refusal reported through push_update_reference is a failure even when
 * git_remote_push returns 0. The pushed seq is recorded in the store only
 * after the remote confirmed; a crash before that makes the next push a
 * no-op, never a duplicate.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "plsync/errors.h"
#include "layout-int.h"
#include "mirror-int.h"
#include "remote-int.h"

int pl_sync__record_pushed(pl_store *st, uint64_t seq, const char *tip)
{
	char seqbuf[32], when[32];
	int rc;

	snprintf(seqbuf, sizeof(seqbuf), "%" PRIu64, seq);
	pl_hlc_fmt(when, pl_hlc_wall_ms() << 16);
	if ((rc = pl_store_meta_set(st, "sync.pushed", seqbuf)) ||
	    (rc = pl_store_meta_set(st, "sync.remote_tip", tip)))
		return rc;
	return pl_store_meta_set(st, "sync.last", when);
}

int pl_sync_push(pl_sync_result *res, pl_mirror *m, pl_store *st, const pl_sync_options *opts)
{
	const char *node = pl_store_node(st);
	struct pl_sync__cb cbstate = { opts };
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	char refname[PL_NODE_MAX + 24], spec[2 * PL_NODE_MAX + 64], tip[41];
	char *specs[1] = { spec };
	git_strarray refspecs = { specs, 1 };
	uint64_t seq;
	int rc = 0, grc;

	if (!opts || !opts->url || !*opts->url) {
		pl_error_set(PL_EUSAGE, "no remote");
		return pl_error_hint(PL_HINT_REMOTE_URL, NULL);
	}
	pl_sync__node_ref(refname, sizeof(refname), node);
	if ((grc = git_reference_lookup(&ref, m->repo, refname)) == GIT_ENOTFOUND)
		return 0; /* nothing ever committed: nothing to push */
	if (grc < 0)
		return pl_error_from_git(grc, refname);
	git_oid_tostr(tip, sizeof(tip), git_reference_target(ref));
	if ((rc = pl_mirror_last_seq(&seq, m, refname, node)))
		goto cleanup;
	snprintf(spec, sizeof(spec), "%s:%s", refname, refname); /* no '+': fast-forward only */
	if ((rc = pl_sync__remote_open(&remote, m->repo, opts->url)))
		goto cleanup;
	pl_sync__callbacks(&po.callbacks, &cbstate);
	if ((rc = pl_sync__watch_start(&cbstate)))
		goto cleanup;
	grc = git_remote_push(remote, &refspecs, &po);
	pl_sync__watch_stop(&cbstate);
	if (grc == GIT_ENONFASTFORWARD) {
		/* libgit2 refuses before sending when the remote's tip is not ours to extend */
		if (!cbstate.push_error[0])
			snprintf(cbstate.push_error, sizeof(cbstate.push_error), "the remote refused to update %s: "
			         "non-fast-forward (it holds commits this mirror does not have)", refname);
	} else if (grc < 0) {
		rc = pl_sync__net_error(grc, &cbstate, "pushing to", opts->url);
		goto cleanup;
	}
	if (cbstate.push_error[0]) {
		rc = pl_error_set(PL_ECONFLICT, "%s; nothing here is lost. If it is not a fast-forward, the "
		                  "district repository's nodes/%s was rewritten or another agent uses node %s: "
		                  "call the district office", cbstate.push_error, node, node);
		goto cleanup;
	}
	/* the remote confirmed: only now record it */
	pl_sync__store_hold(opts, 1);
	rc = pl_sync__record_pushed(st, seq, tip);
	pl_sync__store_hold(opts, 0);
	if (rc)
		goto cleanup;
	if (res) {
		res->pushed_seq = seq;
		snprintf(res->tip, sizeof(res->tip), "%s", tip);
	}
cleanup:
	git_remote_free(remote);
	git_reference_free(ref);
	return rc;
}
