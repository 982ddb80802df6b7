/*
 * merge-verify.c — one node's new range verified and applied to the cache,
 * in one store write (the rules are at the top of merge.c): each commit
 * linear and adding only its own batch files, named for the seqs they hold;
 * each op through the store's remote checks (pl_write_remote_prepared),
 * decoded and hashed on a second thread while this one applies; ops ahead
 * of the clock or with bases not held yet are merged and reported. Before
 * all that, the range's signatures (pl_merge__check_signatures).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/op.h"
#include "plsync/store.h"
#include "layout-int.h"
#include "merge-int.h"
#include "sign-int.h"
#include "tree-int.h"

static int range_fail(struct merge *mg, int rc)
{
	(void)mg;
	return rc ? rc : PL_ECORRUPT;
}

/*
 * A batch's ops are prepared (decoded, hashed, schema-checked: their own
 * checks, pl_remote_prepare) on a second thread while this one applies
 * them in order. They pass in groups of GROUP through NGROUP slots: the
 * worker fills a free slot, this thread applies it and hands it back, and
 * the worker frees what it allocated (frees on the allocating thread keep
 * malloc's arenas uncontended). Small batches stay on one thread.
 */
#define GROUP     64
#define NGROUP    4
#define PIPE_MIN  256

enum { SLOT_FREE, SLOT_READY, SLOT_DONE };

struct pipe {
	pl_store            *st;
	const unsigned char *buf;
	const size_t        *at;     /* op i is buf[at[i] .. at[i + 1]) */
	size_t               n;
	pl_remote_op         op[NGROUP][GROUP];
	size_t               count[NGROUP];
	int                  state[NGROUP];
	int                  stop;
	pthread_mutex_t      mu;
	pthread_cond_t       cv;
};

static void slot_clear(struct pipe *p, int g)
{
	for (size_t k = 0; k < p->count[g]; k++)
		pl_remote_op_clear(&p->op[g][k]);
	p->count[g] = 0;
}

/* Set slot g's state and wake the other thread. */
static void pipe_set(struct pipe *p, int g, int state)
{
	pthread_mutex_lock(&p->mu);
	p->state[g] = state;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *pipe_run(void *arg)
{
	struct pipe *p = arg;

	for (size_t first = 0, j = 0; first < p->n; first += GROUP, j++) {
		int g = (int)(j % NGROUP), st;
		size_t cnt = p->n - first < GROUP ? p->n - first : GROUP;

		pthread_mutex_lock(&p->mu);
		while (p->state[g] == SLOT_READY && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		st = p->state[g];
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		if (st == SLOT_DONE)
			slot_clear(p, g);
		for (size_t k = 0; k < cnt; k++)
			pl_remote_prepare(&p->op[g][k], p->st, p->buf + p->at[first + k],
			                  p->at[first + k + 1] - p->at[first + k]);
		p->count[g] = cnt;
		pipe_set(p, g, SLOT_READY);
	}
	return NULL;
}

/* ---- reported findings: accepted, merged, never silent ---- */

/* One reported finding, its text made terminal-safe (the rec id is the node's). */
static int report(json_t *list, const char *type, const char *node, uint64_t seq, const pl_oid *op,
                  const char *rec, json_t *extra, const char *reason)
{
	char hex[PL_OID_HEXSZ + 1], *why = strdup(reason), *r = strdup(rec);
	json_t *f = NULL;

	pl_oid_fmt(hex, op);
	if (why && r) {
		for (char *p = why; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		for (char *p = r; *p; p++) /* a hostile op's id may hold control bytes */
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		pl_utf8_scrub(r);
		f = json_pack("{ss ss sI ss ss ss}", "type", type, "node", node, "seq", (json_int_t)seq, "op", hex,
		              "rec", r, "reason", why);
	}
	free(why);
	free(r);
	if (!f || (extra && json_object_update(f, extra)) || json_array_append_new(list, f)) {
		json_decref(extra);
		return pl_error_set(PL_ERROR, "out of memory recording a finding");
	}
	json_decref(extra);
	return 0;
}

/* An op just applied that is more than a day ahead, or names bases not here yet. */
static int note_reported(struct merge *mg, const pl_remote_info *info)
{
	if (info->ahead) {
		char when[32], why[200];
		pl_hlc_fmt(when, info->hlc);
		snprintf(why, sizeof(why), "its clock (%s) is %.1f days ahead of the merge's", when,
		         (double)info->skew_ms / 86400000.0);
		if (report(mg->rreported, "clock_ahead", info->node, info->seq, &info->id, info->rec,
		           json_pack("{sI ss}", "skew_ms", (json_int_t)info->skew_ms, "time", when), why))
			return PL_ERROR;
	}
	if (info->dangling &&
	    json_array_append_new(mg->rdangling, json_pack("[sI]", info->node, (json_int_t)info->seq)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

/* Each base id of op (node, seq) that no merged op has, now that every node is in. */
static int recheck_base(struct merge *mg, const char *node, uint64_t seq)
{
	unsigned char *bytes = NULL, *named = NULL;
	size_t len = 0, nlen = 0;
	pl_op *op = NULL;
	pl_oid id;
	int rc;

	if ((rc = pl_store_op_bytes(&bytes, &len, mg->cache, node, seq)) ||
	    (rc = pl_op_decode(&op, bytes, len, &mg->opts->limits)) || (rc = pl_op_id(&id, bytes, len)))
		goto cleanup;
	for (size_t b = 0; b < op->nbase && !rc; b++) {
		char hex[PL_OID_HEXSZ + 1], why[200];
		rc = pl_store_op_by_id(&named, &nlen, mg->cache, &op->base[b]);
		free(named);
		named = NULL;
		if (rc != PL_ENOTFOUND)
			continue;
		pl_oid_fmt(hex, &op->base[b]);
		snprintf(why, sizeof(why), "its base names op %.12s, which no merged node has (a dangling base)", hex);
		rc = report(mg->res->reported, "dangling_base", node, seq, &id, op->rec, json_pack("{ss}", "missing", hex),
		            why);
	}
cleanup:
	pl_op_free(op);
	free(bytes);
	return rc;
}

int pl_merge__recheck_dangling(struct merge *mg)
{
	int rc = 0;
	for (size_t i = 0; i < json_array_size(mg->dangling) && !rc; i++) {
		json_t *e = json_array_get(mg->dangling, i);
		rc = recheck_base(mg, json_string_value(json_array_get(e, 0)),
		                  (uint64_t)json_integer_value(json_array_get(e, 1)));
	}
	return rc;
}

/*
 * Where each op of buf starts: at[i] .. at[i + 1] is op i, *n of them. A
 * malformed op ends the list, its error kept in *split_rc and split_err (it
 * is raised once the ops before it are applied, as they would be).
 */
static int split_ops(size_t **at, size_t *n, int *split_rc, char *split_err, size_t errsz,
                     const unsigned char *buf, size_t len, const pl_op_limits *lim)
{
	size_t off = 0, cap = 0;

	while (off < len) {
		size_t start = off;
		if (*n + 2 > cap) {
			size_t *na = realloc(*at, (cap = cap ? cap * 2 : 1024) * sizeof(**at));
			if (!na)
				return pl_error_set(PL_ERROR, "out of memory");
			*at = na;
		}
		if ((*split_rc = pl_op_skip(buf, len, &off, lim))) {
			snprintf(split_err, errsz, "%s", pl_error_last()->message);
			break;
		}
		(*at)[(*n)++] = start;
		(*at)[*n] = off;
	}
	return 0;
}

/* Start p's worker for a batch of PIPE_MIN ops or more: 1 if it runs. */
static int pipe_start(struct pipe *p, pthread_t *th)
{
	int threaded = 0;

	if (p->n >= PIPE_MIN && pthread_mutex_init(&p->mu, NULL) == 0) {
		if (pthread_cond_init(&p->cv, NULL) == 0) {
			threaded = pthread_create(th, NULL, pipe_run, p) == 0;
			if (!threaded)
				pthread_cond_destroy(&p->cv);
		}
		if (!threaded)
			pthread_mutex_destroy(&p->mu);
	}
	return threaded;
}

static void pipe_stop(struct pipe *p, pthread_t th)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(th, NULL);
	for (int g = 0; g < NGROUP; g++)
		slot_clear(p, g);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
}

/* Op i of p, prepared: by this thread, or by the worker (waiting for its slot). */
static pl_remote_op *pipe_get(struct pipe *p, size_t i, int threaded)
{
	int g = (int)((i / GROUP) % NGROUP);
	size_t k = i % GROUP;
	pl_remote_op *r = &p->op[threaded ? g : 0][threaded ? k : 0];

	if (!threaded) {
		pl_remote_prepare(r, p->st, p->buf + p->at[i], p->at[i + 1] - p->at[i]);
	} else if (k == 0) {
		pthread_mutex_lock(&p->mu);
		while (p->state[g] != SLOT_READY)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	return r;
}

/* Op i of p applied: free it, or hand its slot back once the group is done. */
static void pipe_put(struct pipe *p, size_t i, pl_remote_op *r, int threaded)
{
	int g = (int)((i / GROUP) % NGROUP);

	if (!threaded)
		pl_remote_op_clear(r);
	else if (i % GROUP + 1 == p->count[g])
		pipe_set(p, g, SLOT_DONE);
}

static int apply_blob(pl_write *w, struct merge *mg, const char *path, const git_oid *blob_id,
                      uint64_t first, uint64_t last, uint64_t *expect)
{
	const pl_op_limits *lim = &mg->opts->limits;
	git_blob *blob = NULL;
	const unsigned char *buf;
	size_t len, n = 0, *at = NULL, i;
	struct pipe *p = NULL;
	pthread_t th;
	int rc = 0, grc, split_rc = 0, threaded = 0;
	char split_err[640] = "";

	if ((grc = git_blob_lookup(&blob, mg->repo, blob_id)) < 0)
		return pl_error_from_git(grc, path);
	buf = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (len > lim->max_batch) {
		rc = pl_error_set(PL_ECORRUPT, "%s: batch of %zu bytes is over the %zu-byte limit", path, len, lim->max_batch);
		goto cleanup;
	}
	if (first != *expect) {
		rc = pl_error_set(PL_ECORRUPT, "%s starts at seq %" PRIu64 " but seq %" PRIu64 " is next (gap or replay)",
		                  path, first, *expect);
		goto cleanup;
	}
	if ((rc = split_ops(&at, &n, &split_rc, split_err, sizeof(split_err), buf, len, lim)))
		goto cleanup;
	if (!(p = calloc(1, sizeof(*p)))) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	p->st = mg->cache;
	p->buf = buf;
	p->at = at;
	p->n = n;
	threaded = pipe_start(p, &th);
	for (i = 0; i < n && !rc; i++) {
		pl_remote_check chk = { mg->node, 1, 1 };
		pl_remote_info info = { 0 };
		pl_remote_op *r = pipe_get(p, i, threaded);

		mg->cur_seq = *expect;
		rc = pl_write_remote_prepared(w, r, buf + at[i], at[i + 1] - at[i], &chk, &info);
		pipe_put(p, i, r, threaded);
		if (info.seq)
			mg->cur_seq = info.seq;
		if (rc) {
			pl_error_prefix("%s", path);
			break;
		}
		if (info.seq != *expect || info.seq > last) {
			rc = pl_error_set(PL_ECORRUPT, "%s: op seq %" PRIu64 " where %" PRIu64 " was expected", path,
			                  info.seq, *expect);
			break;
		}
		if (json_object_set_new(mg->rtouched, info.rec, json_string(info.kind))) {
			rc = pl_error_set(PL_ERROR, "%s: out of memory listing record %s", path, info.rec);
			break;
		}
		(*expect)++;
		mg->rops++;
		if ((info.ahead || info.dangling) && (rc = note_reported(mg, &info)))
			break;
	}
	if (threaded)
		pipe_stop(p, th);
	if (!rc && split_rc) {
		mg->cur_seq = *expect;
		rc = pl_error_set(split_rc, "%s", split_err);
		pl_error_prefix("%s", path);
	}
	if (!rc && *expect != last + 1)
		rc = pl_error_set(PL_ECORRUPT, "%s is named for seqs %" PRIu64 "..%" PRIu64 " but holds up to %" PRIu64,
		                  path, first, last, *expect - 1);
cleanup:
	free(p);
	free(at);
	git_blob_free(blob);
	return rc;
}

/*
 * One commit's files (ds, against its parent), each a batch of mg->node's
 * added under prefix ("ops/<node>/") with the name its seqs give it, applied
 * in order from seq *expect on.
 */
static int apply_commit(pl_write *w, struct merge *mg, const pl_sync__deltas *ds, const char *prefix,
                        uint64_t *expect)
{
	int rc = 0;

	if (ds->over)
		return pl_error_set(PL_ECORRUPT, "commit adds more than %zu files, over the limit of %zu",
		                    mg->opts->max_blobs, mg->opts->max_blobs);
	for (size_t d = 0; d < ds->n && !rc; d++) {
		const pl_sync__delta *dd = &ds->d[d];
		const char *path = dd->path;
		const char *name = strrchr(path, '/');
		char want[256];
		uint64_t first, last;

		if (strncmp(path, prefix, strlen(prefix))) {
			rc = pl_error_set(PL_ECORRUPT, "%s is outside ops/%s/: a node writes only its own ops", path, mg->node);
			break;
		}
		if (dd->status != GIT_DELTA_ADDED) {
			rc = pl_error_set(PL_ECORRUPT, "%s was %s: merged history is never rewritten", path,
			                  dd->status == GIT_DELTA_DELETED ? "deleted" : "changed");
			break;
		}
		if (!name || pl_sync__parse_blob_name(&first, &last, name + 1)) {
			rc = pl_error_set(PL_ECORRUPT, "%s is not an op batch name", path);
			break;
		}
		pl_sync__blob_path(want, sizeof(want), mg->node, first, last);
		if (strcmp(want, path) || dd->mode != GIT_FILEMODE_BLOB) {
			rc = pl_error_set(PL_ECORRUPT, "%s should be %s", path, want);
			break;
		}
		if ((rc = apply_blob(w, mg, path, &dd->id, first, last, expect)))
			break;
		if ((rc = pl_merge__updates_add(&mg->rups, path, &dd->id, 0)))
			break;
		json_array_append_new(mg->rcarry, json_pack("[sIIs]", mg->node, (json_int_t)first,
		                                            (json_int_t)last, mg->cur_commit));
	}
	return rc;
}

int pl_merge__range_fn(pl_write *w, void *payload)
{
	struct merge *mg = payload;
	char prefix[PL_NODE_MAX + 8], key[PL_NODE_MAX + 32];
	uint64_t expect;
	pl_oid lastid;
	int rc = 0;

	pl_merge__updates_clear(&mg->rups);
	json_decref(mg->rtouched);
	json_decref(mg->rcarry);
	mg->rtouched = json_object();
	mg->rcarry = json_array();
	json_decref(mg->rreported);
	json_decref(mg->rdangling);
	mg->rreported = json_array();
	mg->rdangling = json_array();
	mg->rops = 0;
	mg->cur_commit[0] = '\0';
	mg->cur_seq = 0;
	if ((rc = pl_store_node_seq(&expect, &lastid, mg->cache, mg->node)))
		return rc;
	expect++;
	snprintf(prefix, sizeof(prefix), "ops/%s/", mg->node);
	for (size_t i = 0; i < mg->ncommits && !rc; i++) {
		pl_sync__deltas ds = { NULL, 0, 0, mg->opts->max_blobs, 0 };

		git_oid_tostr(mg->cur_commit, sizeof(mg->cur_commit), &mg->commits[i]);
		if (!(rc = pl_sync__commit_delta(&ds, mg->repo, &mg->commits[i], mg->cur_commit, 1)))
			rc = apply_commit(w, mg, &ds, prefix, &expect);
		pl_sync__deltas_clear(&ds);
	}
	if (rc)
		return range_fail(mg, rc);
	snprintf(key, sizeof(key), "merge.tip/%s", mg->node);
	pl_write_meta_set(w, key, mg->tip);
	snprintf(key, sizeof(key), "merge.q/%s", mg->node);
	pl_write_meta_set(w, key, NULL);
	return pl_write_meta_set(w, "merge.dirty", "1");
}

/* ---- signatures ---- */

int pl_merge__check_signatures(struct merge *mg, char *why, size_t sz)
{
	int rc;

	if (!pl_keyring_has(&mg->keys, mg->node)) {
		/* before enrolment: merged as before, and said */
		for (size_t i = 0; i < json_array_size(mg->res->unenrolled); i++)
			if (!strcmp(json_string_value(json_array_get(mg->res->unenrolled, i)), mg->node))
				return 0;
		if (json_array_append_new(mg->res->unenrolled, json_string(mg->node)))
			return pl_error_set(PL_ERROR, "out of memory");
		return 0;
	}
	for (size_t i = 0; i < mg->ncommits; i++) {
		if ((rc = pl_sync__keyring_check(why, sz, &mg->keys, mg->node, mg->repo, &mg->commits[i])) != 0) {
			git_oid_tostr(mg->cur_commit, sizeof(mg->cur_commit), &mg->commits[i]);
			return rc;
		}
	}
	return 0;
}
