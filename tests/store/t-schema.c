/*
 * Every write is validated against its kind: one good record of each kind
 * goes in (references first), and each kind of bad value is refused with
 * PL_EINVALID and a message that names kind.field and the value, leaving
 * the store exactly as it was. Raw strings from CSV or the command line
 * are coerced to the stored types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define ACTOR "Sam Secretary <sam@lincoln.example.org>"

static pl_store *st;

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
	if (!v)
		bail("bad test json '%s': %s", text, err.text);
	return v;
}

/* The good fields of each kind, as a person or a CSV would give them. */
static const struct good {
	const char *kind, *id, *json;
} goods[] = {
	{ "school", "LIN01",
	  "{\"code\":\"LIN01\",\"name\":\"Lincoln Elementary\",\"level\":\"elementary\",\"enrollment\":\"412\","
	  "\"demographics\":\"38% FRL\",\"teaching_units\":22,\"certified_staff\":\"31\","
	  "\"per_pupil_expenditure_cents\":1210000}" },
	{ "staff", "E200",
	  "{\"name\":\"Pat Principal\",\"email\":\"pat@lincoln.example.org\",\"school\":\"LIN01\","
	  "\"role\":\"principal\",\"category\":\"certified\"}" },
	{ "staff", "E100",
	  "{\"name\":\"Tess Teacher\",\"email\":\"tess@lincoln.example.org\",\"school\":\"LIN01\",\"role\":\"grade 3\","
	  "\"category\":\"certified\",\"supervisor\":\"E200\",\"budget_manager\":\"E200\",\"license_number\":\"L-4471\","
	  "\"license_expires\":\"2028-06-30\",\"renewal_hours_required\":\"30\"}" },
	{ "plan", "P1",
	  "{\"school\":\"LIN01\",\"year\":\"2026-2027\",\"mission\":\"Every child reads\",\"vision\":\"v\","
	  "\"status\":\"draft\",\"approved_by\":\"E200\"}" },
	{ "goal", "G1",
	  "{\"plan\":\"P1\",\"number\":\"1\",\"statement\":\"Raise grade 3 reading\",\"rationale\":\"2025 scores\","
	  "\"measure\":\"MAP\",\"outcome_y1\":\"+5%\"}" },
	{ "activity", "A1",
	  "{\"goal\":\"G1\",\"title\":\"Guided reading cycle\",\"initial\":{\"who\":\"grade 3\",\"what\":\"workshop\","
	  "\"how\":\"2 sessions\"},\"followup\":{\"who\":\"coach\",\"what\":\"observe\",\"how\":\"rounds\"},"
	  "\"start\":\"2026-09-01\",\"end\":\"2027-05-30\",\"standards\":\"learning_designs, implementation\","
	  "\"delivery\":\"job_embedded\",\"budget_cents\":\"150000\",\"funding\":\"federal:title-ii-a\"}" },
	{ "pd_entry", "PD1",
	  "{\"staff\":\"E100\",\"title\":\"Data teams institute\",\"type\":\"institute\",\"provider\":\"Learning Forward\","
	  "\"location\":\"out_of_district\",\"delivery\":\"in_person\",\"start\":\"2026-10-01\",\"end\":\"2026-10-03\","
	  "\"hours\":\"7.5\",\"credits\":\"0.5\",\"cost_cents\":\"12500\",\"funding\":\"grant:reading-first\","
	  "\"standards\":\"learning_communities, equity_practices\",\"goal\":\"G1\",\"activity\":\"A1\","
	  "\"required_for_job\":\"yes\",\"status\":\"requested\","
	  "\"approvals\":{\"supervisor\":{\"by\":\"E200\",\"at\":\"2026-09-20T10:00:00Z\",\"decision\":\"approved\"}},"
	  "\"evaluation\":{\"reaction\":4,\"learning\":\"5\"},\"evidence\":\"certificate.pdf\",\"notes\":\"Zoë's cohort\"}" },
	{ "plc_meeting", "M1",
	  "{\"group\":\"Grade 3 team\",\"school\":\"LIN01\",\"date\":\"2026-09-15\",\"minutes\":\"45\","
	  "\"attendees\":\"E100, E200\",\"focus\":\"running records\",\"standards\":[\"equity_practices\"],"
	  "\"notes\":\"n\",\"next_steps\":\"s\"}" },
	{ "offering", "O1",
	  "{\"title\":\"Math routines\",\"type\":\"workshop\",\"presenters\":\"E200\",\"capacity\":\"25\","
	  "\"sessions\":\"2026-10-05 15:30-17:30 Room 4, 2026-10-12 15:30-17:00 Room 4\",\"hours\":\"3.5\","
	  "\"credit_type\":\"CEU\",\"registration_closes\":\"2026-10-01\",\"goal\":\"G1\","
	  "\"effectiveness\":{\"levels\":\"reaction, transfer\",\"when\":\"in December\"}}" },
	{ "approval_rule", "R1",
	  "{\"name\":\"Out of district\",\"when\":\"cost_over\",\"cost_over_cents\":\"50000\","
	  "\"steps\":\"district_pd, superintendent\",\"approvers\":{\"district_pd\":\"E200\"}}" },
	{ "requirement", "Q1",
	  "{\"title\":\"Mandated reporter\",\"role\":\"grade 3\",\"category\":\"certified\",\"school\":\"LIN01\","
	  "\"frequency\":\"yearly\",\"due\":\"09-30\",\"due_date\":\"2027-06-30\",\"years\":\"3\",\"hours\":\"2\","
	  "\"match_title\":\"reporter\",\"match_type\":\"training\",\"match_standards\":\"leadership\","
	  "\"offerings\":\"O1, O2\"}" },
	{ "credit_type", "C1", "{\"code\":\"pdp\",\"name\":\"PD points\",\"hours_per_unit\":\"2\"}" },
};

static const char *good_json(const char *kind)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		if (!strcmp(goods[i].kind, kind))
			return goods[i].json;
	bail("no good %s", kind);
}

static int change(int type, const char *kind, const char *id, json_t *fields)
{
	pl_change c = { type, kind, id, fields, NULL };
	return pl_store_change(st, ACTOR, &c, NULL);
}

static json_t *field_of(const char *id, const char *path)
{
	static pl_record *r;   /* kept until the next call */
	json_t *v;
	char buf[128], *p, *dot;

	pl_record_free(r);
	r = NULL;
	if (!id)
		return NULL;
	if (pl_store_get(&r, st, id))
		return NULL;
	v = r->fields;
	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; v && (dot = strchr(p, '.')); p = dot + 1) {
		*dot = '\0';
		v = json_object_get(v, p);
	}
	return v ? json_object_get(v, p) : NULL;
}

/* ---- good records ---- */

static void test_good_records(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		json_t *f = parse(goods[i].json);
		int rc = change(PL_CHANGE_CREATE, goods[i].kind, goods[i].id, f);
		if (!is_int(rc, 0, "a good %s (%s) is accepted", goods[i].kind, goods[i].id))
			diag("%s", pl_error_last()->message);
		json_decref(f);
	}
	{
		pl_store_stats s;
		pl_store_stats_get(&s, st);
		ok(s.records == 12 && s.by_kind[5] == 1 && s.by_kind[1] == 2, "the store holds 12 records, 2 of them staff");
	}
}

/* ---- coercion ---- */

static void test_coercion(void)
{
	json_t *v, *in, *want;
	const pl_kind_def *pd = pl_schema_kind("pd_entry"), *plc = pl_schema_kind("plc_meeting");

	v = field_of("PD1", "hours");
	ok(json_is_real(v) && json_real_value(v) == 7.5, "hours \"7.5\" is stored as the number 7.5");
	v = field_of("PD1", "cost_cents");
	ok(json_is_integer(v) && json_integer_value(v) == 12500, "cost_cents \"12500\" is stored as the integer 12500");
	v = field_of("PD1", "evaluation.learning");
	ok(json_is_integer(v) && json_integer_value(v) == 5, "a nested level \"5\" is stored as the integer 5");
	v = field_of("PD1", "required_for_job");
	ok(json_is_true(v), "required_for_job \"yes\" is stored as true");
	v = field_of("PD1", "standards");
	want = parse("[\"learning_communities\",\"equity_practices\"]");
	ok(json_equal(v, want), "standards \"learning_communities, equity_practices\" is stored as a list of both codes");
	json_decref(want);
	v = field_of("M1", "attendees");
	want = parse("[\"E100\",\"E200\"]");
	ok(json_equal(v, want), "attendees \"E100, E200\" is stored as [\"E100\",\"E200\"]");
	json_decref(want);
	v = field_of("E100", "renewal_hours_required");
	ok(json_is_real(v) && json_real_value(v) == 30.0, "renewal_hours_required \"30\" is stored as the number 30");

	in = json_string("a, b");
	want = parse("[\"a\",\"b\"]");
	ok(pl_schema_coerce(&v, plc, "attendees", in) == 0 && json_equal(v, want), "\"a, b\" coerces to [\"a\",\"b\"]");
	json_decref(v);
	json_decref(in);
	in = json_string(" a ,, b , ");
	ok(pl_schema_coerce(&v, plc, "attendees", in) == 0 && json_equal(v, want),
	   "\" a ,, b , \" coerces to [\"a\",\"b\"] too (trimmed, empties dropped)");
	json_decref(v);
	json_decref(in);
	json_decref(want);

	in = json_string(" 8 ");
	ok(pl_schema_coerce(&v, pd, "hours", in) == 0 && json_is_real(v) && json_real_value(v) == 8.0,
	   "\" 8 \" coerces to the number 8");
	json_decref(v);
	json_decref(in);
	in = json_integer(3);
	ok(pl_schema_coerce(&v, pd, "hours", in) == 0 && json_is_real(v) && json_real_value(v) == 3.0,
	   "an integer 3 for hours is stored as the number 3.0");
	json_decref(v);
	json_decref(in);

	{
		static const struct { const char *s; int want; } bools[] = {
			{ "yes", 1 }, { "TRUE", 1 }, { "1", 1 }, { "y", 1 }, { "no", 0 }, { "False", 0 }, { "0", 0 }, { "N", 0 },
		};
		int all = 1;
		for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
			in = json_string(bools[i].s);
			if (pl_schema_coerce(&v, pd, "required_for_job", in) || !json_is_boolean(v) ||
			    json_is_true(v) != bools[i].want) {
				diag("\"%s\" did not coerce to %s", bools[i].s, bools[i].want ? "true" : "false");
				all = 0;
			}
			json_decref(v);
			json_decref(in);
		}
		ok(all, "yes/TRUE/1/y coerce to true and no/False/0/N to false");
		in = json_string("maybe");
		v = NULL;
		ok(pl_schema_coerce(&v, pd, "required_for_job", in) == PL_EINVALID && !v &&
		   strstr(pl_error_last()->message, "pd_entry.required_for_job") &&
		   strstr(pl_error_last()->message, "maybe"), "\"maybe\" is not a bool, and the message says so");
		json_decref(in);
	}
	in = json_null();
	ok(pl_schema_coerce(&v, pd, "hours", in) == 0 && json_is_null(v), "null passes coercion (it unsets)");
	json_decref(v);
	json_decref(in);
}

static void test_standards(void)
{
	const char *const *c11 = pl_standard_codes(2011), *const *c22 = pl_standard_codes(2022);
	int n11 = 0, n22 = 0, own = 1;

	for (; c11[n11]; n11++)
		own &= pl_standard_in_set(c11[n11], 2011) && pl_standard_name(c11[n11], 2011) != NULL;
	for (; c22[n22]; n22++)
		own &= pl_standard_in_set(c22[n22], 2022) && pl_standard_name(c22[n22], 2022) != NULL;
	ok(n11 == 7 && n22 == 11, "the 2011 set has 7 standards and the 2022 set 11 (docs/design.md)");
	ok(own, "every code is in its own set, with a display name");
	ok(pl_standard_in_set("learning_communities", 2011) && !pl_standard_in_set("learning_communities", 2022),
	   "learning_communities is a 2011 code only");
	ok(pl_standard_in_set("equity_practices", 2022) && !pl_standard_in_set("equity_practices", 2011),
	   "equity_practices is a 2022 code only");
	is_str(pl_standard_name("curriculum_assessment_instruction", 2022), "Curriculum, Assessment, and Instruction",
	       "display names are kept apart from codes");

	/* both sets in one record, through the store */
	json_t *f = parse(good_json("pd_entry"));
	json_object_set_new(f, "standards", parse("\"data, equity_drivers, leadership\""));
	int rc = change(PL_CHANGE_CREATE, "pd_entry", "PD2", f);
	json_decref(f);
	json_t *want = parse("[\"data\",\"equity_drivers\",\"leadership\"]");
	ok(rc == 0 && json_equal(field_of("PD2", "standards"), want),
	   "a PD entry may cite a 2011 code, a 2022 code and a code of both sets");
	json_decref(want);
	field_of(NULL, NULL);
}

/* ---- refusals ---- */

/*
 * The change is refused PL_EINVALID, the message holds each of want1 and
 * want2 (when given), and the store has not moved.
 */
static void refused(const char *what, int type, const char *kind, const char *id, json_t *fields,
                    const char *want1, const char *want2)
{
	pl_store_stats a, b;
	const char *msg;
	int rc;

	pl_store_stats_get(&a, st);
	rc = change(type, kind, id, fields);
	msg = pl_error_last()->message;
	pl_store_stats_get(&b, st);
	if (!ok(rc == PL_EINVALID && strstr(msg, want1) && (!want2 || strstr(msg, want2)),
	        "%s is refused, naming %s%s%s", what, want1, want2 ? " and " : "", want2 ? want2 : ""))
		diag("rc %d, message: %s", rc, msg);
	if (!ok(a.seq == b.seq && a.records == b.records && a.ops == b.ops && a.hlc == b.hlc,
	        "  and the store is unchanged"))
		diag("seq %llu -> %llu, records %llu -> %llu", (unsigned long long)a.seq, (unsigned long long)b.seq,
		     (unsigned long long)a.records, (unsigned long long)b.records);
	json_decref(fields);
}

/* The good fields of `kind` with `key` set to the JSON `value` (NULL: removed). */
static json_t *good_with(const char *kind, const char *key, const char *value)
{
	json_t *f = parse(good_json(kind));
	if (value)
		json_object_set_new(f, key, parse(value));
	else
		json_object_del(f, key);
	return f;
}

static void test_missing_required(void)
{
	const pl_kind_def *const *kinds = pl_schema_kinds();
	int nk = 0;

	for (int k = 0; kinds[k]; k++, nk++) {
		for (const pl_field_def *f = kinds[k]->fields; f->name; f++) {
			char what[128], want[128];
			if (!f->required)
				continue;
			snprintf(what, sizeof(what), "a new %s record without %s", kinds[k]->name, f->name);
			snprintf(want, sizeof(want), "%s.%s", kinds[k]->name, f->name);
			refused(what, PL_CHANGE_CREATE, kinds[k]->name, "NEW1", good_with(kinds[k]->name, f->name, NULL),
			        want, "required");
		}
	}
	is_int(nk, 11, "all eleven kinds were checked");
}

static void test_bad_values(void)
{
	refused("an unknown field", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "colour", "\"red\""), "pd_entry", "colour");
	refused("an unknown nested field", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "approvals", "{\"dean\":{\"by\":\"E200\"}}"), "pd_entry", "approvals.dean");
	refused("a PD type not in the list", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "type", "\"party\""), "pd_entry.type", "\"party\"");
	refused("a location not in the list", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "location", "\"abroad\""), "pd_entry.location", "\"abroad\"");
	refused("a staff category not in the list", PL_CHANGE_CREATE, "staff", "NEW1",
	        good_with("staff", "category", "\"volunteer\""), "staff.category", "\"volunteer\"");
	refused("February 30th", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "start", "\"2026-02-30\""), "pd_entry.start", "\"2026-02-30\"");
	refused("month 13", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "end", "\"2026-13-01\""), "pd_entry.end", "\"2026-13-01\"");
	refused("\"tomorrow\" as a date", PL_CHANGE_CREATE, "plc_meeting", "NEW1",
	        good_with("plc_meeting", "date", "\"tomorrow\""), "plc_meeting.date", "\"tomorrow\"");
	refused("a date with a time tail", PL_CHANGE_CREATE, "staff", "NEW1",
	        good_with("staff", "license_expires", "\"2028-06-30x\""), "staff.license_expires", "2028-06-30x");
	refused("an approval time at 25 o'clock", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "approvals", "{\"supervisor\":{\"at\":\"2026-10-01T25:00:00Z\"}}"),
	        "pd_entry.approvals.supervisor.at", "2026-10-01T25:00:00Z");
	refused("negative hours", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "hours", "\"-3\""), "pd_entry.hours", "\"-3\"");
	refused("negative hours as a number", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "hours", "-0.5"), "pd_entry.hours", "-0.5");
	refused("a negative cost", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "cost_cents", "-500"), "pd_entry.cost_cents", "-500");
	refused("hours that are not a number", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "hours", "\"abc\""), "pd_entry.hours", "\"abc\"");
	refused("hours given as a bool", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "hours", "true"), "pd_entry.hours", "true");
	refused("a fractional enrollment", PL_CHANGE_CREATE, "school", "NEW1",
	        good_with("school", "enrollment", "\"12.5\""), "school.enrollment", "12.5");
	refused("school year 2026-2028", PL_CHANGE_CREATE, "plan", "NEW1",
	        good_with("plan", "year", "\"2026-2028\""), "plan.year", "\"2026-2028\"");
	refused("a school year of one year", PL_CHANGE_CREATE, "plan", "NEW1",
	        good_with("plan", "year", "\"2026\""), "plan.year", "\"2026\"");
	refused("funding from a lottery", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "funding", "\"lottery\""), "pd_entry.funding", "\"lottery\"");
	refused("federal funding without a program", PL_CHANGE_CREATE, "activity", "NEW1",
	        good_with("activity", "funding", "\"federal:\""), "activity.funding", "\"federal:\"");
	refused("federal funding with a badly written program", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "funding", "\"federal:Title II\""), "pd_entry.funding", "federal:Title II");
	refused("a standard code that does not exist", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "standards", "\"synergy\""), "pd_entry.standards", "\"synergy\"");
	refused("a standard given by its display name", PL_CHANGE_CREATE, "activity", "NEW1",
	        good_with("activity", "standards", "[\"data\", \"Equity Practices\"]"), "activity.standards",
	        "Equity Practices");
	refused("evaluation level 6", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "evaluation", "{\"reaction\":6}"), "pd_entry.evaluation.reaction", "6");
	refused("evaluation level 0", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "evaluation", "{\"transfer\":\"0\"}"), "pd_entry.evaluation.transfer", "0");
	refused("goal number 100", PL_CHANGE_CREATE, "goal", "NEW1",
	        good_with("goal", "number", "100"), "goal.number", "100");
	refused("a 25-hour PLC meeting", PL_CHANGE_CREATE, "plc_meeting", "NEW1",
	        good_with("plc_meeting", "minutes", "1500"), "plc_meeting.minutes", "1500");
	refused("an email without a domain", PL_CHANGE_CREATE, "staff", "NEW1",
	        good_with("staff", "email", "\"tess@\""), "staff.email", "\"tess@\"");
	refused("an empty required title", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "title", "\"\""), "pd_entry.title", "empty");
	refused("approvals given as text, not a map", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "approvals", "\"yes\""), "pd_entry.approvals", "\"yes\"");
	refused("an approval decision not in the list", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "approvals", "{\"budget\":{\"decision\":\"maybe\"}}"),
	        "pd_entry.approvals.budget.decision", "\"maybe\"");
	refused("a name given as a number", PL_CHANGE_CREATE, "staff", "NEW1",
	        good_with("staff", "name", "42"), "staff.name", "42");
}

static void test_references(void)
{
	refused("a PD entry for a staff id that does not exist", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "staff", "\"E999\""), "pd_entry.staff", "E999");
	refused("a goal id that names a plan", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "goal", "\"P1\""), "pd_entry.goal", "P1");
	refused("an approver who does not exist", PL_CHANGE_CREATE, "pd_entry", "NEW1",
	        good_with("pd_entry", "approvals", "{\"budget\":{\"by\":\"E404\"}}"),
	        "pd_entry.approvals.budget.by", "E404");
	refused("an attendee who does not exist", PL_CHANGE_CREATE, "plc_meeting", "NEW1",
	        good_with("plc_meeting", "attendees", "\"E100, E777\""), "plc_meeting.attendees", "E777");
	refused("a plan for a school that does not exist", PL_CHANGE_CREATE, "plan", "NEW1",
	        good_with("plan", "school", "\"ZZZ01\""), "plan.school", "ZZZ01");
	refused("a supervisor who does not exist", PL_CHANGE_CREATE, "staff", "NEW1",
	        good_with("staff", "supervisor", "\"E000\""), "staff.supervisor", "E000");
	{
		/* a deleted record can no longer be referred to */
		json_t *f = parse("{\"name\":\"Gone Soon\",\"category\":\"noninstructional\"}");
		int rc = change(PL_CHANGE_CREATE, "staff", "E300", f);
		json_decref(f);
		rc = rc ? rc : change(PL_CHANGE_DEL, NULL, "E300", NULL);
		is_int(rc, 0, "a staff record is added and deleted");
		refused("a PD entry for a deleted staff member", PL_CHANGE_CREATE, "pd_entry", "NEW1",
		        good_with("pd_entry", "staff", "\"E300\""), "pd_entry.staff", "E300");
	}
}

static void test_set(void)
{
	json_t *before;
	pl_record *r = NULL;

	pl_store_get(&r, st, "PD1");
	before = r ? json_incref(r->fields) : NULL;
	pl_record_free(r);
	r = NULL;

	refused("unsetting a staff member's name", PL_CHANGE_SET, NULL, "E100", parse("{\"name\":null}"),
	        "staff.name", "required");
	refused("unsetting a school's code", PL_CHANGE_SET, NULL, "LIN01", parse("{\"code\":null}"),
	        "school.code", "required");
	refused("setting negative hours", PL_CHANGE_SET, NULL, "PD1", parse("{\"hours\":\"-1\"}"),
	        "pd_entry.hours", "\"-1\"");
	refused("setting a bad field next to a good one", PL_CHANGE_SET, NULL, "PD1",
	        parse("{\"notes\":\"fine\",\"status\":\"lost\"}"), "pd_entry.status", "\"lost\"");
	refused("setting a nested level of 6", PL_CHANGE_SET, NULL, "PD1",
	        parse("{\"evaluation\":{\"student_impact\":6}}"), "pd_entry.evaluation.student_impact", "6");
	refused("pointing a PD entry at a missing activity", PL_CHANGE_SET, NULL, "PD1",
	        parse("{\"activity\":\"A9\"}"), "pd_entry.activity", "A9");
	refused("setting a plan's year to 2026-2028", PL_CHANGE_SET, "plan", "P1",
	        parse("{\"year\":\"2026-2028\"}"), "plan.year", "2026-2028");

	pl_store_get(&r, st, "PD1");
	ok(r && json_equal(r->fields, before), "after the refused sets PD1 is exactly as it was");
	pl_record_free(r);
	r = NULL;
	json_decref(before);

	/* unsetting an optional field and setting a good value do go through */
	{
		json_t *f = parse("{\"notes\":null,\"hours\":\"6\",\"evaluation\":{\"transfer\":3}}");
		int rc = change(PL_CHANGE_SET, NULL, "PD1", f);
		json_decref(f);
		is_int(rc, 0, "unsetting an optional field and setting good values is accepted");
		pl_store_get(&r, st, "PD1");
		ok(r && !json_object_get(r->fields, "notes") &&
		   json_real_value(json_object_get(r->fields, "hours")) == 6.0 &&
		   json_integer_value(json_object_get(json_object_get(r->fields, "evaluation"), "transfer")) == 3 &&
		   json_integer_value(json_object_get(json_object_get(r->fields, "evaluation"), "reaction")) == 4,
		   "notes is gone, hours is 6, evaluation gained transfer and kept reaction");
		pl_record_free(r);
	}
}

/* A change the store could not read back is refused, not stored. */
static void test_limits(void)
{
	pl_op_limits lim = PL_OP_LIMITS_INIT;
	size_t big = lim.max_value + 1000;
	char *text = malloc(big + 1), *actor = malloc(400);
	pl_record *r = NULL;
	json_t *f;
	int rc;

	memset(text, 'w', big);
	text[big] = '\0';
	f = good_with("pd_entry", "notes", "\"\"");
	json_object_set_new(f, "notes", json_string(text));
	refused("a notes value over the 16 KiB value limit", PL_CHANGE_CREATE, "pd_entry", "NEW1", f,
	        "pd_entry", "limit");

	text[lim.max_value - 200] = '\0';
	f = parse("{\"notes\":\"\"}");
	json_object_set_new(f, "notes", json_string(text));
	rc = change(PL_CHANGE_SET, NULL, "PD1", f);
	json_decref(f);
	is_int(rc, 0, "a notes value just under the limit is stored");
	rc = pl_store_get(&r, st, "PD1");
	ok(rc == 0 && r && strlen(json_string_value(json_object_get(r->fields, "notes"))) == lim.max_value - 200,
	   "and reads back whole");
	pl_record_free(r);

	{
		pl_store_stats a, b;
		pl_change c = { PL_CHANGE_SET, NULL, "PD1", NULL, NULL };
		memset(actor, 'a', 399);
		actor[399] = '\0';
		f = parse("{\"notes\":\"short\"}");
		c.fields = f;
		pl_store_stats_get(&a, st);
		rc = pl_store_change(st, actor, &c, NULL);
		pl_store_stats_get(&b, st);
		ok(rc == PL_EINVALID && a.seq == b.seq, "an actor name too long to decode is refused, nothing stored");
		text[lim.max_value - 200] = 'w';
		c.note = text;
		pl_store_stats_get(&a, st);
		rc = pl_store_change(st, ACTOR, &c, NULL);
		pl_store_stats_get(&b, st);
		ok(rc == PL_EINVALID && a.seq == b.seq, "a change note over the value limit is refused, nothing stored");
		json_decref(f);
	}
	{
		uint64_t nops, nrec;
		rc = pl_store_verify(st, &nops, &nrec);
		if (!is_int(rc, 0, "after all the refusals the store still verifies"))
			diag("%s", pl_error_last()->message);
	}
	free(text);
	free(actor);
}

/* A write with a refused change commits nothing, even if fn ignores the error. */
struct two {
	int second_rc;
};

static int two_fn(pl_write *w, void *payload)
{
	struct two *t = payload;
	json_t *good = parse("{\"name\":\"Would Be\",\"category\":\"certified\"}");
	json_t *bad = parse("{\"name\":\"Never\",\"category\":\"astronaut\"}");
	pl_change c1 = { PL_CHANGE_CREATE, "staff", "E500", good, NULL };
	pl_change c2 = { PL_CHANGE_CREATE, "staff", "E501", bad, NULL };
	pl_write_change(w, &c1, NULL);
	t->second_rc = pl_write_change(w, &c2, NULL);
	json_decref(good);
	json_decref(bad);
	return 0;   /* ignores the failure on purpose */
}

static void test_all_or_nothing(void)
{
	pl_store_stats a, b;
	pl_record *r = NULL;
	struct two t = { 0 };
	int rc;

	pl_store_stats_get(&a, st);
	rc = pl_store_write(st, ACTOR, two_fn, &t);
	pl_store_stats_get(&b, st);
	is_int(t.second_rc, PL_EINVALID, "in a write of two changes the second is refused");
	is_int(rc, PL_EINVALID, "the write fails even though its function ignored that and returned 0");
	ok(a.seq == b.seq && a.records == b.records && pl_store_get(&r, st, "E500") == PL_ENOTFOUND,
	   "and the first, good change was not committed either");
	pl_record_free(r);
}

/* References are indexed: the records naming a staff member, kept current. */
struct ids {
	char list[256];
};

static int ids_cb(const pl_record *r, void *payload)
{
	struct ids *ids = payload;
	size_t n = strlen(ids->list);
	snprintf(ids->list + n, sizeof(ids->list) - n, "%s%s", n ? "," : "", r->id);
	return 0;
}

static void test_ref_index(void)
{
	struct ids ids = { "" };
	json_t *f;
	int rc;

	pl_store_foreach(st, "pd_entry", "staff", "E100", ids_cb, &ids);
	is_str(ids.list, "PD1,PD2", "the PD entries of E100 are found through the reference index");
	f = parse("{\"staff\":\"E200\"}");
	rc = change(PL_CHANGE_SET, NULL, "PD2", f);
	json_decref(f);
	ids.list[0] = '\0';
	pl_store_foreach(st, "pd_entry", "staff", "E100", ids_cb, &ids);
	ok(rc == 0 && !strcmp(ids.list, "PD1"), "after PD2 moves to E200, E100 has only PD1 (%s)", ids.list);
	ids.list[0] = '\0';
	pl_store_foreach(st, "pd_entry", "staff", "E200", ids_cb, &ids);
	is_str(ids.list, "PD2", "and E200 has PD2");
	rc = change(PL_CHANGE_DEL, NULL, "PD2", NULL);
	ids.list[0] = '\0';
	pl_store_foreach(st, "pd_entry", "staff", "E200", ids_cb, &ids);
	ok(rc == 0 && ids.list[0] == '\0', "a deleted entry is no longer listed");
	ids.list[0] = '\0';
	pl_store_foreach(st, "pd_entry", NULL, NULL, ids_cb, &ids);
	is_str(ids.list, "PD1", "nor among all PD entries");
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-schema-XXXXXX";

	pl_init();
	st = tl_fresh_store(dir, "LIN01");
	test_good_records();
	test_coercion();
	test_standards();
	test_missing_required();
	test_bad_values();
	test_references();
	test_set();
	test_limits();
	test_all_or_nothing();
	test_ref_index();
	field_of(NULL, NULL);
	tl_store_done(st, dir);
	pl_shutdown();
	return done_testing();
}
