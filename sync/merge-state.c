/*
 * merge-state.c — the files the merge renders from the cache: state/<kind>/
 * <aa>/<bb>/<id>.json (a record's fields and its own keys, canonical JSON)
 * and conflicts/<id>.json (its open conflicts), one renderer for the merge
 * and for verify (pl_merge_state_json, pl_merge_conflicts_json). The files
 * of the records a merge touched are made, hashed and compressed on worker
 * threads, then put in the tree in order, so the tree does not depend on
 * the threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>

#include <git2.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "merge-int.h"
#include "pack-int.h"
#include "tree-int.h"

#define STATE_CHUNK 32768

int pl_merge_state_path(char *buf, size_t sz, const char *kind, const char *id)
{
	git_oid h;
	char hex[41];
	int rc;

	if ((rc = git_odb_hash(&h, id, strlen(id), GIT_OBJECT_BLOB)) < 0)
		return pl_error_from_git(rc, "hashing an id");
	git_oid_tostr(hex, sizeof(hex), &h);
	snprintf(buf, sz, "state/%s/%.2s/%.2s/%s.json", kind, hex, hex + 2, id);
	return 0;
}

/* The state file's object: o (r's fields, taken) with the record's own keys. */
static json_t *state_json_of(json_t *o, const pl_record *r)
{
	char when[32];

	if (!o)
		return NULL;
	json_object_set_new(o, "_id", json_string(r->id));
	json_object_set_new(o, "_kind", json_string(r->kind));
	json_object_set_new(o, "_owner", json_string(r->owner));
	pl_hlc_fmt(when, r->updated);
	json_object_set_new(o, "_updated", json_string(when));
	return o;
}

json_t *pl_merge_state_json(const pl_record *r)
{
	return state_json_of(json_deep_copy(r->fields), r);
}

int pl_merge_conflicts_json(json_t **out, pl_store *st, const pl_record *r)
{
	json_t *conf = NULL;
	int rc;

	*out = NULL;
	if (r->deleted)
		return 0;
	if ((rc = pl_store_conflicts(&conf, st, r)) || !conf)
		return rc;
	if (!(*out = json_pack("{ss ss so}", "id", r->id, "kind", r->kind, "fields", conf)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

/*
 * State files written since the last chunk went to disk. A first merge
 * writes one per record: they go to disk as a pack every STATE_CHUNK files
 * rather than all held in the mempack until the commit.
 */

/* Take a file made (hashed and compressed) by a worker into the chunk. */
static void chunk_take(struct chunk *ck, pl_sync__zobj *o)
{
	ck->o[ck->n++] = *o;
	o->z = NULL;
}

/* The chunk's files to disk as one pack. */
static int chunk_flush(struct merge *mg, struct chunk *ck)
{
	int rc = pl_sync__write_zpack(mg->repo, ck->o, ck->n);
	for (size_t i = 0; i < ck->n; i++)
		free(ck->o[i].z);
	ck->n = 0;
	return rc ? rc : pl_store_release_pages(mg->cache);
}

/*
 * One record's files, made by a worker thread from the cache alone (read
 * transactions, its own JSON and zlib stream; errors come back as text and
 * a hint, pl_error being per thread): hashed and compressed, ready for a pack. The
 * main thread then puts them in the tree, in order, so the result does not
 * depend on the threads. Nothing writes the cache (or reopens it:
 * chunk_flush) while workers read it.
 */
struct sfile {
	const char   *id, *kind;
	int           rc, deleted;
	pl_sync__zobj state, conf;  /* conf.z NULL: no conflicts */
	char          err[600];
	enum pl_hint  hint;
	char          hint_arg[PL_HINT_ARG_MAX];
};

static int file_of(pl_sync__zobj *o, z_stream *z, const json_t *v)
{
	char *s = v ? pl_json_canonical(v) : NULL;
	int rc;

	if (!s)
		return pl_error_set(PL_ERROR, "out of memory");
	rc = pl_sync__zobj_make(o, z, GIT_OBJECT_BLOB, s, strlen(s));
	free(s);
	return rc;
}

static void sfile_make(pl_store *cache, z_stream *z, struct sfile *f)
{
	pl_record *r = NULL;
	json_t *sj = NULL, *conf = NULL;

	if ((f->rc = pl_store_get_state(&r, cache, f->id)))
		goto done;
	f->deleted = r->deleted;
	if (!r->deleted) {
		/* r's fields become the file's object (no copy); the conflicts
		 * below read only r's heads */
		sj = state_json_of(r->fields, r);
		r->fields = NULL;
		if ((f->rc = file_of(&f->state, z, sj)))
			goto done;
	}
	if ((f->rc = pl_merge_conflicts_json(&conf, cache, r)) == 0 && conf)
		f->rc = file_of(&f->conf, z, conf);
done:
	if (f->rc) {
		snprintf(f->err, sizeof(f->err), "%s", pl_error_last()->message);
		f->hint = pl_error_last()->hint;
		snprintf(f->hint_arg, sizeof(f->hint_arg), "%s", pl_error_last()->hint_arg);
	}
	json_decref(conf);
	json_decref(sj);
	pl_record_free(r);
}

struct sworker {
	pl_store     *cache;
	struct sfile *f;
	size_t        from, to;
	pthread_t     th;
};

static void *sworker_run(void *arg)
{
	struct sworker *wk = arg;
	z_stream z;
	int zrc = pl_sync__zstream_init(&z);

	for (size_t i = wk->from; i < wk->to; i++) {
		if (zrc) {
			wk->f[i].rc = zrc;
			snprintf(wk->f[i].err, sizeof(wk->f[i].err), "zlib: cannot start a deflate stream");
			continue;
		}
		sfile_make(wk->cache, &z, &wk->f[i]);
	}
	if (!zrc)
		deflateEnd(&z);
	return NULL;
}

/* Make files f[0..n) on up to `nth` threads, this one included. */
static void sfiles_make(pl_store *cache, struct sfile *f, size_t n, int nth)
{
	struct sworker wk[8];
	int started[8] = { 0 };

	if (nth > 8)
		nth = 8;
	for (int t = 0; t < nth; t++) {
		wk[t].cache = cache;
		wk[t].f = f;
		wk[t].from = n * (size_t)t / (size_t)nth;
		wk[t].to = n * (size_t)(t + 1) / (size_t)nth;
		/* a thread that cannot start leaves its share to this one */
		if (t > 0)
			started[t] = pthread_create(&wk[t].th, NULL, sworker_run, &wk[t]) == 0;
	}
	sworker_run(&wk[0]);
	for (int t = 1; t < nth; t++) {
		if (started[t])
			pthread_join(wk[t].th, NULL);
		else
			sworker_run(&wk[t]);
	}
}

#define STATE_BATCH 4096

int pl_merge__state_updates(struct merge *mg)
{
	struct chunk ck = { NULL, 0 };
	struct sfile *f = NULL;
	void *it = json_object_iter(mg->touched);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nth = ncpu > 1 ? (int)(ncpu < 4 ? ncpu : 4) : 1, rc = 0;

	if (!(ck.o = malloc((STATE_CHUNK + 2 * STATE_BATCH) * sizeof(*ck.o))) ||
	    !(f = calloc(STATE_BATCH, sizeof(*f)))) {
		free(ck.o);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	while (it && !rc) {
		size_t n = 0;

		for (; it && n < STATE_BATCH; it = json_object_iter_next(mg->touched, it), n++) {
			memset(&f[n], 0, sizeof(f[n]));
			f[n].id = json_object_iter_key(it);
			f[n].kind = json_string_value(json_object_iter_value(it));
		}
		sfiles_make(mg->cache, f, n, nth);
		for (size_t i = 0; i < n; i++) {
			char spath[512], cpath[512];
			int in_base;

			if (!rc && f[i].rc) {
				pl_error_set(f[i].rc, "%s", f[i].err);
				rc = pl_error_hint(f[i].hint, f[i].hint_arg);
			}
			if (!rc)
				rc = pl_merge_state_path(spath, sizeof(spath), f[i].kind, f[i].id);
			snprintf(cpath, sizeof(cpath), "conflicts/%s.json", f[i].id);
			if (!rc && f[i].deleted) {
				git_oid had;
				if (pl_sync__tree_entry_id(&had, mg->base, spath))
					rc = pl_merge__updates_add(&mg->ups, spath, NULL, 1);
			} else if (!rc) {
				chunk_take(&ck, &f[i].state);
				rc = pl_merge__updates_add(&mg->ups, spath, &ck.o[ck.n - 1].id, 0);
			}
			if (!rc)
				mg->res->records++;
			in_base = mg->base_conflicts && git_tree_entry_byname(mg->base_conflicts, cpath + strlen("conflicts/"));
			if (!rc && f[i].conf.z) {
				chunk_take(&ck, &f[i].conf);
				rc = pl_merge__updates_add(&mg->ups, cpath, &ck.o[ck.n - 1].id, 0);
				mg->res->conflicts++;
				mg->res->open_conflicts += !in_base; /* main's conflicts/ gains a file */
			} else if (!rc && in_base) {
				rc = pl_merge__updates_add(&mg->ups, cpath, NULL, 1);
				mg->res->open_conflicts--;
			}
			free(f[i].state.z);
			free(f[i].conf.z);
		}
		if (!rc && ck.n >= STATE_CHUNK)
			rc = chunk_flush(mg, &ck);
	}
	free(f);
	/* the last chunk goes in the commit's pack (one pack for a small merge) */
	mg->ck = ck;
	return rc;
}
