/*
 * page-import.c — the import page over the import library (plsync/import.h):
 *
 *   GET  /import             the upload form (a kind, a CSV file), and undo
 *   POST /import             (multipart) keep the file for this session
 *                            (upload.c) and go to its preview
 *   GET  /import/ID          the preview: a select per column listing the
 *                            kind's fields ("as named" lets the library's
 *                            own matching map it), every error with its
 *                            line and column, the new / updated / unchanged
 *                            counts, and Commit when there is no error
 *   POST /import/ID/map      save the columns' mapping, back to the preview
 *   POST /import/ID/commit   parse again and pl_import_commit as the
 *                            logged-in person; the upload is then dropped
 *   POST /import/undo        pl_import_undo: take back the last import
 *
 * For a clerk, coordinator or admin. Nothing is written before Commit.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/import.h"
#include "plsync/schema.h"
#include "plsync/user.h"
#include "web.h"

#define COLUMNS_MAX 100

static int may_import(const web_req *r)
{
	return (r->user.roles & (PL_USER_CLERK | PL_USER_COORDINATOR | PL_USER_ADMIN)) != 0;
}

/* The CSV's header row: its column names (quotes undone), as an array. */
static json_t *header_columns(const char *data, size_t len)
{
	json_t *cols = json_array();
	char cell[512];
	size_t i = 0, n = 0;
	int quoted = 0;

	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	for (; i <= len && json_array_size(cols) < COLUMNS_MAX; i++) {
		char ch = i < len ? data[i] : '\n';
		if (quoted) {
			if (ch == '"' && i + 1 < len && data[i + 1] == '"')
				i++;
			else if (ch == '"') {
				quoted = 0;
				continue;
			}
			if (n + 1 < sizeof(cell))
				cell[n++] = ch;
			continue;
		}
		if (ch == '"') {
			quoted = 1;
		} else if (ch == ',' || ch == '\n' || ch == '\r') {
			json_t *name;
			cell[n] = 0;
			name = json_string(cell);   /* NULL: not UTF-8 */
			json_array_append_new(cols, name ? name : json_string(""));
			n = 0;
			if (ch != ',')
				break;
		} else if (n + 1 < sizeof(cell)) {
			cell[n++] = ch;
		}
	}
	return cols;
}

static void field_options(web_req *r, const pl_kind_def *k, const char *sel)
{
	char path[160];

	web_html(r, "<option value=\"\"%s>(as named)</option><option value=\"-\"%s>(ignore)</option>"
	         "<option value=\"id\"%s>id</option>", !sel || !*sel ? " selected" : "",
	         sel && !strcmp(sel, "-") ? " selected" : "", sel && !strcmp(sel, "id") ? " selected" : "");
	for (const pl_field_def *f = k->fields; f->name; f++)
		for (const pl_field_def *s = f->type == PL_T_MAP ? f->sub : f; s && s->name; s++) {
			if (f->type == PL_T_MAP)
				snprintf(path, sizeof(path), "%s.%s", f->name, s->name);
			else
				snprintf(path, sizeof(path), "%s", f->name);
			web_html(r, "<option value=\"");
			web_text(r, path);
			web_html(r, "\"%s>", sel && !strcmp(sel, path) ? " selected" : "");
			web_text(r, path);
			web_html(r, "</option>");
			if (f->type != PL_T_MAP)
				break;
		}
}

/* A new import of the upload, its mapping applied, parsed. 0, or the
 * library's code (its message set; *out still the import when parsing
 * found errors). */
static int parse(pl_import **out, web_req *r, const web_upload *u)
{
	const char *col;
	json_t *field;
	int rc;

	*out = NULL;
	if ((rc = pl_import_new(out, u->kind, u->file, NULL)))
		return rc;
	json_object_foreach(u->map, col, field)
		if ((rc = pl_import_map(*out, col, strcmp(json_string_value(field), "-") ? json_string_value(field) : "")))
			return rc;
	return pl_import_parse(*out, r->store, u->data, u->len);
}

static void upload_form(web_req *r, const char *msg, const char *cls)
{
	const pl_kind_def *const *ks = pl_schema_kinds();

	web_page_begin(r, "Import a spreadsheet");
	if (msg)
		web_notice(r, cls, msg);
	web_html(r, "<p>Save the sheet as CSV, upload it here, check how its columns map to the record's fields "
	         "and every problem the file has, then commit. Nothing is written before that.</p>\n"
	         "<form method=\"post\" action=\"/import\" enctype=\"multipart/form-data\">"
	         "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_text(r, r->user.csrf);
	web_html(r, "\"><label>Records of kind <select name=\"kind\">");
	for (size_t i = 0; ks[i]; i++) {
		web_html(r, "<option value=\"");
		web_text(r, ks[i]->name);
		web_html(r, "\">");
		web_text(r, ks[i]->help);
		web_html(r, "</option>");
	}
	web_html(r, "</select></label><label>CSV file <input type=\"file\" name=\"file\" accept=\".csv,text/csv\" required>"
	         "</label> (at most %zu KiB)\n", r->cfg->upload_max >> 10);
	web_button(r, "Upload and preview", NULL, NULL);
	web_html(r, "</form>\n<h2>Undo</h2>\n");
	web_form_begin(r, "/import/undo");
	web_button(r, "Undo the last import", NULL, NULL);
	web_form_end(r);
	web_page_end(r);
}

static int preview(web_req *r, const char *id)
{
	web_upload u;
	pl_import *im = NULL;
	const pl_kind_def *k;
	json_t *cols;
	char action[WEB_UPLOAD_ID + 32], name[32];
	size_t nerr;
	int rc;

	if (web_upload_get(r, id, &u))
		return web_error(r, 404, "There is no such upload (it is kept for one hour, for the session that sent it).");
	k = pl_schema_kind(u.kind);
	rc = parse(&im, r, &u);
	web_page_begin(r, "Import: preview");
	web_html(r, "<p>");
	web_text(r, u.file);
	web_html(r, ": records of kind ");
	web_text(r, u.kind);
	web_html(r, "</p>\n");
	if (rc && rc != PL_EINVALID)
		web_notice(r, "error", pl_error_last()->message);
	/* the mapping */
	cols = header_columns(u.data, u.len);
	web_html(r, "<h2>Columns</h2>\n");
	snprintf(action, sizeof(action), "/import/%s/map", u.id);
	web_form_begin(r, action);
	web_html(r, "<table class=\"mapping\"><tr><th>Column</th><th>Field</th></tr>\n");
	for (size_t i = 0; i < json_array_size(cols); i++) {
		const char *col = json_string_value(json_array_get(cols, i));
		web_html(r, "<tr><td>");
		web_text(r, col);
		snprintf(name, sizeof(name), "map.%zu", i);
		web_html(r, "</td><td><select name=\"%s\">", name);
		field_options(r, k, json_string_value(json_object_get(u.map, col)));
		web_html(r, "</select></td></tr>\n");
	}
	web_html(r, "</table>\n");
	if (im && *pl_import_ignored(im)) {
		web_html(r, "<p class=\"muted\">Ignored (they name no field): ");
		web_text(r, pl_import_ignored(im));
		web_html(r, "</p>\n");
	}
	web_button(r, "Apply the mapping", NULL, NULL);
	web_form_end(r);
	json_decref(cols);
	/* errors and counts */
	nerr = im ? pl_import_error_count(im) : 0;
	if (nerr) {
		web_html(r, "<h2>%zu problem%s: nothing can be imported yet</h2>\n<table class=\"errors\">"
		         "<tr><th>Line</th><th>Column</th><th>Field</th><th>Problem</th></tr>\n", nerr, nerr == 1 ? "" : "s");
		for (size_t i = 0; i < pl_import_errors_kept(im); i++) {
			const pl_import_error *e = pl_import_error_get(im, i);
			if (e->line)
				web_html(r, "<tr><td>%zu</td><td>", e->line);
			else
				web_html(r, "<tr><td>(file)</td><td>");
			web_text(r, e->column);
			web_html(r, "</td><td>");
			web_text(r, e->field);
			web_html(r, "</td><td>");
			web_text(r, e->message);
			web_html(r, "</td></tr>\n");
		}
		web_html(r, "</table>\n");
		if (nerr > pl_import_errors_kept(im))
			web_html(r, "<p>... and %zu more.</p>\n", nerr - pl_import_errors_kept(im));
	} else if (!rc) {
		web_html(r, "<h2>Ready</h2>\n<p class=\"counts\">%zu new, %zu updated, %zu unchanged</p>\n",
		         pl_import_count(im, PL_IMPORT_NEW), pl_import_count(im, PL_IMPORT_UPDATE),
		         pl_import_count(im, PL_IMPORT_SAME));
		snprintf(action, sizeof(action), "/import/%s/commit", u.id);
		web_form_begin(r, action);
		web_button(r, "Commit the import", NULL, NULL);
		web_form_end(r);
	}
	web_page_end(r);
	pl_import_free(im);
	web_upload_done(&u);
	return 0;
}

static int save_map(web_req *r, const char *id)
{
	web_upload u;
	json_t *cols, *map = json_object();
	char name[32], where[WEB_UPLOAD_ID + 16];

	if (web_upload_get(r, id, &u)) {
		json_decref(map);
		return web_error(r, 404, "There is no such upload.");
	}
	cols = header_columns(u.data, u.len);
	for (size_t i = 0; i < json_array_size(cols); i++) {
		const char *v;
		snprintf(name, sizeof(name), "map.%zu", i);
		if ((v = web_arg(r, name)) && *v)
			json_object_set_new(map, json_string_value(json_array_get(cols, i)), json_string(v));
	}
	web_upload_set_map(r, id, map);
	json_decref(map);
	json_decref(cols);
	web_upload_done(&u);
	snprintf(where, sizeof(where), "/import/%s", id);
	return web_redirect(r, where);
}

static int commit(web_req *r, const char *id)
{
	web_upload u;
	pl_import *im = NULL;
	char first[PL_ID_MAX + 1] = "", last[PL_ID_MAX + 1] = "", note[300], msg[PL_ERROR_MSG_MAX + 64];
	int rc;

	if (web_upload_get(r, id, &u))
		return web_error(r, 404, "There is no such upload.");
	snprintf(note, sizeof(note), "import of %s", u.file);
	rc = parse(&im, r, &u);
	if (!rc)
		rc = pl_import_commit(im, r->store, r->user.actor, note, first, last);
	if (rc) {
		snprintf(msg, sizeof(msg), "Not imported: %s", pl_error_last()->message);
		pl_import_free(im);
		web_upload_done(&u);
		r->status = 422;
		return web_error(r, 422, msg);
	}
	web_page_begin(r, "Imported");
	web_html(r, "<p class=\"notice ok\">");
	web_text(r, u.file);
	web_html(r, ": %zu new, %zu updated, %zu unchanged.</p>\n", pl_import_count(im, PL_IMPORT_NEW),
	         pl_import_count(im, PL_IMPORT_UPDATE), pl_import_count(im, PL_IMPORT_SAME));
	if (*first) {
		web_html(r, "<p>First record: ");
		web_record_link(r, first, NULL);
		web_html(r, ", last: ");
		web_record_link(r, last, NULL);
		web_html(r, "</p>\n");
	}
	web_html(r, "<p><a href=\"/import\">Import another file, or undo this one</a></p>\n");
	web_page_end(r);
	pl_import_free(im);
	web_upload_drop(r, id);
	web_upload_done(&u);
	return 0;
}

static int undo(web_req *r)
{
	pl_import_undone d;
	char msg[PL_ERROR_MSG_MAX + 300];

	if (pl_import_undo(&d, r->store, r->user.actor, "undo import from the web")) {
		snprintf(msg, sizeof(msg), "Nothing undone: %s", pl_error_last()->message);
		r->status = pl_error_last()->code == PL_ENOTFOUND ? 404 : 422;
		upload_form(r, msg, "error");
		return 0;
	}
	snprintf(msg, sizeof(msg), "Undone: the import of %s (%s): %zu records deleted, %zu set back, "
	         "%zu fields changed since then kept.", d.file, d.kind, d.deleted, d.restored, d.kept);
	upload_form(r, msg, "ok");
	return 0;
}

static int upload(web_req *r)
{
	const char *kind = web_arg(r, "kind"), *file = web_arg(r, "file.name");
	char id[WEB_UPLOAD_ID + 1], where[WEB_UPLOAD_ID + 16];

	if (!r->uploaded || !kind || !pl_schema_kind(kind)) {
		r->status = 400;
		upload_form(r, "Pick a kind and a CSV file.", "error");
		return 0;
	}
	if (web_upload_put(r, kind, file && *file ? file : "upload.csv", r->upload ? r->upload : "",
	                   r->upload_len, id))
		return web_error(r, 500, "Out of memory.");
	snprintf(where, sizeof(where), "/import/%s", id);
	return web_redirect(r, where);
}

int page_import(web_req *r, const char *rest)
{
	int get = strcmp(r->method, "POST") != 0;
	char id[WEB_UPLOAD_ID + 1];
	const char *slash;
	size_t n;

	if (!may_import(r))
		return web_error(r, 403, "Importing is for a clerk or the coordinator.");
	if (!*rest) {
		if (get)
			upload_form(r, NULL, NULL);
		return get ? 0 : upload(r);
	}
	if (!get && !strcmp(rest, "undo"))
		return undo(r);
	slash = strchr(rest, '/');
	n = slash ? (size_t)(slash - rest) : strlen(rest);
	if (n != WEB_UPLOAD_ID || strspn(rest, "0123456789abcdef") < n)
		return web_error(r, 404, "There is no such page.");
	memcpy(id, rest, n);
	id[n] = 0;
	if (get && !slash)
		return preview(r, id);
	if (!get && slash && !strcmp(slash, "/map"))
		return save_map(r, id);
	if (!get && slash && !strcmp(slash, "/commit"))
		return commit(r, id);
	return web_error(r, 404, "There is no such page.");
}
