/*
 * certificate.c — certificates of completed PD and the check of their
 * verification code (plsync/certificate.h).
 *
 * The code is the id of the op that completed the entry: the last op in
 * the record's history (clock order, as every replica folds it) that set
 * status=completed. So the code is the same on every node holding the
 * history, cannot be made without making that op, and a later correction
 * that completes the entry again issues a new one. The HTML goes through
 * the HTML renderer; the PDF through libharu, never by hand.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "plsync/certificate.h"
#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/op.h"
#include "plsync/render.h"
#include "plsync/schema.h"

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The last op of the record that set status=completed. */
struct last {
	int     found;
	pl_oid  id;
	uint64_t hlc, seq;
	char    actor[256], node[PL_NODE_MAX + 1];
};

static int last_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	struct last *l = payload;
	const char *st = sget(op->fields, "status");

	if (op->type == PL_OP_PUT && st && !strcmp(st, "completed")) {
		l->found = 1;
		l->id = *opid;
		l->hlc = op->hlc;
		l->seq = op->seq;
		snprintf(l->actor, sizeof(l->actor), "%s", op->actor ? op->actor : "");
		snprintf(l->node, sizeof(l->node), "%s", op->node ? op->node : "");
	}
	return 0;
}

static void set_num(json_t *c, const char *key, const json_t *v)
{
	char buf[32];
	if (json_is_number(v)) {
		pl_json_number(buf, v);
		json_object_set_new(c, key, json_string(buf));
	}
}

int pl_certificate_get(json_t **out, pl_store *st, const char *entry)
{
	pl_record *e = NULL, *staff = NULL, *off = NULL;
	struct last l = { 0 };
	json_t *c = NULL, *names;
	const char *status, *sid, *oid;
	char hex[PL_OID_HEXSZ + 1], when[32];
	int rc;

	*out = NULL;
	if ((rc = pl_store_get_state(&e, st, entry)))
		goto cleanup;
	if (e->deleted || strcmp(e->kind, "pd_entry")) {
		rc = pl_error_set(PL_EINVALID, "%s is %s, not a pd_entry", entry, e->deleted ? "deleted" : e->kind);
		goto cleanup;
	}
	status = sget(e->fields, "status");
	if (!status || strcmp(status, "completed")) {
		rc = pl_error_set(PL_EINVALID, "pd_entry %s is %s, not completed: there is no certificate yet",
		                  entry, status ? status : "without a status");
		goto cleanup;
	}
	if ((rc = pl_store_log(st, entry, last_cb, &l)))
		goto cleanup;
	if (!l.found) {
		rc = pl_error_set(PL_EINVALID, "pd_entry %s is completed but no op here completed it", entry);
		goto cleanup;
	}
	sid = sget(e->fields, "staff");
	if (sid && pl_store_get_state(&staff, st, sid))
		staff = NULL;
	oid = sget(e->fields, "offering");
	if (oid && pl_store_get_state(&off, st, oid))
		off = NULL;
	pl_oid_fmt(hex, &l.id);
	pl_hlc_fmt(when, l.hlc);
	if (!(c = json_object()) || !(names = json_array())) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	json_object_set_new(c, "entry", json_string(e->id));
	if (sid)
		json_object_set_new(c, "staff", json_string(sid));
	json_object_set_new(c, "name", json_string(staff && sget(staff->fields, "name") ?
	                                           sget(staff->fields, "name") : sid ? sid : ""));
	json_object_set_new(c, "title", json_string(sget(e->fields, "title") ? sget(e->fields, "title") : ""));
	if (oid) {
		json_object_set_new(c, "offering", json_string(oid));
		if (off && sget(off->fields, "title"))
			json_object_set_new(c, "offering_title", json_string(sget(off->fields, "title")));
		if (off && sget(off->fields, "credit_type"))
			json_object_set_new(c, "credit_type", json_string(sget(off->fields, "credit_type")));
	}
	if (sget(e->fields, "provider"))
		json_object_set_new(c, "provider", json_string(sget(e->fields, "provider")));
	if (sget(e->fields, "start"))
		json_object_set_new(c, "start", json_string(sget(e->fields, "start")));
	if (sget(e->fields, "end"))
		json_object_set_new(c, "end", json_string(sget(e->fields, "end")));
	set_num(c, "hours", json_object_get(e->fields, "hours"));
	set_num(c, "credits", json_object_get(e->fields, "credits"));
	for (size_t i = 0; i < json_array_size(json_object_get(e->fields, "standards")); i++) {
		const char *code = json_string_value(json_array_get(json_object_get(e->fields, "standards"), i));
		const char *name = code ? pl_standard_name(code, 2022) : NULL;
		if (code && !name)
			name = pl_standard_name(code, 2011);
		json_array_append_new(names, json_string(name ? name : code ? code : ""));
	}
	json_object_set_new(c, "standards", names);
	json_object_set_new(c, "code", json_string(hex));
	json_object_set_new(c, "completed_at", json_string(when));
	json_object_set_new(c, "completed_by", json_string(l.actor));
	json_object_set_new(c, "node", json_string(l.node));
	json_object_set_new(c, "seq", json_integer((json_int_t)l.seq));
	*out = c;
	c = NULL;
cleanup:
	json_decref(c);
	pl_record_free(e);
	pl_record_free(staff);
	pl_record_free(off);
	return rc;
}

static void chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* What the op set at `key` (when it set it) and the record's value now must agree. */
static int same(const pl_op *op, const pl_record *e, const char *key, const char *code)
{
	const json_t *a = json_object_get(op->fields, key), *b = json_object_get(e->fields, key);
	char *sa = a ? pl_json_canonical(a) : NULL, *sb = b ? pl_json_canonical(b) : NULL;
	int rc = 0;

	chomp(sa);
	chomp(sb);
	if (a && (!b || !sa || !sb || strcmp(sa, sb)))
		rc = pl_error_set(PL_EINVALID, "certificate %s: pd_entry %s was changed after it was completed: "
		                  "%s was %s, is now %s", code, e->id, key, sa ? sa : "(unset)", sb ? sb : "(unset)");
	free(sa);
	free(sb);
	return rc;
}

int pl_certificate_verify(json_t **out, pl_store *st, const char *code)
{
	unsigned char *enc = NULL;
	size_t len = 0;
	pl_op *op = NULL;
	pl_record *e = NULL;
	json_t *c = NULL;
	pl_oid id;
	char hex[PL_OID_HEXSZ + 1];
	const char *status;
	int rc;

	*out = NULL;
	if (code && strlen(code) == PL_OID_HEXSZ) {
		for (int i = 0; i < PL_OID_HEXSZ; i++)
			hex[i] = (char)tolower((unsigned char)code[i]);
		hex[PL_OID_HEXSZ] = '\0';
	}
	if (!code || strlen(code) != PL_OID_HEXSZ || pl_oid_parse(&id, hex))
		return pl_error_set(PL_EINVALID, "that is not a verification code: a code is 40 hex "
		                    "digits (%zu characters given)", code ? strlen(code) : 0);
	if ((rc = pl_store_op_by_id(&enc, &len, st, &id))) {
		if (rc == PL_ENOTFOUND)
			rc = pl_error_set(PL_ENOTFOUND, "certificate %s: no op of this repository has that id: "
			                  "the code was not issued here (forged or mistyped)", hex);
		goto cleanup;
	}
	if ((rc = pl_op_decode(&op, enc, len, NULL)))
		goto cleanup;
	status = sget(op->fields, "status");
	if (op->type != PL_OP_PUT || strcmp(op->kind, "pd_entry") || !status || strcmp(status, "completed")) {
		rc = pl_error_set(PL_EINVALID, "certificate %s: op %s/%llu on %s %s does not complete a pd_entry",
		                  hex, op->node, (unsigned long long)op->seq, op->kind, op->rec);
		goto cleanup;
	}
	if ((rc = pl_certificate_get(&c, st, op->rec)))
		goto cleanup;
	if (strcmp(sget(c, "code"), hex)) {
		rc = pl_error_set(PL_EINVALID, "certificate %s: pd_entry %s was completed again later; its "
		                  "certificate now has code %s", hex, op->rec, sget(c, "code"));
		goto cleanup;
	}
	if ((rc = pl_store_get_state(&e, st, op->rec)) || (rc = same(op, e, "hours", hex)) ||
	    (rc = same(op, e, "credits", hex)) || (rc = same(op, e, "status", hex)))
		goto cleanup;
	*out = c;
	c = NULL;
cleanup:
	json_decref(c);
	pl_record_free(e);
	pl_op_free(op);
	free(enc);
	return rc;
}

/* ---- HTML ---- */

static void row(FILE *f, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	fputs("<tr><th>", f);
	pl_html_fputs(f, label);
	fputs("</th><td>", f);
	pl_html_fputs(f, value);
	fputs("</td></tr>\n", f);
}

static void dates(char *buf, size_t sz, const json_t *c)
{
	const char *s = sget(c, "start"), *e = sget(c, "end");
	if (s && e && strcmp(s, e))
		snprintf(buf, sz, "%s to %s", s, e);
	else
		snprintf(buf, sz, "%s", e ? e : s ? s : "");
}

static void standards(char *buf, size_t sz, const json_t *c)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(json_object_get(c, "standards")) && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s", i ? ", " : "",
		                      json_string_value(json_array_get(json_object_get(c, "standards"), i)));
}

int pl_certificate_html(FILE *f, const json_t *c)
{
	char d[64], stds[1024], credits[128];
	const char *what = sget(c, "offering_title") ? sget(c, "offering_title") : sget(c, "title");

	dates(d, sizeof(d), c);
	standards(stds, sizeof(stds), c);
	snprintf(credits, sizeof(credits), "%s%s%s", sget(c, "credits") ? sget(c, "credits") : "",
	         sget(c, "credits") && sget(c, "credit_type") ? " " : "",
	         sget(c, "credits") && sget(c, "credit_type") ? sget(c, "credit_type") : "");
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Certificate: ", f);
	pl_html_fputs(f, sget(c, "name"));
	fputs("</title>\n<style>body{font-family:serif;max-width:48em;margin:3em auto;text-align:center}"
	      "table{margin:2em auto;text-align:left}th{padding-right:1em}"
	      ".code{font-family:monospace}</style>\n</head><body>\n<h1>Certificate of Completion</h1>\n"
	      "<p>This certifies that</p>\n<h2>", f);
	pl_html_fputs(f, sget(c, "name"));
	fputs("</h2>\n<p>completed</p>\n<h2>", f);
	pl_html_fputs(f, what);
	fputs("</h2>\n<table>\n", f);
	row(f, "Provider", sget(c, "provider"));
	row(f, "Dates", d);
	row(f, "Hours", sget(c, "hours"));
	row(f, "Credits", credits);
	row(f, "Standards", stds);
	row(f, "Entry", sget(c, "entry"));
	fputs("</table>\n<p>Verification code: <span class=\"code\">", f);
	pl_html_fputs(f, sget(c, "code"));
	fputs("</span></p>\n</body></html>\n", f);
	return ferror(f) ? pl_error_set(PL_EOS, "writing the certificate failed: %s", strerror(errno)) : 0;
}

/* ---- PDF ---- */

struct pdf_err {
	HPDF_STATUS error, detail;
};

static void pdf_error(HPDF_STATUS error, HPDF_STATUS detail, void *data)
{
	struct pdf_err *e = data;
	if (!e->error) {
		e->error = error;
		e->detail = detail;
	}
}

/* UTF-8 into WinAnsi (Latin-1 range as is), anything else '?'. */
static void latin1(char *out, size_t sz, const char *s)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p && n + 1 < sz) {
		if (*p >= 0x20 && *p < 0x7f) {
			out[n++] = (char)*p++;
		} else if ((*p == 0xc2 || *p == 0xc3) && (p[1] & 0xc0) == 0x80) {
			unsigned cp = ((unsigned)(*p & 0x1f) << 6) | (p[1] & 0x3f);
			out[n++] = cp >= 0xa0 ? (char)cp : '?';
			p += 2;
		} else {
			out[n++] = '?';
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		}
	}
	out[n] = '\0';
}

static void centred(HPDF_Page page, HPDF_Font font, float size, float y, const char *text)
{
	char buf[512];
	float w;

	latin1(buf, sizeof(buf), text);
	HPDF_Page_SetFontAndSize(page, font, size);
	w = HPDF_Page_TextWidth(page, buf);
	HPDF_Page_BeginText(page);
	HPDF_Page_TextOut(page, (HPDF_Page_GetWidth(page) - w) / 2, y, buf);
	HPDF_Page_EndText(page);
}

int pl_certificate_pdf(const json_t *c, const char *path)
{
	struct pdf_err err = { 0 };
	HPDF_Doc pdf = HPDF_New(pdf_error, &err);
	HPDF_Page page;
	HPDF_Font regular, bold, mono;
	char d[64], stds[1024], line[1200];
	const char *what = sget(c, "offering_title") ? sget(c, "offering_title") : sget(c, "title");
	float y;
	int rc = 0;

	if (!pdf)
		return pl_error_set(PL_ERROR, "out of memory (PDF)");
	HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, "Certificate of Completion");
	HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "plsync");
	page = HPDF_AddPage(pdf);
	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	regular = HPDF_GetFont(pdf, "Times-Roman", "WinAnsiEncoding");
	bold = HPDF_GetFont(pdf, "Times-Bold", "WinAnsiEncoding");
	mono = HPDF_GetFont(pdf, "Courier", "WinAnsiEncoding");
	if (err.error)
		goto fail;
	HPDF_Page_SetLineWidth(page, 3);
	HPDF_Page_Rectangle(page, 30, 30, HPDF_Page_GetWidth(page) - 60, HPDF_Page_GetHeight(page) - 60);
	HPDF_Page_Stroke(page);
	y = HPDF_Page_GetHeight(page) - 110;
	centred(page, bold, 34, y, "Certificate of Completion");
	centred(page, regular, 16, y -= 50, "This certifies that");
	centred(page, bold, 26, y -= 40, sget(c, "name"));
	centred(page, regular, 16, y -= 36, "completed");
	centred(page, bold, 22, y -= 36, what);
	dates(d, sizeof(d), c);
	snprintf(line, sizeof(line), "%s%s%s hours%s%s%s%s", d, *d ? "  |  " : "",
	         sget(c, "hours") ? sget(c, "hours") : "0", sget(c, "credits") ? "  |  " : "",
	         sget(c, "credits") ? sget(c, "credits") : "", sget(c, "credits") ? " " : "",
	         sget(c, "credits") ? (sget(c, "credit_type") ? sget(c, "credit_type") : "credits") : "");
	centred(page, regular, 14, y -= 40, line);
	if (sget(c, "provider"))
		centred(page, regular, 14, y -= 22, sget(c, "provider"));
	standards(stds, sizeof(stds), c);
	if (*stds) {
		snprintf(line, sizeof(line), "Standards: %s", stds);
		centred(page, regular, 12, y -= 22, line);
	}
	snprintf(line, sizeof(line), "Verification code: %s", sget(c, "code"));
	centred(page, mono, 10, 60, line);
	if (err.error)
		goto fail;
	if (HPDF_SaveToFile(pdf, path) != HPDF_OK || err.error) {
		rc = pl_error_set(PL_EOS, "%s: the PDF could not be written (libharu error 0x%04X)", path,
		                  (unsigned)err.error);
		goto cleanup;
	}
	goto cleanup;
fail:
	rc = pl_error_set(PL_ERROR, "making the PDF failed (libharu error 0x%04X, detail %u)",
	                  (unsigned)err.error, (unsigned)err.detail);
cleanup:
	HPDF_Free(pdf);
	return rc;
}
