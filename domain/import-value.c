/*
 * import-value.c — a cell's text, as a spreadsheet writes it, to the value
 * the schema takes (pl_schema_coerce then checks it, strictly as for any
 * write). Import-only leniency:
 *
 *   date      YYYY-MM-DD, M/D/YYYY, M/D/YY (20YY); D/M with day_first
 *   time      a date, or a date and H:MM or H:MM:SS (' ' or 'T' between,
 *             AM/PM allowed, a trailing Z too) -> YYYY-MM-DDTHH:MM:SSZ
 *   number    "1,234.5"; in an hours field "6.5 h|hr|hrs|hour|hours" and
 *             "90 m|min|mins|minute|minutes" (-> 1.5); in a minutes field
 *             "45 min" and "1.5 hrs" (-> 90)
 *   dollars   a *_cents field read through its name without "_cents":
 *             "$1,234.50", "120", "120.5" -> cents (at most 2 decimals)
 *   cents     a *_cents column itself: whole cents only; "$120.00" or "4.50"
 *             is refused, naming the dollars column to use
 *   boolean   TRUE/FALSE, yes/no, y/n, 1/0 in any case
 *   enum      case, spaces, '-' and '_' do not matter ("In Person" ->
 *             in_person); a near miss says "did you mean"
 *   standards the same for each code of the list ("Learning Designs")
 *   funding   "Local", "Federal:title-ii-a": the source word in lower case
 * Every text but free text is trimmed of spaces and tabs first.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plsync/errors.h"
#include "import-int.h"

static const char *const std_all[] = {
	"learning_communities", "leadership", "resources", "data", "learning_designs", "implementation",
	"outcomes", "equity_practices", "curriculum_assessment_instruction", "professional_expertise",
	"equity_drivers", "evidence", "equity_foundations", "culture_of_collaborative_inquiry", NULL
};

static int refuse(const pl_import *im, const imp_col *c, const char *text, const char *why)
{
	return pl_error_set(PL_EINVALID, "%s.%s: \"%s\" %s", im->kind->name, c->path, text, why);
}

/* "3/14/2026" -> "2026-03-14" into out[11]; 0, or -1 if not that form. */
static int slash_date(char out[11], const char *s, int day_first, const char **rest)
{
	unsigned a, b, y;
	int n = 0;

	if (sscanf(s, "%2u/%2u/%4u%n", &a, &b, &y, &n) != 3 || n == 0)
		return -1;
	/* exactly 2 or 4 digits of year */
	const char *ys = strrchr(s, '/');
	size_t yd = 0;
	while (ys && isdigit((unsigned char)ys[1 + yd]))
		yd++;
	if (!ys || (yd != 2 && yd != 4) || (size_t)(s + n - (ys + 1)) != yd)
		return -1;
	if (yd == 2)
		y += 2000;
	unsigned m = day_first ? b : a, d = day_first ? a : b;
	snprintf(out, 11, "%04u-%02u-%02u", y % 10000, m % 100, d % 100);
	if (rest)
		*rest = s + n;
	return 0;
}

/* "YYYY-MM-DD" at s: copied to out[11], *rest after it; -1 if not. */
static int iso_date(char out[11], const char *s, const char **rest)
{
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return -1;
	memcpy(out, s, 10);
	out[10] = '\0';
	*rest = s + 10;
	return 0;
}

static int to_date(char out[11], const char *s, int day_first, const char **rest)
{
	if (!iso_date(out, s, rest))
		return 0;
	return slash_date(out, s, day_first, rest);
}

/* " 8:05", " 8:05:30 PM", "T08:05:00Z" -> HH:MM:SS; 0 or -1. */
static int to_time(char out[9], const char *s)
{
	unsigned h, m, sec = 0;
	int n = 0;

	if (*s != ' ' && *s != 'T')
		return -1;
	s++;
	while (*s == ' ')
		s++;
	if (sscanf(s, "%2u:%2u%n", &h, &m, &n) != 2)
		return -1;
	s += n;
	if (*s == ':') {
		if (sscanf(s, ":%2u%n", &sec, &n) != 1)
			return -1;
		s += n;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	while (*s == ' ')
		s++;
	if (!strcasecmp(s, "AM") || !strcasecmp(s, "PM")) {
		if (h < 1 || h > 12)
			return -1;
		h = h % 12 + (toupper((unsigned char)*s) == 'P' ? 12 : 0);
	} else if (*s && strcmp(s, "Z")) {
		return -1;
	}
	if (h > 23 || m > 59 || sec > 59)
		return -1;
	snprintf(out, 9, "%02u:%02u:%02u", h, m, sec);
	return 0;
}

/* A decimal with optional thousands commas: 0 and *v, or -1. *rest after it. */
static int decimal(double *v, const char *s, const char **rest)
{
	char buf[64];
	size_t o = 0;
	const char *p = s;

	if (*p == '-' || *p == '+')
		buf[o++] = *p++;
	if (!isdigit((unsigned char)*p) && *p != '.')
		return -1;
	for (; (isdigit((unsigned char)*p) || *p == ',' || *p == '.') && o < sizeof(buf) - 1; p++)
		if (*p != ',')
			buf[o++] = *p;
	buf[o] = '\0';
	char *end;
	*v = strtod(buf, &end);
	if (*end || o == 0)
		return -1;
	*rest = p;
	return 0;
}

static int is_hours_field(const imp_col *c)
{
	const char *leaf = strrchr(c->path, '.');
	leaf = leaf ? leaf + 1 : c->path;
	return strstr(leaf, "hours") != NULL;
}

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcasecmp(w, *list))
			return 1;
	return 0;
}

static json_t *number(double v)
{
	double r = round(v);
	if (fabs(v - r) < 1e-9 && fabs(r) < 9e15)
		return json_integer((json_int_t)r);
	return json_real(v);
}

static int num_value(json_t **out, const pl_import *im, const imp_col *c, const char *s)
{
	static const char *const hours[] = { "h", "hr", "hrs", "hour", "hours", NULL };
	static const char *const mins[] = { "m", "min", "mins", "minute", "minutes", NULL };
	const char *rest;
	double v;

	/* not a number at all: the schema refuses it in its own words */
	if (decimal(&v, s, &rest))
		return (*out = json_string(s)) ? 0 : pl_error_set(PL_ERROR, "out of memory");
	while (*rest == ' ')
		rest++;
	if (*rest) {
		if (!is_hours_field(c))
			return (*out = json_string(s)) ? 0 : pl_error_set(PL_ERROR, "out of memory");
		if (word_in(rest, mins))
			v /= 60.0;
		else if (!word_in(rest, hours))
			return refuse(im, c, s, "is not a number of hours (\"6.5\", \"6.5 hrs\", \"90 min\")");
		v = round(v * 10000.0) / 10000.0;
	}
	if (!(*out = number(v)))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

static int is_minutes_field(const imp_col *c)
{
	const char *leaf = strrchr(c->path, '.');
	return !strcmp(leaf ? leaf + 1 : c->path, "minutes");
}

/* A minutes field: "45", "45 min", "1.5 hrs" (-> 90); else the text, for the schema to refuse. */
static int minutes_value(json_t **out, const char *s)
{
	static const char *const hours[] = { "h", "hr", "hrs", "hour", "hours", NULL };
	static const char *const mins[] = { "m", "min", "mins", "minute", "minutes", NULL };
	const char *rest;
	double v;

	if (!decimal(&v, s, &rest)) {
		while (*rest == ' ')
			rest++;
		if (word_in(rest, hours))
			v *= 60.0;
		if (!*rest || word_in(rest, hours) || word_in(rest, mins)) {
			if (fabs(v - round(v)) < 1e-9)
				return (*out = json_integer((json_int_t)round(v))) ? 0 : pl_error_set(PL_ERROR, "out of memory");
		}
	}
	return (*out = json_string(s)) ? 0 : pl_error_set(PL_ERROR, "out of memory");
}

static int dollars_value(json_t **out, const pl_import *im, const imp_col *c, const char *s)
{
	const char *p = s, *rest;
	double v;

	if (*p == '$')
		p++;
	while (*p == ' ')
		p++;
	if (decimal(&v, p, &rest) || *rest)
		return refuse(im, c, s, "is not an amount of dollars (\"$1,234.50\", \"120\")");
	const char *dot = strchr(p, '.');
	if (dot && strlen(dot + 1) > 2)
		return refuse(im, c, s, "has more than 2 decimals (cents)");
	if (v < 0)
		return refuse(im, c, s, "is negative");
	if (v > 9e13)
		return refuse(im, c, s, "is too large");
	if (!(*out = json_integer((json_int_t)llround(v * 100.0))))
		return pl_error_set(PL_ERROR, "out of memory");
	return 0;
}

static int cents_value(json_t **out, const pl_import *im, const imp_col *c, const char *s)
{
	const char *p = s;

	if (*p == '-' || *p == '+')
		p++;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p)) {
			char dollars[256];
			size_t n = strlen(c->path);
			snprintf(dollars, sizeof(dollars), "%.*s", (int)(n > 6 ? n - 6 : n), c->path);
			return pl_error_set(PL_EINVALID, "%s.%s: \"%s\" is not a whole number of cents; for dollars "
			                    "name the column '%s' (or map it: COLUMN=%s)", im->kind->name, c->path, s,
			                    dollars, dollars);
		}
	*out = json_string(s);
	return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
}

static int bool_value(json_t **out, const pl_import *im, const imp_col *c, const char *s)
{
	static const char *const yes[] = { "true", "yes", "y", "1", NULL };
	static const char *const no[] = { "false", "no", "n", "0", NULL };

	if (word_in(s, yes))
		*out = json_true();
	else if (word_in(s, no))
		*out = json_false();
	else
		return refuse(im, c, s, "is not true or false (TRUE/FALSE, yes/no, 1/0)");
	return 0;
}

/* The canonical value of list whose normalised form is s's, or NULL; near gets a suggestion. */
static const char *canon(const char *s, const char *const *list, const char **near)
{
	char *n = imp_norm(s);
	const char *hit = NULL;
	size_t best = 3;

	*near = NULL;
	if (!n)
		return NULL;
	for (; *list; list++) {
		char *ln = imp_norm(*list);
		if (!ln)
			break;
		if (!strcmp(ln, n))
			hit = *list;
		size_t d = imp_distance(n, ln, 2);
		if (d < best) {
			best = d;
			*near = *list;
		}
		free(ln);
	}
	free(n);
	return hit;
}

static int enum_value(json_t **out, const pl_import *im, const imp_col *c, const char *s)
{
	const char *near, *hit = canon(s, c->def->enums, &near);

	if (!hit) {
		char allowed[512];
		size_t o = 0;
		allowed[0] = '\0';
		for (const char *const *e = c->def->enums; *e && o < sizeof(allowed) - 40; e++)
			o += (size_t)snprintf(allowed + o, sizeof(allowed) - o, "%s%s", o ? ", " : "", *e);
		if (near)
			return pl_error_set(PL_EINVALID, "%s.%s: \"%s\" is not a known value (did you mean '%s'?); allowed: %s",
			                    im->kind->name, c->path, s, near, allowed);
		return pl_error_set(PL_EINVALID, "%s.%s: \"%s\" is not a known value; allowed: %s", im->kind->name,
		                    c->path, s, allowed);
	}
	*out = json_string(hit);
	return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
}

static int stdlist_value(json_t **out, const pl_import *im, const imp_col *c, const char *s)
{
	json_t *arr = json_array();
	const char *p = s;

	if (!arr)
		return pl_error_set(PL_ERROR, "out of memory");
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char item[256];
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		if (item[0]) {
			const char *near, *hit = canon(item, std_all, &near);
			/* an unknown code goes on as written: the schema names it and the set */
			if (json_array_append_new(arr, json_string(hit ? hit : item))) {
				json_decref(arr);
				return pl_error_set(PL_ERROR, "out of memory");
			}
			if (!hit && near) {
				json_decref(arr);
				return pl_error_set(PL_EINVALID, "%s.%s: \"%s\" is not a Learning Forward standard (did you "
				                    "mean '%s'?)", im->kind->name, c->path, item, near);
			}
		}
		if (!e)
			break;
		p = e + 1;
	}
	*out = arr;
	return 0;
}

static int funding_value(json_t **out, const char *s)
{
	static const char *const words[] = { "local", "state", "other", "federal", "grant", NULL };
	char buf[1024];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	snprintf(buf, sizeof(buf), "%s", s);
	if (n < sizeof(buf)) {
		char w[16];
		snprintf(w, sizeof(w), "%.*s", (int)(n < 15 ? n : 15), s);
		if (n < 16 && word_in(w, words))
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)tolower((unsigned char)buf[i]);
	}
	*out = json_string(buf);
	return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
}

int imp_value(json_t **out, const pl_import *im, const imp_col *c, const char *text)
{
	char buf[PL_ERROR_MSG_MAX];
	size_t n;
	const char *rest;
	char d[11], t[9];

	*out = NULL;
	if (c->def->type == PL_T_STR) { /* free text is kept as written */
		*out = json_string(text);
		return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
	}
	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n >= sizeof(buf)) { /* long text is taken as it is (a note): only trimmed of nothing */
		*out = json_string(text);
		return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (!n) {
		*out = json_null();
		return 0;
	}
	switch (c->def->type) {
	case PL_T_DATE:
		if (!to_date(d, buf, im->opts.day_first, &rest) && !*rest) {
			*out = json_string(d);
			return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
		}
		break;
	case PL_T_TIME:
		if (!to_date(d, buf, im->opts.day_first, &rest)) {
			char v[32];
			if (!*rest)
				snprintf(v, sizeof(v), "%s", d);
			else if (!to_time(t, rest))
				snprintf(v, sizeof(v), "%sT%sZ", d, t);
			else
				break;
			*out = json_string(v);
			return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
		}
		break;
	case PL_T_NUM:
		return num_value(out, im, c, buf);
	case PL_T_INT:
		if (is_minutes_field(c))
			return minutes_value(out, buf);
		if (c->dollars)
			return dollars_value(out, im, c, buf);
		n = strlen(c->path);
		if (n > 6 && !strcmp(c->path + n - 6, "_cents"))
			return cents_value(out, im, c, buf);
		break;
	case PL_T_BOOL:
		return bool_value(out, im, c, buf);
	case PL_T_ENUM:
		return enum_value(out, im, c, buf);
	case PL_T_STDLIST:
		return stdlist_value(out, im, c, buf);
	case PL_T_FUNDING:
		return funding_value(out, buf);
	default:
		break;
	}
	*out = json_string(buf);
	return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
}
