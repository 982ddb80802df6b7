/*
 * schema.c — the record kinds and the checks every write passes.
 *
 * One table per kind, written from DESIGN.md's "Records". A field value is
 * checked for type, enum, range and calendar; strings from CSV and the
 * command line are parsed into the stored type here, so every input path
 * (add, set, import) stores the same thing. A refusal names the kind, the
 * field, the value and what is allowed.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/schema.h"
#include "store-int.h"

static const char *const e_category[] = { "certified", "noninstructional", NULL };
static const char *const e_level[] = { "elementary", "middle", "high", "k-8", "k-12", "district", "other", NULL };
static const char *const e_plan_status[] = { "draft", "submitted", "approved", NULL };
static const char *const e_pd_type[] = {
	"conference", "workshop", "seminar", "course", "institute", "network", "plc",
	"coaching", "instructional_rounds", "training", NULL
};
static const char *const e_location[] = { "in_district", "out_of_district", NULL };
static const char *const e_delivery[] = { "in_person", "online", "hybrid", "job_embedded", NULL };
static const char *const e_pd_status[] = { "requested", "approved", "rejected", "completed", "cancelled", NULL };
static const char *const e_decision[] = { "approved", "rejected", NULL };

#define END { NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL }
#define F(n, t, req, h) { n, t, req, NULL, NULL, NULL, 0, 0, h }
#define FE(n, e, req, h) { n, PL_T_ENUM, req, e, NULL, NULL, 0, 0, h }
#define FR(n, t, k, req, h) { n, t, req, NULL, k, NULL, 0, 0, h }
#define FM(n, s, h) { n, PL_T_MAP, 0, NULL, NULL, s, 0, 0, h }
#define FI(n, lo, hi, req, h) { n, PL_T_INT, req, NULL, NULL, NULL, lo, hi, h }

static const pl_field_def f_school[] = {
	F("code", PL_T_STR, 1, "school code, as used for its node"),
	F("name", PL_T_STR, 1, "school name"),
	FE("level", e_level, 0, "school level"),
	FI("enrollment", 0, 0, 0, "students enrolled"),
	F("demographics", PL_T_STR, 0, "demographic profile"),
	FI("teaching_units", 0, 0, 0, "teaching units"),
	FI("certified_staff", 0, 0, 0, "number of certified staff"),
	FI("per_pupil_expenditure_cents", 0, 0, 0, "per-pupil expenditure, cents"),
	END
};

static const pl_field_def f_staff[] = {
	F("name", PL_T_STR, 1, "full name"),
	F("email", PL_T_EMAIL, 0, "email address"),
	FR("school", PL_T_REF, "school", 0, "school id"),
	F("role", PL_T_STR, 0, "job title"),
	FE("category", e_category, 1, "staff category"),
	FR("supervisor", PL_T_REF, "staff", 0, "staff id of the supervisor who approves PD"),
	FR("budget_manager", PL_T_REF, "staff", 0, "staff id of the budget manager who approves PD costs"),
	F("license_number", PL_T_STR, 0, "license or certificate number"),
	F("license_expires", PL_T_DATE, 0, "license expiry date"),
	F("renewal_hours_required", PL_T_NUM, 0, "PL hours the license renewal requires"),
	END
};

static const pl_field_def f_plan[] = {
	FR("school", PL_T_REF, "school", 1, "school id (or the district's)"),
	F("year", PL_T_YEAR, 1, "school year, e.g. 2026-2027"),
	F("profile", PL_T_STR, 0, "district/school profile"),
	F("mission", PL_T_STR, 0, "mission statement"),
	F("vision", PL_T_STR, 0, "vision statement"),
	FE("status", e_plan_status, 0, "plan status"),
	FR("approved_by", PL_T_REF, "staff", 0, "staff id of the approver"),
	END
};

static const pl_field_def f_goal[] = {
	FR("plan", PL_T_REF, "plan", 1, "plan id"),
	FI("number", 1, 99, 0, "goal number within the plan"),
	F("statement", PL_T_STR, 1, "the goal"),
	F("rationale", PL_T_STR, 0, "data and evidence behind the goal"),
	F("student_impact", PL_T_STR, 0, "expected impact on students"),
	F("measure", PL_T_STR, 0, "how progress is measured"),
	F("frequency", PL_T_STR, 0, "how often it is measured"),
	F("outcome", PL_T_STR, 0, "overarching outcome"),
	F("outcome_y1", PL_T_STR, 0, "Year 1 outcome"),
	F("outcome_y2", PL_T_STR, 0, "Year 2 outcome"),
	F("outcome_y3", PL_T_STR, 0, "Year 3 outcome"),
	END
};

static const pl_field_def f_whowhathow[] = {
	F("who", PL_T_STR, 0, "who takes part / leads"),
	F("what", PL_T_STR, 0, "what is done"),
	F("how", PL_T_STR, 0, "how it is done"),
	END
};

static const pl_field_def f_activity[] = {
	FR("goal", PL_T_REF, "goal", 1, "goal id"),
	F("title", PL_T_STR, 0, "short name of the activity"),
	FM("initial", f_whowhathow, "initial activity: who, what, how"),
	FM("followup", f_whowhathow, "follow-up: who, what, how"),
	F("duration", PL_T_STR, 0, "duration, e.g. '3 sessions of 2 h'"),
	F("start", PL_T_DATE, 0, "start date"),
	F("end", PL_T_DATE, 0, "end date"),
	F("resources", PL_T_STR, 0, "resources needed"),
	F("standards", PL_T_STDLIST, 0, "Learning Forward standard codes"),
	FE("delivery", e_delivery, 0, "delivery model"),
	FI("budget_cents", 0, 0, 0, "budget, cents"),
	F("funding", PL_T_FUNDING, 0, "funding source"),
	END
};

static const pl_field_def f_approval[] = {
	FR("by", PL_T_REF, "staff", 0, "staff id of the approver"),
	F("at", PL_T_TIME, 0, "when"),
	FE("decision", e_decision, 0, "approved or rejected"),
	F("note", PL_T_STR, 0, "approver's note"),
	END
};

static const pl_field_def f_approvals[] = {
	FM("supervisor", f_approval, "the supervisor's approval"),
	FM("budget", f_approval, "the budget manager's approval"),
	END
};

static const pl_field_def f_evaluation[] = {
	FI("reaction", 1, 5, 0, "Guskey level 1: participants' reaction, 1-5"),
	FI("learning", 1, 5, 0, "Guskey level 2: participants' learning, 1-5"),
	FI("org_support", 1, 5, 0, "Guskey level 3: organisation support and change, 1-5"),
	FI("transfer", 1, 5, 0, "Guskey level 4: use of new knowledge and skills, 1-5"),
	FI("student_impact", 1, 5, 0, "Guskey level 5: student learning outcomes, 1-5"),
	F("at", PL_T_TIME, 0, "when evaluated"),
	END
};

static const pl_field_def f_pd_entry[] = {
	FR("staff", PL_T_REF, "staff", 1, "staff id of the participant"),
	F("title", PL_T_STR, 1, "title of the event or course"),
	FE("type", e_pd_type, 1, "type of PD"),
	F("provider", PL_T_STR, 0, "who provides it"),
	FE("location", e_location, 0, "in or out of district"),
	FE("delivery", e_delivery, 0, "delivery model"),
	F("start", PL_T_DATE, 0, "first day"),
	F("end", PL_T_DATE, 0, "last day"),
	F("hours", PL_T_NUM, 0, "contact hours"),
	F("credits", PL_T_NUM, 0, "credits earned"),
	FI("cost_cents", 0, 0, 0, "cost, cents"),
	F("funding", PL_T_FUNDING, 0, "funding source"),
	F("standards", PL_T_STDLIST, 0, "Learning Forward standard codes"),
	FR("goal", PL_T_REF, "goal", 0, "plan goal id it serves"),
	FR("activity", PL_T_REF, "activity", 0, "plan activity id it serves"),
	F("required_for_job", PL_T_BOOL, 0, "required for the job"),
	FE("status", e_pd_status, 0, "workflow status"),
	FM("approvals", f_approvals, "supervisor and budget approvals"),
	FM("evaluation", f_evaluation, "Guskey evaluation levels"),
	F("evidence", PL_T_STR, 0, "evidence of completion"),
	F("notes", PL_T_STR, 0, "notes"),
	END
};

static const pl_field_def f_plc_meeting[] = {
	F("group", PL_T_STR, 1, "PLC group name"),
	FR("school", PL_T_REF, "school", 0, "school id"),
	F("date", PL_T_DATE, 1, "meeting date"),
	FI("minutes", 0, 24 * 60, 0, "length of the meeting in minutes"),
	FR("attendees", PL_T_REFLIST, "staff", 0, "staff ids present"),
	F("focus", PL_T_STR, 0, "focus of the meeting"),
	F("standards", PL_T_STDLIST, 0, "Learning Forward standard codes"),
	F("notes", PL_T_STR, 0, "notes"),
	F("next_steps", PL_T_STR, 0, "next steps"),
	END
};

static const pl_kind_def k_school = { "school", "a school (or the district office)", f_school };
static const pl_kind_def k_staff = { "staff", "a staff member", f_staff };
static const pl_kind_def k_plan = { "plan", "a professional learning plan for one year", f_plan };
static const pl_kind_def k_goal = { "goal", "a goal of a plan", f_goal };
static const pl_kind_def k_activity = { "activity", "an activity toward a goal", f_activity };
static const pl_kind_def k_pd_entry = { "pd_entry", "one PD event for one staff member", f_pd_entry };
static const pl_kind_def k_plc_meeting = { "plc_meeting", "a PLC meeting", f_plc_meeting };

static const pl_kind_def *const kinds[] = {
	&k_school, &k_staff, &k_plan, &k_goal, &k_activity, &k_pd_entry, &k_plc_meeting, NULL
};

/* Learning Forward standards: code, 2011 name, 2022 name. */
static const struct standard {
	const char *code, *name2011, *name2022;
} standards[] = {
	{ "learning_communities", "Learning Communities", NULL },
	{ "leadership", "Leadership", "Leadership" },
	{ "resources", "Resources", "Resources" },
	{ "data", "Data", NULL },
	{ "learning_designs", "Learning Designs", "Learning Designs" },
	{ "implementation", "Implementation", "Implementation" },
	{ "outcomes", "Outcomes", NULL },
	{ "equity_practices", NULL, "Equity Practices" },
	{ "curriculum_assessment_instruction", NULL, "Curriculum, Assessment, and Instruction" },
	{ "professional_expertise", NULL, "Professional Expertise" },
	{ "equity_drivers", NULL, "Equity Drivers" },
	{ "evidence", NULL, "Evidence" },
	{ "equity_foundations", NULL, "Equity Foundations" },
	{ "culture_of_collaborative_inquiry", NULL, "Culture of Collaborative Inquiry" },
	{ NULL, NULL, NULL }
};
static const char *const codes2011[] = {
	"learning_communities", "leadership", "resources", "data", "learning_designs",
	"implementation", "outcomes", NULL
};
static const char *const codes2022[] = {
	"equity_practices", "curriculum_assessment_instruction", "professional_expertise",
	"equity_drivers", "evidence", "learning_designs", "implementation",
	"equity_foundations", "culture_of_collaborative_inquiry", "leadership", "resources", NULL
};

const pl_kind_def *const *pl_schema_kinds(void)
{
	return kinds;
}

const pl_kind_def *pl_schema_kind(const char *name)
{
	for (int i = 0; kinds[i]; i++)
		if (strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}

static const pl_field_def *find_in(const pl_field_def *f, const char *name, size_t n)
{
	/* name[0..n) holds no NUL: strncmp + the terminator is strlen == n && memcmp */
	for (; f && f->name; f++)
		if (f->name[0] == name[0] && strncmp(f->name, name, n) == 0 && f->name[n] == '\0')
			return f;
	return NULL;
}

const pl_field_def *pl_schema_field(const pl_kind_def *kind, const char *path)
{
	const pl_field_def *defs = kind->fields, *f = NULL;
	const char *p = path;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!defs || !(f = find_in(defs, p, n)))
			return NULL;
		if (!dot)
			return f;
		if (f->type != PL_T_MAP)
			return NULL;
		defs = f->sub;
		p = dot + 1;
	}
}

const char *pl_schema_type_name(const pl_field_def *f)
{
	switch (f->type) {
	case PL_T_STR:     return "text";
	case PL_T_INT:     return f->max ? "a whole number in range" : "a whole number >= 0";
	case PL_T_NUM:     return "a number >= 0";
	case PL_T_BOOL:    return "true or false";
	case PL_T_DATE:    return "a date YYYY-MM-DD";
	case PL_T_TIME:    return "a date YYYY-MM-DD or time YYYY-MM-DDTHH:MM:SSZ";
	case PL_T_YEAR:    return "a school year like 2026-2027";
	case PL_T_ENUM:    return "one of the listed values";
	case PL_T_FUNDING: return "local, state, other, federal:<program> or grant:<name>";
	case PL_T_EMAIL:   return "an email address";
	case PL_T_REF:     return "the id of an existing record";
	case PL_T_STRLIST: return "a comma-separated list";
	case PL_T_STDLIST: return "a comma-separated list of standard codes";
	case PL_T_REFLIST: return "a comma-separated list of record ids";
	case PL_T_MAP:     return "nested fields";
	}
	return "?";
}

int pl_standard_in_set(const char *code, int set)
{
	for (int i = 0; standards[i].code; i++)
		if (strcmp(standards[i].code, code) == 0)
			return set == 2011 ? standards[i].name2011 != NULL : standards[i].name2022 != NULL;
	return 0;
}

const char *pl_standard_name(const char *code, int set)
{
	for (int i = 0; standards[i].code; i++)
		if (strcmp(standards[i].code, code) == 0)
			return set == 2011 ? standards[i].name2011 : standards[i].name2022;
	return NULL;
}

const char *const *pl_standard_codes(int set)
{
	return set == 2011 ? codes2011 : codes2022;
}

/* ---- value checks ---- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (strlen(s) < 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && is_leap(y));
}

static int valid_time(const char *s)
{
	size_t n = strlen(s);
	if (!valid_date(s))
		return 0;
	if (n == 10)
		return 1;
	/* YYYY-MM-DDTHH:MM:SSZ or with .mmm before Z */
	if (n != 20 && n != 24)
		return 0;
	if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[n - 1] != 'Z')
		return 0;
	if (n == 24 && s[19] != '.')
		return 0;
	for (size_t i = 11; i < n - 1; i++)
		if (i != 13 && i != 16 && i != 19 && !isdigit((unsigned char)s[i]))
			return 0;
	return atoi(s + 11) < 24 && atoi(s + 14) < 60 && atoi(s + 17) < 61;
}

static int valid_year(const char *s)
{
	if (strlen(s) != 9 || s[4] != '-')
		return 0;
	for (int i = 0; i < 9; i++)
		if (i != 4 && !isdigit((unsigned char)s[i]))
			return 0;
	return atoi(s + 5) == atoi(s) + 1 && atoi(s) >= 1900;
}

static int valid_slug(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int valid_funding(const char *s)
{
	if (!strcmp(s, "local") || !strcmp(s, "state") || !strcmp(s, "other"))
		return 1;
	if (!strncmp(s, "federal:", 8))
		return valid_slug(s + 8);
	if (!strncmp(s, "grant:", 6))
		return valid_slug(s + 6);
	return 0;
}

static int valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') && !strpbrk(s, " \t<>,");
}

static int valid_std(const char *s)
{
	return pl_standard_in_set(s, 2011) || pl_standard_in_set(s, 2022);
}

static void join_enums(char *buf, size_t sz, const char *const *e)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; *e && off < sz; e++)
		off += snprintf(buf + off, sz - off, "%s%s", off ? ", " : "", *e);
}

static int refuse(const pl_kind_def *k, const char *path, const json_t *v,
                  const pl_field_def *f, const char *why)
{
	char shown[96], allowed[700];
	char *dump = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	const char *txt = json_is_string(v) ? json_string_value(v) : dump ? dump : "?";

	snprintf(shown, sizeof(shown), "%s%.80s%s%s", json_is_string(v) ? "\"" : "", txt,
	         strlen(txt) > 80 ? "..." : "", json_is_string(v) ? "\"" : "");
	free(dump);
	if (f->type == PL_T_ENUM) {
		join_enums(allowed, sizeof(allowed), f->enums);
	} else if (f->type == PL_T_STDLIST) {
		size_t off = 0;
		allowed[0] = '\0';
		for (int i = 0; standards[i].code && off < sizeof(allowed); i++)
			off += snprintf(allowed + off, sizeof(allowed) - off, "%s%s", i ? ", " : "",
			                standards[i].code);
	} else if (f->type == PL_T_INT && f->max) {
		snprintf(allowed, sizeof(allowed), "a whole number from %lld to %lld", f->min, f->max);
	} else {
		snprintf(allowed, sizeof(allowed), "%s", pl_schema_type_name(f));
	}
	return pl_error_set(PL_EINVALID, "%s.%s: %s %s; allowed: %s", k->name, path, shown, why, allowed);
}

/* A NUL inside a string would reach the op, which no decoder reads back. */
#define NUL_WHY "holds a NUL byte (not text)"

static int parse_num(double *out, const char *s)
{
	char *end;
	errno = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	*out = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	return !errno && !*end && isfinite(*out);
}

/* Split "a, b,c" into a JSON array of trimmed, non-empty strings. */
static json_t *split_list(const char *s)
{
	json_t *a = json_array();
	while (a && *s) {
		const char *comma = strchr(s, ',');
		const char *e = comma ? comma : s + strlen(s);
		const char *b = s;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b)
			json_array_append_new(a, json_stringn(b, (size_t)(e - b)));
		s = comma ? comma + 1 : s + strlen(s);
	}
	return a;
}

static int coerce_scalar(json_t **out, const pl_kind_def *k, const char *path,
                         const pl_field_def *f, const json_t *in)
{
	const char *s = json_is_string(in) ? json_string_value(in) : NULL;
	double d;

	*out = NULL;
	if (s && strlen(s) != json_string_length(in))
		return refuse(k, path, in, f, NUL_WHY);
	switch (f->type) {
	case PL_T_INT: {
		long long v;
		if (json_is_integer(in)) {
			v = json_integer_value(in);
		} else if (json_is_real(in) && json_real_value(in) == floor(json_real_value(in)) &&
		           fabs(json_real_value(in)) < 9e15) {
			v = (long long)json_real_value(in);
		} else if (s && parse_num(&d, s) && d == floor(d) && fabs(d) < 9e15) {
			v = (long long)d;
		} else {
			return refuse(k, path, in, f, "is not a whole number");
		}
		if (v < f->min || (f->max && v > f->max))
			return refuse(k, path, in, f, f->min >= 0 && v < 0 ? "is negative" : "is out of range");
		*out = json_integer(v);
		return 0;
	}
	case PL_T_NUM:
		if (json_is_number(in))
			d = json_number_value(in);
		else if (!s || !parse_num(&d, s))
			return refuse(k, path, in, f, "is not a number");
		if (d < 0)
			return refuse(k, path, in, f, "is negative");
		if (d > 1e9)
			return refuse(k, path, in, f, "is implausibly large");
		*out = json_real(d);
		return 0;
	case PL_T_BOOL:
		if (json_is_boolean(in)) {
			*out = json_incref((json_t *)in);
			return 0;
		}
		if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1") || !strcasecmp(s, "y")))
			*out = json_true();
		else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0") || !strcasecmp(s, "n")))
			*out = json_false();
		else
			return refuse(k, path, in, f, "is not true or false");
		return 0;
	default:
		break;
	}
	if (!s)
		return refuse(k, path, in, f, "is not text");
	if (!*s)
		return refuse(k, path, in, f, "is empty");
	if (strlen(s) > 16 * 1024)
		return refuse(k, path, in, f, "is over the 16 KiB limit for one value");
	switch (f->type) {
	case PL_T_DATE:
		if (!valid_date(s) || strlen(s) != 10)
			return refuse(k, path, in, f, "is not a valid date");
		break;
	case PL_T_TIME:
		if (!valid_time(s))
			return refuse(k, path, in, f, "is not a valid date or time");
		break;
	case PL_T_YEAR:
		if (!valid_year(s))
			return refuse(k, path, in, f, "is not a school year");
		break;
	case PL_T_ENUM: {
		const char *const *e = f->enums;
		while (*e && strcmp(*e, s))
			e++;
		if (!*e)
			return refuse(k, path, in, f, "is not a known value");
		break;
	}
	case PL_T_FUNDING:
		if (!valid_funding(s))
			return refuse(k, path, in, f, "is not a funding source");
		break;
	case PL_T_EMAIL:
		if (!valid_email(s))
			return refuse(k, path, in, f, "is not an email address");
		break;
	case PL_T_REF:
	case PL_T_REFLIST:
		if (strlen(s) > 64 || strchr(s, '/') || strpbrk(s, " \t\n"))
			return refuse(k, path, in, f, "is not a record id");
		break;
	case PL_T_STDLIST:
		if (!valid_std(s))
			return refuse(k, path, in, f, "is not a Learning Forward standard");
		break;
	default:
		break;
	}
	*out = json_incref((json_t *)in);
	return 0;
}

int pl_schema_coerce(json_t **out, const pl_kind_def *k, const char *path, const json_t *in)
{
	const pl_field_def *f = pl_schema_field(k, path);
	json_t *list = NULL, *res = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (!f) {
		char names[700];
		size_t off = 0;
		const char *dot = strrchr(path, '.');
		const pl_field_def *defs = k->fields;
		if (dot) {
			char parent[256];
			snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
			const pl_field_def *pf = pl_schema_field(k, parent);
			defs = pf && pf->type == PL_T_MAP ? pf->sub : NULL;
		}
		names[0] = '\0';
		for (; defs && defs->name && off < sizeof(names); defs++)
			off += snprintf(names + off, sizeof(names) - off, "%s%s", off ? ", " : "", defs->name);
		return pl_error_set(PL_EINVALID, "%s: unknown field '%s'%s%s", k->name, path,
		                    names[0] ? "; fields are: " : "", names);
	}
	if (json_is_null(in)) {
		*out = json_null();
		return 0;
	}
	if (f->type == PL_T_MAP) {
		const char *key;
		json_t *v;
		if (!json_is_object(in))
			return refuse(k, path, in, f, "is not a map (set its parts with dots, e.g. approvals.supervisor.by=ID)");
		res = json_object();
		json_object_foreach((json_t *)in, key, v) {
			char sub[256];
			json_t *c;
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if ((rc = pl_schema_coerce(&c, k, sub, v))) {
				json_decref(res);
				return rc;
			}
			json_object_set_new(res, key, c);
		}
		*out = res;
		return 0;
	}
	if (f->type == PL_T_STRLIST || f->type == PL_T_STDLIST || f->type == PL_T_REFLIST) {
		if (json_is_string(in) && strlen(json_string_value(in)) != json_string_length(in))
			return refuse(k, path, in, f, NUL_WHY);
		if (json_is_string(in))
			list = split_list(json_string_value(in));
		else if (json_is_array(in))
			list = json_incref((json_t *)in);
		else
			return refuse(k, path, in, f, "is not a list");
		res = json_array();
		for (i = 0; i < json_array_size(list); i++) {
			json_t *c;
			if ((rc = coerce_scalar(&c, k, path, f, json_array_get(list, i)))) {
				json_decref(list);
				json_decref(res);
				return rc;
			}
			json_array_append_new(res, c);
		}
		json_decref(list);
		*out = res;
		return 0;
	}
	return coerce_scalar(out, k, path, f, in);
}

/*
 * "prefix.key" ("key" if prefix is empty) into out[sz], cut at sz - 1 bytes
 * exactly as snprintf would, without parsing a format: check_change and the
 * fold (rstate.c) run it for every field of every write.
 */
void pl_schema__join_path(char *out, size_t sz, const char *prefix, const char *key)
{
	size_t off = 0, n = strlen(prefix);

	if (n) {
		off = n < sz - 1 ? n : sz - 1;
		memcpy(out, prefix, off);
		if (off < sz - 1)
			out[off++] = '.';
	}
	n = strlen(key);
	if (n > sz - 1 - off)
		n = sz - 1 - off;
	memcpy(out + off, key, n);
	out[off + n] = '\0';
}

static int check_change(const pl_kind_def *k, const char *prefix, const json_t *change,
                        pl_ref_exists_fn exists, void *payload, int coerced)
{
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach((json_t *)change, key, v) {
		char path[256];
		const pl_field_def *f;
		json_t *c = NULL;

		pl_schema__join_path(path, sizeof(path), prefix, key);
		if (!(f = pl_schema_field(k, path)))
			return pl_schema_coerce(&c, k, path, v); /* sets the unknown-field error */
		if (json_is_null(v)) {
			if (f->required && !*prefix)
				return pl_error_set(PL_EINVALID, "%s.%s is required and cannot be unset",
				                    k->name, path);
			continue;
		}
		if (f->type == PL_T_MAP) {
			if (!json_is_object(v))
				return refuse(k, path, v, f, "is not a map");
			if ((rc = check_change(k, path, v, exists, payload, coerced)))
				return rc;
			continue;
		}
		if (!coerced) {
			if ((rc = pl_schema_coerce(&c, k, path, v)))
				return rc;
			/* the stored form must already be the coerced one */
			if (!json_equal(c, v) || json_typeof(c) != json_typeof(v)) {
				json_decref(c);
				return refuse(k, path, v, f, "is not in its stored form");
			}
			json_decref(c);
		}
		if (exists && f->type == PL_T_REF && !exists(f->ref, json_string_value(v), path, payload))
			return pl_error_set(PL_EINVALID, "%s.%s: no %s record with id \"%s\"; add it first",
			                    k->name, path, f->ref, json_string_value(v));
		if (exists && f->type == PL_T_REFLIST) {
			for (size_t i = 0; i < json_array_size(v); i++) {
				const char *id = json_string_value(json_array_get(v, i));
				if (!exists(f->ref, id, path, payload))
					return pl_error_set(PL_EINVALID, "%s.%s: no %s record with id \"%s\"; add it first",
					                    k->name, path, f->ref, id);
			}
		}
	}
	return 0;
}

static int validate(const pl_kind_def *k, const json_t *change, const json_t *after, const json_t *under,
                    pl_ref_exists_fn exists, void *payload, int coerced)
{
	int rc;

	if (change && (rc = check_change(k, "", change, exists, payload, coerced)))
		return rc;
	if (after) {
		for (const pl_field_def *f = k->fields; f->name; f++) {
			json_t *v = json_object_get(after, f->name);
			if (!v && under)
				v = json_object_get(under, f->name);
			if (f->required && (!v || json_is_null(v)))
				return pl_error_set(PL_EINVALID, "%s.%s is required (%s: %s)", k->name,
				                    f->name, f->help, pl_schema_type_name(f));
		}
	}
	return 0;
}

int pl_schema_prepare(json_t **out, const pl_kind_def *k, const json_t *raw, const json_t *current,
                      pl_ref_exists_fn exists, void *payload)
{
	json_t *res = NULL;
	const char *key;
	json_t *v;
	int rc = 0;

	*out = NULL;
	if (raw && !json_is_object(raw))
		return pl_error_set(PL_EINVALID, "fields must be an object");
	if (!(res = json_object()))
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach((json_t *)raw, key, v) {
		json_t *c;
		if ((rc = pl_schema_coerce(&c, k, key, v)))
			goto cleanup;
		json_object_set_new(res, key, c);
	}
	/* the record after it: a field the change does not name is as it is
	 * now (the change cannot unset a required one: check_change refuses) */
	rc = validate(k, res, res, current, exists, payload, 1);
cleanup:
	if (rc)
		json_decref(res);
	else
		*out = res;
	return rc;
}

int pl_schema_validate(const pl_kind_def *k, const json_t *change, const json_t *after,
                       pl_ref_exists_fn exists, void *payload)
{
	return validate(k, change, after, NULL, exists, payload, 0);
}

int pl_schema_validate_coerced(const pl_kind_def *k, const json_t *change, const json_t *after,
                               pl_ref_exists_fn exists, void *payload)
{
	return validate(k, change, after, NULL, exists, payload, 1);
}

/* ---- the Guskey levels ---- */

/* The first five fields of f_evaluation, in level order, with the names
 * reports give the levels. */
static const pl_guskey_level guskey_levels[] = {
	{ &f_evaluation[0], 1, "Participants' reactions" },
	{ &f_evaluation[1], 2, "Participants' learning" },
	{ &f_evaluation[2], 3, "Organization support and change" },
	{ &f_evaluation[3], 4, "Participants' use of new knowledge and skills" },
	{ &f_evaluation[4], 5, "Student learning outcomes" },
	{ NULL, 0, NULL }
};

const pl_guskey_level *pl_schema_guskey_levels(void)
{
	return guskey_levels;
}

/* ---- the kinds' names, for messages ---- */

const char *pl_schema_kind_names(char *out, size_t sz)
{
	size_t n = 0;

	if (!sz)
		return out;
	out[0] = '\0';
	for (int i = 0; kinds[i] && n < sz; i++)
		n += (size_t)snprintf(out + n, sz - n, "%s%s", i ? ", " : "", kinds[i]->name);
	return out;
}
