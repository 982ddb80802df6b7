/*
 * audit-verify-state.c — verify's last step: every state/ and conflicts/
 * file of main compared with what the merge renders (pl_merge_state_json,
 * pl_merge_conflicts_json) from the fold of main's ops, a difference named
 * field by field; and every live record of the fold must have its file.
 * Each problem names the file at the commit on main since which it is what
 * it is ("<commit>:<path>", pl_audit__since): the merge that wrote it, or
 * the hand commit that changed it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "plsync/audit.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/schema.h"
#include "plsync/store.h"
#include "audit-verify-int.h"
#include "tree-int.h"

/* 5. state/ and conflicts/ against the fold */

/* A problem with main's file `path`, named at the commit since which it is so. */
static int file_problem(struct verify *v, const char *path, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int file_problem(struct verify *v, const char *path, const char *node, const char *fmt, ...)
{
	char where[700], since[41], what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pl_audit__since(v, where, sizeof(where), since, path);
	return pl_audit__problem(v, where, node, 0, since, "%s", what);
}

/* A value as compact JSON, numbers canonical (malloc'd, NULL if out of memory). */
static char *value_dump(const json_t *v)
{
	if (json_is_number(v)) {
		char num[32];
		pl_json_number(num, v);
		return strdup(num);
	}
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void diff_fields(char *out, size_t sz, const char *file, const json_t *want)
{
	json_t *got = json_loads(file, 0, NULL), *gf = json_object(), *wf = json_object(), *v;
	const char *k;
	size_t off = 0, n = 0;

	out[0] = '\0';
	if (!got) {
		snprintf(out, sz, "not valid JSON");
		goto cleanup;
	}
	pl_json_flatten(gf, got);
	pl_json_flatten(wf, (json_t *)want);
	json_object_foreach(wf, k, v) {
		json_t *g = json_object_get(gf, k);
		if (g && json_equal(g, v))
			continue;
		char *gs = g ? value_dump(g) : NULL;
		char *ws = value_dump(v);
		if (n++ < 4 && off < sz)
			off += snprintf(out + off, sz - off, "%s%s is %s in the file, %s from the ops", off ? "; " : "", k,
			                gs ? gs : "absent", ws ? ws : "?");
		free(gs);
		free(ws);
	}
	json_object_foreach(gf, k, v) {
		if (json_object_get(wf, k))
			continue;
		char *gs = value_dump(v);
		if (n++ < 4 && off < sz)
			off += snprintf(out + off, sz - off, "%s%s is %s in the file, unset by the ops", off ? "; " : "", k,
			                gs ? gs : "?");
		free(gs);
	}
	if (n > 4 && off < sz)
		snprintf(out + off, sz - off, "; and %zu more", n - 4);
	if (!n)
		snprintf(out, sz, "same values, but not the canonical bytes the merge writes");
cleanup:
	json_decref(got);
	json_decref(gf);
	json_decref(wf);
}

/* Compare a file's blob with the rendering `want`; 0 if equal. */
static int compare_file(struct verify *v, const char *path, const git_tree_entry *e, const json_t *want,
                        const char *id)
{
	char *text = pl_json_canonical(want), detail[700];
	git_blob *blob = NULL;
	git_oid h;

	if (!text)
		return v->rc = pl_error_set(PL_ERROR, "out of memory");
	git_odb_hash(&h, text, strlen(text), GIT_OBJECT_BLOB);
	if (!git_oid_cmp(&h, git_tree_entry_id(e))) {
		free(text);
		return 0;
	}
	if (git_blob_lookup(&blob, v->repo, git_tree_entry_id(e)) == 0 && git_blob_rawsize(blob) < (1 << 20)) {
		char *file = strndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
		if (file)
			diff_fields(detail, sizeof(detail), file, want);
		else
			snprintf(detail, sizeof(detail), "out of memory");
		free(file);
	} else {
		snprintf(detail, sizeof(detail), "the blob cannot be read or is oversized");
	}
	git_blob_free(blob);
	free(text);
	return file_problem(v, path, NULL, "differs from the fold of %s's ops: %s", id, detail);
}

/* "<kind>/<h1>/<h2>/<id>.json" or "<id>.json" -> kind (may be NULL) and id */
static int split_path(char kind[33], char id[PL_ID_MAX + 1], const char *rel, int with_kind)
{
	const char *slash = strchr(rel, '/'), *name = strrchr(rel, '/');
	size_t n;

	name = name ? name + 1 : rel;
	n = strlen(name);
	if (n <= 5 || strcmp(name + n - 5, ".json") || n - 5 > PL_ID_MAX)
		return -1;
	memcpy(id, name, n - 5);
	id[n - 5] = '\0';
	if (with_kind) {
		if (!slash || (size_t)(slash - rel) >= 33)
			return -1;
		memcpy(kind, rel, (size_t)(slash - rel));
		kind[slash - rel] = '\0';
	}
	return 0;
}

static int state_file(struct walk *w, const char *path, const git_tree_entry *e)
{
	struct verify *v = w->v;
	char kind[33], id[PL_ID_MAX + 1], want[600];
	pl_record *r = NULL;
	json_t *sj = NULL;
	int rc;

	v->res->states++;
	if (split_path(kind, id, path + strlen("state/"), 1) ||
	    pl_merge_state_path(want, sizeof(want), kind, id) || strcmp(want, path))
		return file_problem(v, path, NULL, "not where the merge puts a state file (state/<kind>/<h1>/<h2>/<id>.json"
		               ", h1h2 from `printf %%s ID | git hash-object --stdin`)");
	if ((rc = pl_store_get(&r, v->fold, id)) == PL_ENOTFOUND)
		return file_problem(v, path, NULL, "no op in main touches record %s: a state file with no history", id);
	if (rc)
		return v->rc = rc;
	if (r->deleted)
		file_problem(v, path, NULL, "record %s is deleted by its ops, but its state file is still here", id);
	else if (strcmp(r->kind, kind))
		file_problem(v, path, NULL, "record %s is a %s by its ops, not a %s", id, r->kind, kind);
	else if (!(sj = pl_merge_state_json(r)))
		v->rc = pl_error_set(PL_ERROR, "out of memory");
	else
		compare_file(v, path, e, sj, id);
	json_decref(sj);
	pl_record_free(r);
	return v->rc;
}

static int conflict_file(struct walk *w, const char *path, const git_tree_entry *e)
{
	struct verify *v = w->v;
	char id[PL_ID_MAX + 1];
	pl_record *r = NULL;
	json_t *cj = NULL;
	int rc;

	v->res->conflicts++;
	if (split_path(NULL, id, path + strlen("conflicts/"), 0) || strchr(path + strlen("conflicts/"), '/'))
		return file_problem(v, path, NULL, "not a conflicts/<id>.json file");
	if ((rc = pl_store_get(&r, v->fold, id)) == PL_ENOTFOUND)
		return file_problem(v, path, NULL, "no op in main touches record %s", id);
	if (rc || (rc = pl_merge_conflicts_json(&cj, v->fold, r))) {
		pl_record_free(r);
		return v->rc = rc;
	}
	if (!cj)
		file_problem(v, path, NULL, "record %s has no open conflict by its ops (%s)", id,
		        r->deleted ? "it is deleted" : "one head, or its heads agree");
	else
		compare_file(v, path, e, cj, id);
	json_decref(cj);
	pl_record_free(r);
	return v->rc;
}

/* every live record of the fold has its state file, and its conflict file if it has conflicts */
static int live_record(const pl_record *r, void *payload)
{
	struct verify *v = payload;
	char path[600];
	json_t *cj = NULL;
	git_oid oid;
	int rc;

	if ((rc = pl_merge_state_path(path, sizeof(path), r->kind, r->id)))
		return v->rc = rc;
	if (!pl_sync__tree_entry_id(&oid, v->main_tree, path))
		file_problem(v, path, r->owner, "missing: record %s is live by its ops but has no state file", r->id);
	if ((rc = pl_merge_conflicts_json(&cj, v->fold, r)))
		return v->rc = rc;
	snprintf(path, sizeof(path), "conflicts/%s.json", r->id);
	if (cj && !pl_sync__tree_entry_id(&oid, v->main_tree, path))
		file_problem(v, path, r->owner, "missing: record %s has an open conflict by its ops", r->id);
	json_decref(cj);
	return v->rc;
}

int pl_audit__verify_state(struct verify *v)
{
	git_tree *t = NULL;
	struct walk ws = { v, "main", "state/", state_file, 0 }, wc = { v, "main", "conflicts/", conflict_file, 0 };

	if (pl_sync__subtree(&t, v->repo, v->main_tree, "state") == 0)
		pl_audit__walk_tree(&ws, t);
	git_tree_free(t);
	if (!v->rc && pl_sync__subtree(&t, v->repo, v->main_tree, "conflicts") == 0)
		pl_audit__walk_tree(&wc, t);
	git_tree_free(t);
	for (const pl_kind_def *const *k = pl_schema_kinds(); *k && !v->rc; k++) {
		int rc = pl_store_foreach(v->fold, (*k)->name, NULL, NULL, live_record, v);
		if (rc && !v->rc)
			v->rc = rc;
	}
	return v->rc;
}
