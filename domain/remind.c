/*
 * remind.c — reminders per person (plsync/remind.h) and their RFC 5322
 * form: headers that no value can break (RFC 2047 encoded words for what
 * is not plain ASCII, control characters as spaces, addresses checked),
 * and a quoted-printable UTF-8 body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/calendar.h"
#include "plsync/chain.h"
#include "plsync/errors.h"
#include "plsync/remind.h"
#include "plsync/render.h"
#include "plsync/requirement.h"
#include "dataset-int.h"

/* ---- what to remind whom of ---- */

/* The person's entry in `by` (staff id -> person), made on first use. */
static json_t *person(json_t *by, const json_t *ds, const char *sid)
{
	json_t *p = json_object_get(by, sid);
	const json_t *s = pl_dataset_get(ds, "staff", sid);

	if (p)
		return p;
	p = json_pack("{ss ss so s[]}", "staff", sid, "name", pl_dataset__str(s, "name") ? pl_dataset__str(s, "name") : sid,
	              "email", pl_dataset__str(s, "email") ? json_string(pl_dataset__str(s, "email")) : json_null(),
	              "items");
	if (!p || json_object_set_new(by, sid, p))
		return NULL;
	return p;
}

static int item(json_t *by, const json_t *ds, const char *sid, const char *what, const char *rec, const char *text)
{
	json_t *p = sid ? person(by, ds, sid) : NULL;

	if (!sid)
		return 0;
	if (!p || json_array_append_new(json_object_get(p, "items"),
	                                json_pack("{ss ss ss}", "what", what, "record", rec, "text", text)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

static int licenses(json_t *by, const json_t *ds, long today, int within)
{
	const char *id;
	json_t *s;
	int rc;

	json_object_foreach(pl_dataset_kind(ds, "staff"), id, s) {
		const char *exp = pl_dataset__str(s, "license_expires");
		char text[300];
		long d;

		if (!exp || pl_date_days(&d, exp) || d - today > within)
			continue;
		snprintf(text, sizeof(text), d < today ? "Your license %s expired on %s (%ld days ago)." :
		         "Your license %s expires on %s (in %ld days).", pl_dataset__str(s, "license_number") ?
		         pl_dataset__str(s, "license_number") : "", exp, d < today ? today - d : d - today);
		if ((rc = item(by, ds, id, "license", id, text)))
			return rc;
	}
	return 0;
}

static int approvals(json_t *by, const json_t *ds, long today, int days)
{
	const json_t *rules = pl_dataset_kind(ds, "approval_rule");
	const char *id;
	json_t *e;
	int rc;

	json_object_foreach(pl_dataset_kind(ds, "pd_entry"), id, e) {
		const char *st = pl_dataset__str(e, "status"), *at = pl_dataset__str(e, "requested_at");
		const char *sid = pl_dataset__str(e, "staff");
		const json_t *who = pl_dataset_get(ds, "staff", sid);
		char day[11], text[600];
		pl_chain c;
		pl_role next;
		long d;
		int i;

		if (!st || strcmp(st, "requested") || !at)
			continue;
		snprintf(day, sizeof(day), "%.10s", at);
		if (pl_date_days(&d, day) || today - d <= days)
			continue;
		if ((rc = pl_chain_of(&c, rules, e, who)))
			return rc;
		if ((next = pl_chain_next(&c, e)) == PL_ROLE_NONE || (i = pl_chain_find(&c, next)) < 0 || !c.holder[i])
			continue;
		snprintf(text, sizeof(text), "Waiting for your approval as %s since %s (%ld days): \"%s\" for %s.",
		         pl_role_title(next), day, today - d, pl_dataset__str(e, "title") ? pl_dataset__str(e, "title") : id,
		         pl_dataset__str(who, "name") ? pl_dataset__str(who, "name") : sid ? sid : "?");
		if ((rc = item(by, ds, c.holder[i], "approval", id, text)))
			return rc;
	}
	return 0;
}

static int evaluations(json_t *by, const json_t *ds)
{
	const char *id;
	json_t *e;
	int rc;

	json_object_foreach(pl_dataset_kind(ds, "pd_entry"), id, e) {
		const char *st = pl_dataset__str(e, "status");
		char text[400];

		if (!st || strcmp(st, "completed") || json_object_size(json_object_get(e, "evaluation")))
			continue;
		snprintf(text, sizeof(text), "Please evaluate \"%s\"%s%s.", pl_dataset__str(e, "title") ?
		         pl_dataset__str(e, "title") : id, pl_dataset__str(e, "end") ? ", ended " : "",
		         pl_dataset__str(e, "end") ? pl_dataset__str(e, "end") : "");
		if ((rc = item(by, ds, pl_dataset__str(e, "staff"), "evaluation", id, text)))
			return rc;
	}
	return 0;
}

static int trainings(json_t *by, const json_t *ds, const char *today)
{
	json_t *rows = NULL, *r;
	size_t i;
	int rc;

	if ((rc = pl_compliance(&rows, ds, today, NULL, 30)))
		return rc;
	json_array_foreach(rows, i, r) {
		const char *state = pl_dataset__str(r, "state"), *due = pl_dataset__str(r, "due");
		char text[400];

		if (strcmp(state, "overdue") && strcmp(state, "due_soon"))
			continue;
		snprintf(text, sizeof(text), "Required training \"%s\" is %s%s%s.", pl_dataset__str(r, "title"),
		         pl_compliance_state_title(state), due ? (strcmp(state, "overdue") ? " on " : " since ") : "",
		         due ? due : "");
		if ((rc = item(by, ds, pl_dataset__str(r, "staff"), "training", pl_dataset__str(r, "requirement"), text)))
			break;
	}
	json_decref(rows);
	return rc;
}

static int cmp_person(const void *a, const void *b)
{
	return strcmp(pl_dataset__str(*(json_t *const *)a, "staff"), pl_dataset__str(*(json_t *const *)b, "staff"));
}

int pl_remind(json_t **out, const json_t *ds, const pl_remind_options *o)
{
	json_t *by = json_object(), *res = json_array(), **v = NULL, *p;
	const char *id;
	size_t n = 0;
	long today;
	int rc;

	*out = NULL;
	if (!o || o->version != PL_REMIND_OPTIONS_VERSION)
		rc = pl_error_set(PL_EUSAGE, "pl_remind: options version %u, expected %u", o ? o->version : 0,
		                  PL_REMIND_OPTIONS_VERSION);
	else if (!by || !res)
		rc = pl_error_set(PL_ERROR, "out of memory");
	else if (!o->today || pl_date_days(&today, o->today))
		rc = pl_error_set(PL_EINVALID, "today: '%s' is not a date YYYY-MM-DD", o->today ? o->today : "");
	else if (!(rc = licenses(by, ds, today, o->license_days > 0 ? o->license_days : 90)) &&
	         !(rc = approvals(by, ds, today, o->days ? (o->days < 0 ? -1 : o->days) : 7)) &&
	         !(rc = evaluations(by, ds)) && !(rc = trainings(by, ds, o->today))) {
		if (!(v = calloc(json_object_size(by) + 1, sizeof(*v)))) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		json_object_foreach(by, id, p)
			v[n++] = p;
		qsort(v, n, sizeof(*v), cmp_person);
		for (size_t i = 0; i < n; i++)
			json_array_append(res, v[i]);
		*out = res;
		res = NULL;
	}
cleanup:
	free(v);
	json_decref(by);
	json_decref(res);
	return rc;
}

int pl_remind_write(FILE *f, const json_t *rem, const char *today)
{
	size_t i, k;
	json_t *p, *it;

	json_array_foreach(rem, i, p) {
		pl_term_fputs(f, pl_dataset__str(p, "name"));
		fputs(" (", f);
		pl_term_fputs(f, pl_dataset__str(p, "staff"));
		if (pl_dataset__str(p, "email")) {
			fputs(", ", f);
			pl_term_fputs(f, pl_dataset__str(p, "email"));
		}
		fputs("):\n", f);
		json_array_foreach(json_object_get(p, "items"), k, it) {
			fprintf(f, "  %-10s ", pl_dataset__str(it, "what"));
			pl_term_fputs(f, pl_dataset__str(it, "text"));
			fputs(" [", f);
			pl_term_fputs(f, pl_dataset__str(it, "record"));
			fputs("]\n", f);
		}
	}
	fprintf(f, "%zu %s to remind as of %s\n", json_array_size(rem), json_array_size(rem) == 1 ? "person" : "people",
	        today);
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the reminders");
	return 0;
}

/* ---- RFC 5322 ---- */

/* A plain address: local@domain, printable ASCII without specials. */
static int plain_address(const char *a)
{
	const char *at;

	if (!a || !*a || !(at = strchr(a, '@')) || at == a || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p <= ' ' || *p >= 127 || strchr("<>(),;:\"\\[]", *p))
			return 0;
	return 1;
}

static int plain_ascii_word_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p >= 127 || *p == '"' || *p == '\\' || *p == '=' || *p == '?')
			return 0;
	return 1;
}

static void b64(FILE *f, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? tab[v & 63] : '=', f);
	}
}

/*
 * Write s (control characters made spaces first) as header text: as is,
 * quoted when `quote` (a display name), when it is plain ASCII; else as
 * RFC 2047 "=?UTF-8?B?...?=" words of at most 45 bytes of text each (60
 * characters encoded), split between UTF-8 characters and folded onto
 * lines of their own.
 */
static void header_text(FILE *f, const char *s, int quote)
{
	size_t n = strlen(s), i = 0;
	char *t = malloc(n + 1);

	if (!t)
		return;
	for (size_t k = 0; k <= n; k++)
		t[k] = (unsigned char)s[k] < ' ' && s[k] ? ' ' : s[k] == 127 ? ' ' : s[k];
	if (plain_ascii_word_safe(t)) {
		fprintf(f, quote ? "\"%s\"" : "%s", t);
		free(t);
		return;
	}
	while (i < n) {
		size_t len = n - i < 45 ? n - i : 45;
		while (i + len < n && ((unsigned char)t[i + len] & 0xC0) == 0x80)
			len--;   /* do not split a character */
		if (i)
			fputs("\r\n ", f);
		fputs("=?UTF-8?B?", f);
		b64(f, (const unsigned char *)t + i, len);
		fputs("?=", f);
		i += len;
	}
	free(t);
}

/* Quoted-printable (RFC 2045) of text with LF line ends, CRLF out. */
static void qp(FILE *f, const char *s)
{
	int col = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char enc[4];
		int lit = (*p >= 33 && *p <= 126 && *p != '=') ||
		          ((*p == ' ' || *p == '\t') && p[1] && p[1] != '\n');

		if (*p == '\n') {
			fputs("\r\n", f);
			col = 0;
			continue;
		}
		if (lit) {
			enc[0] = (char)*p;
			enc[1] = '\0';
		} else {
			snprintf(enc, sizeof(enc), "=%02X", *p);
		}
		if (col + (int)strlen(enc) > 75) {
			fputs("=\r\n", f);
			col = 0;
		}
		fputs(enc, f);
		col += (int)strlen(enc);
	}
	if (col)
		fputs("\r\n", f);
}

/* "Name <addr>" or "addr": the display name and the address. */
static int split_from(char *name, size_t nsz, char *addr, size_t asz, const char *from)
{
	const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt && !gt[1]) {
		size_t nl = (size_t)(lt - from);
		while (nl && from[nl - 1] == ' ')
			nl--;
		snprintf(name, nsz, "%.*s", (int)nl, from);
		snprintf(addr, asz, "%.*s", (int)(gt - lt - 1), lt + 1);
	} else {
		name[0] = '\0';
		snprintf(addr, asz, "%s", from);
	}
	return plain_address(addr);
}

int pl_remind_eml(FILE *f, const json_t *p, const char *from, time_t when)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
		                          "Nov", "Dec" };
	const char *email = pl_dataset__str(p, "email"), *name = pl_dataset__str(p, "name");
	char fname[300], faddr[300], subject[400];
	json_t *it;
	size_t i, n;
	struct tm tm;
	char *body = NULL;
	size_t blen = 0;
	FILE *b;

	if (!email || !plain_address(email))
		return pl_error_set(PL_EINVALID, "staff %s: %s", pl_dataset__str(p, "staff"),
		                    email ? "the email is not a plain address" : "no email recorded");
	if (!from || !split_from(fname, sizeof(fname), faddr, sizeof(faddr), from))
		return pl_error_set(PL_EINVALID, "the sender '%s' is not \"Name <address>\" or a plain address",
		                    from ? from : "");
	gmtime_r(&when, &tm);
	fprintf(f, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon],
	        tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	fputs("From: ", f);
	if (*fname) {
		header_text(f, fname, 1);
		fputc(' ', f);
	}
	fprintf(f, "<%s>\r\nTo: ", faddr);
	if (name) {
		header_text(f, name, 1);
		fputc(' ', f);
	}
	fprintf(f, "<%s>\r\n", email);
	n = json_array_size(json_object_get(p, "items"));
	snprintf(subject, sizeof(subject), "Professional learning: %zu reminder%s for %s", n, n == 1 ? "" : "s",
	         name ? name : pl_dataset__str(p, "staff"));
	fputs("Subject: ", f);
	header_text(f, subject, 0);
	fputs("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	      "Content-Transfer-Encoding: quoted-printable\r\n\r\n", f);
	if (!(b = open_memstream(&body, &blen)))
		return pl_error_from_errno("making the message");
	fprintf(b, "Hello %s,\n\n", name ? name : "");
	json_array_foreach(json_object_get(p, "items"), i, it)
		fprintf(b, "- %s\n", pl_dataset__str(it, "text"));
	fputs("\nThis message was made by plsync from the district's professional learning records.\n", b);
	fclose(b);
	qp(f, body ? body : "");
	free(body);
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the message");
	return 0;
}
