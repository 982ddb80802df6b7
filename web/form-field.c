/*
 * form-field.c — a form for any record kind, made from the schema's field
 * table (plsync/schema.h), and the POST fields read back into a change.
 *
 * Field types become inputs: dates a date input, numbers a number input,
 * enums a select, standards a checkbox each, references a picker (a select
 * of the referred records by their display names), lists of references a
 * multi-select; maps (an activity's initial / follow-up) a fieldset of
 * their subfields, named with dots ("followup.who"). Money (a field ending
 * in _cents) is shown and entered in dollars. Every value is written
 * through the HTML renderer.
 *
 * A multi-valued field is posted as NAME[] (server.c joins the values
 * with newlines); it comes back as a JSON array.
 *
 * The library's validation message names the field it refuses
 * ("staff.email: ...", "plc_meeting.date is required",
 * "pd_entry ID: end ... is before start ..."): web_field_of_error finds it,
 * so the form shows the message next to that field.
 */
#include <stdlib.h>
#include <string.h>

#include "plsync/json.h"
#include "plsync/schema.h"
#include "web.h"

int web_field_is_money(const pl_field_def *f)
{
	size_t n = strlen(f->name);

	return f->type == PL_T_INT && n > 6 && !strcmp(f->name + n - 6, "_cents");
}

int web_dollars_to_cents(char out[32], const char *dollars)
{
	char *end;
	unsigned long long whole;
	unsigned frac = 0, digits = 0;

	if (!dollars)
		return -1;
	if (*dollars == '$')
		dollars++;
	if (*dollars < '0' || *dollars > '9')
		return -1;
	whole = strtoull(dollars, &end, 10);
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9' && digits < 2; end++, digits++)
			frac = frac * 10 + (unsigned)(*end - '0');
	if (*end || whole > 100000000ull)
		return -1;
	if (digits == 1)
		frac *= 10;
	snprintf(out, 32, "%llu", whole * 100 + frac);
	return 0;
}

static void cents_to_dollars(char out[40], long long cents)
{
	snprintf(out, 40, "%lld.%02lld", cents / 100, cents % 100);
}

/* Long free text gets a textarea. */
static int is_long(const pl_field_def *f)
{
	static const char *const longs[] = { "notes", "profile", "mission", "vision", "statement", "rationale",
	                                     "student_impact", "measure", "outcome", "outcome_y1", "outcome_y2",
	                                     "outcome_y3", "demographics", "resources", "evidence", "focus",
	                                     "next_steps", "what", "how", NULL };

	for (int i = 0; longs[i]; i++)
		if (!strcmp(f->name, longs[i]))
			return 1;
	return 0;
}

/* "outcome_y2" -> "Year 2 outcome" (the help line, its first letter up). */
static void label_of(char *out, size_t sz, const pl_field_def *f, int money)
{
	const char *h = f->help && *f->help ? f->help : f->name;

	snprintf(out, sz, "%s%s", h, money ? " (dollars)" : "");
	if (money) {
		char *c = strstr(out, ", cents");
		if (c)
			memmove(c, c + 7, strlen(c + 7) + 1);
	}
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/* The value at dotted `path` ("followup.who") of nested fields, or NULL. */
static json_t *path_get(const json_t *fields, const char *path)
{
	const char *dot = strchr(path, '.');
	char head[128];

	if (!dot)
		return json_object_get(fields, path);
	if ((size_t)(dot - path) >= sizeof(head))
		return NULL;
	memcpy(head, path, (size_t)(dot - path));
	head[dot - path] = 0;
	return path_get(json_object_get(fields, head), dot + 1);
}

/* The value of `path` in a nested record, as the form's text. */
static char *value_text(const json_t *fields, const char *path, const pl_field_def *f)
{
	json_t *v = path_get(fields, path);
	char num[40];

	if (!v || json_is_null(v))
		return NULL;
	if (web_field_is_money(f) && json_is_integer(v)) {
		cents_to_dollars(num, (long long)json_integer_value(v));
		return strdup(num);
	}
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_number(v)) {
		pl_json_number(num, v);
		return strdup(num);
	}
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "yes" : "no");
	if (json_is_array(v)) {
		size_t i, n = 0;
		json_t *x;
		char *out = calloc(1, 1), *grown;
		json_array_foreach(v, i, x) {
			const char *s = json_is_string(x) ? json_string_value(x) : "";
			if (!out || !(grown = realloc(out, n + strlen(s) + 2))) {
				free(out);
				return NULL;
			}
			out = grown;
			n += (size_t)sprintf(out + n, "%s%s", i ? "\n" : "", s);
		}
		return out;
	}
	return NULL;
}

/* s holds `item` as one of its newline-separated lines. */
static int has_line(const char *s, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = s; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !strncmp(p, item, n))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

struct picker {
	web_req    *r;
	const char *selected;   /* the id, or newline-separated ids */
	int         multi;
};

static int ref_option(const pl_record *rec, void *payload)
{
	struct picker *p = payload;
	const json_t *f = rec->fields;
	const char *label = NULL;
	int sel = p->selected && (p->multi ? has_line(p->selected, rec->id) : !strcmp(p->selected, rec->id));

	web_html(p->r, "<option value=\"");
	web_text(p->r, rec->id);
	web_html(p->r, "\"%s>", sel ? " selected" : "");
	if (!strcmp(rec->kind, "goal") && json_string_value(json_object_get(f, "statement"))) {
		json_t *num = json_object_get(f, "number");
		if (json_is_integer(num))
			web_html(p->r, "Goal %lld: ", (long long)json_integer_value(num));
		label = json_string_value(json_object_get(f, "statement"));
	} else if (!strcmp(rec->kind, "plan")) {
		web_text(p->r, json_string_value(json_object_get(f, "school")));
		web_html(p->r, " ");
		label = json_string_value(json_object_get(f, "year"));
	} else {
		label = json_string_value(json_object_get(f, "name"));
		if (!label)
			label = json_string_value(json_object_get(f, "title"));
	}
	web_text(p->r, label ? label : "");
	web_html(p->r, " (");
	web_text(p->r, rec->id);
	web_html(p->r, ")</option>");
	return 0;
}

/* The error message when it names `path`, else NULL. */
static const char *error_for(const web_form_errors *e, const char *path)
{
	return e && e->field[0] && !strcmp(e->field, path) ? e->message : NULL;
}

static void one_field(web_req *r, const pl_field_def *f, const char *path, const json_t *fields,
                      int from_post, const web_form_errors *err)
{
	char label[200], *stored = NULL, name[160];
	const char *val, *msg = error_for(err, path);
	int money = web_field_is_money(f);

	label_of(label, sizeof(label), f, money);
	if (from_post) {
		snprintf(name, sizeof(name), "%s%s", path, f->type == PL_T_STDLIST || f->type == PL_T_REFLIST ? "[]" : "");
		val = web_arg(r, name);
	} else {
		val = stored = value_text(fields, path, f);
	}
	web_html(r, "<div class=\"field%s\" id=\"f-", msg ? " bad" : "");
	web_text(r, path);
	web_html(r, "\">");
	switch (f->type) {
	case PL_T_ENUM: {
		web_html(r, "<label>");
		web_text(r, label);
		web_html(r, " <select name=\"");
		web_text(r, path);
		web_html(r, "\"><option value=\"\"></option>");
		for (size_t i = 0; f->enums && f->enums[i]; i++) {
			web_html(r, "<option value=\"");
			web_text(r, f->enums[i]);
			web_html(r, "\"%s>", val && !strcmp(val, f->enums[i]) ? " selected" : "");
			web_text(r, f->enums[i]);
			web_html(r, "</option>");
		}
		web_html(r, "</select></label>");
		break;
	}
	case PL_T_BOOL: {
		static const char *const yn[] = { "", "", "yes", "yes", "no", "no", NULL };
		web_select(r, label, path, yn, val ? val : "");
		break;
	}
	case PL_T_REF:
	case PL_T_REFLIST: {
		struct picker p = { r, val, f->type == PL_T_REFLIST };
		web_html(r, "<label>");
		web_text(r, label);
		web_html(r, " <select name=\"");
		web_text(r, path);
		web_html(r, "%s\"%s>", p.multi ? "[]" : "", p.multi ? " multiple size=\"6\"" : "");
		if (!p.multi)
			web_html(r, "<option value=\"\"></option>");
		pl_store_foreach(r->store, f->ref, NULL, NULL, ref_option, &p);
		web_html(r, "</select></label>");
		break;
	}
	case PL_T_STDLIST: {
		const char *const *sets[2] = { pl_standard_codes(2022), pl_standard_codes(2011) };
		web_html(r, "<fieldset><legend>");
		web_text(r, label);
		web_html(r, "</legend>");
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; sets[s] && sets[s][i]; i++) {
				const char *code = sets[s][i], *nm;
				if (s == 1 && pl_standard_in_set(code, 2022))
					continue;
				nm = pl_standard_name(code, s ? 2011 : 2022);
				web_html(r, "<label class=\"check\"><input type=\"checkbox\" name=\"");
				web_text(r, path);
				web_html(r, "[]\" value=\"");
				web_text(r, code);
				web_html(r, "\"%s> ", val && has_line(val, code) ? " checked" : "");
				web_text(r, nm ? nm : code);
				web_html(r, "%s</label>", s ? " (2011)" : "");
			}
		web_html(r, "</fieldset>");
		break;
	}
	default: {
		const char *type = f->type == PL_T_DATE ? "date" : f->type == PL_T_EMAIL ? "email" :
		                   (f->type == PL_T_INT && !money) || f->type == PL_T_NUM ? "number" :
		                   is_long(f) ? "textarea" : "text";
		web_input(r, label, path, type, val ? val : "", f->required);
		break;
	}
	}
	if (msg) {
		web_html(r, "<span class=\"field-error\" role=\"alert\">");
		web_text(r, msg);
		web_html(r, "</span>");
	}
	web_html(r, "</div>\n");
	free(stored);
}

static int skipped(const char *const *skip, const char *name)
{
	for (int i = 0; skip && skip[i]; i++)
		if (!strcmp(skip[i], name))
			return 1;
	return 0;
}

void web_kind_fields(web_req *r, const pl_kind_def *k, const json_t *fields, int from_post,
                     const char *const *skip, const web_form_errors *err)
{
	char path[160];

	for (const pl_field_def *f = k->fields; f->name; f++) {
		if (skipped(skip, f->name))
			continue;
		if (f->type != PL_T_MAP) {
			one_field(r, f, f->name, fields, from_post, err);
			continue;
		}
		web_html(r, "<fieldset><legend>");
		web_text(r, f->help);
		web_html(r, "</legend>\n");
		for (const pl_field_def *s = f->sub; s && s->name; s++) {
			snprintf(path, sizeof(path), "%s.%s", f->name, s->name);
			one_field(r, s, path, fields, from_post, err);
		}
		web_html(r, "</fieldset>\n");
	}
}

/* One posted field into the change `out` under `path`. -1: a bad money value. */
static int take(web_req *r, json_t *out, const pl_field_def *f, const char *path, web_form_errors *err)
{
	char name[160], cents[32];
	const char *v;
	int multi = f->type == PL_T_STDLIST || f->type == PL_T_REFLIST;

	snprintf(name, sizeof(name), "%s%s", path, multi ? "[]" : "");
	v = web_arg(r, name);
	if (multi) {
		json_t *arr = json_array();
		for (const char *p = v; p && *p;) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len)
				json_array_append_new(arr, json_stringn(p, len));
			p = e ? e + 1 : NULL;
		}
		json_object_set_new(out, path, json_array_size(arr) ? arr : json_null());
		if (json_array_size(arr) == 0)
			json_decref(arr);
		return 0;
	}
	if (!v || !*v) {
		json_object_set_new(out, path, json_null());
		return 0;
	}
	if (web_field_is_money(f)) {
		if (web_dollars_to_cents(cents, v)) {
			snprintf(err->field, sizeof(err->field), "%s", path);
			snprintf(err->message, sizeof(err->message), "give dollars, as 250 or 250.50");
			return -1;
		}
		json_object_set_new(out, path, json_string(cents));
		return 0;
	}
	json_object_set_new(out, path, json_string(v));
	return 0;
}

int web_kind_change(json_t **out, web_req *r, const pl_kind_def *k, const json_t *current,
                    const char *const *skip, web_form_errors *err)
{
	json_t *ch = json_object();
	char path[160];
	int rc = 0;

	for (const pl_field_def *f = k->fields; f->name && !rc; f++) {
		if (skipped(skip, f->name))
			continue;
		if (f->type != PL_T_MAP) {
			rc = take(r, ch, f, f->name, err);
			continue;
		}
		for (const pl_field_def *s = f->sub; s && s->name && !rc; s++) {
			snprintf(path, sizeof(path), "%s.%s", f->name, s->name);
			rc = take(r, ch, s, path, err);
		}
	}
	if (rc) {
		json_decref(ch);
		*out = NULL;
		return -1;
	}
	/* Keep only what changes: an unchanged field is no op (and no conflict). */
	{
		const char *key;
		json_t *v, *tmp;
		json_object_foreach_safe(ch, tmp, key, v) {
			json_t *now = current ? path_get(current, key) : NULL;
			json_t *coerced = NULL;
			if (json_is_null(v) ? !now || json_is_null(now) :
			    (now && !pl_schema_coerce(&coerced, k, key, v) && json_equal(coerced, now)))
				json_object_del(ch, key);
			json_decref(coerced);
		}
	}
	*out = ch;
	return 0;
}

void web_error_field(web_form_errors *e, const pl_kind_def *k, const char *message)
{
	size_t kn = strlen(k->name);
	const char *p = message, *start = NULL;
	size_t n = 0;

	snprintf(e->message, sizeof(e->message), "%s", message);
	e->field[0] = 0;
	/* "kind.path: ..." / "kind.path is required" */
	for (const char *q = strstr(p, k->name); q; q = strstr(q + 1, k->name))
		if (q[kn] == '.' && (q == message || q[-1] == ' ')) {
			start = q + kn + 1;
			break;
		}
	/* "pd_entry ID: end 2026-09-01 is before ...": the first word after ": " */
	if (!start && !strncmp(p, k->name, kn) && p[kn] == ' ' && (start = strstr(p, ": ")))
		start += 2;
	if (!start)
		return;
	while ((start[n] >= 'a' && start[n] <= 'z') || (start[n] >= '0' && start[n] <= '9') || start[n] == '_' ||
	       start[n] == '.')
		n++;
	while (n && start[n - 1] == '.')
		n--;
	if (n && n < sizeof(e->field)) {
		memcpy(e->field, start, n);
		e->field[n] = 0;
		if (!pl_schema_field(k, e->field))
			e->field[0] = 0;
	}
}
