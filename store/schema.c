/*
 * schema.c — the record kinds: one table of fields per kind (docs/design.md,
 * "Record kinds"), the standards code lists, the Guskey levels, and lookups
 * in them. The checks every write passes are schema-check.c.
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
static const char *const e_via[] = { "login", "recorded", NULL };
static const char *const e_registration[] = { "registered", "waitlisted", "cancelled", NULL };
static const char *const e_rule_when[] = { "always", "out_of_district", "cost_over", "federal_funds", NULL };
static const char *const e_frequency[] = { "once", "yearly", "every_n_years", NULL };

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
	FE("via", e_via, 0, "login: by the approver's own session; recorded: by someone else for them"),
	END
};

static const pl_field_def f_approvals[] = {
	FM("supervisor", f_approval, "the supervisor's approval"),
	FM("budget", f_approval, "the budget manager's approval"),
	FM("principal", f_approval, "the principal's approval (a district approval chain step)"),
	FM("federal_programs", f_approval, "the federal programs office's approval (a chain step)"),
	FM("district_pd", f_approval, "the district PD office's approval (a chain step)"),
	FM("superintendent", f_approval, "the superintendent's approval (a chain step)"),
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
	F("credit_type", PL_T_STR, 0, "what the credits are: graduate, ceu, or a district credit_type code"),
	FI("cost_cents", 0, 0, 0, "cost, cents"),
	F("funding", PL_T_FUNDING, 0, "funding source"),
	F("standards", PL_T_STDLIST, 0, "Learning Forward standard codes"),
	FR("goal", PL_T_REF, "goal", 0, "plan goal id it serves"),
	FR("activity", PL_T_REF, "activity", 0, "plan activity id it serves"),
	F("required_for_job", PL_T_BOOL, 0, "required for the job"),
	FE("status", e_pd_status, 0, "workflow status"),
	F("requested_at", PL_T_TIME, 0, "when the PD was requested (approvals may not be dated before it)"),
	FM("approvals", f_approvals, "supervisor and budget approvals"),
	FM("evaluation", f_evaluation, "Guskey evaluation levels"),
	F("evidence", PL_T_STR, 0, "evidence of completion"),
	F("notes", PL_T_STR, 0, "notes"),
	FR("offering", PL_T_REF, "offering", 0, "offering id this entry registers for"),
	FE("registration", e_registration, 0, "registration for the offering"),
	F("sessions_attended", PL_T_STRLIST, 0, "numbers of the offering's sessions attended (1, 2, ...)"),
	END
};

static const pl_field_def f_effectiveness[] = {
	F("levels", PL_T_STRLIST, 0, "Guskey levels measured (reaction, learning, org_support, transfer, student_impact)"),
	F("when", PL_T_STR, 0, "when effectiveness is measured"),
	F("method", PL_T_STR, 0, "how it is measured"),
	END
};

static const pl_field_def f_offering[] = {
	F("title", PL_T_STR, 1, "title of the offering"),
	F("description", PL_T_STR, 0, "what it is about"),
	F("provider", PL_T_STR, 0, "who provides it"),
	FR("presenters", PL_T_REFLIST, "staff", 0, "staff ids of the presenters (PL provided, Rule 4370.2)"),
	FE("type", e_pd_type, 1, "type of PD"),
	FE("delivery", e_delivery, 0, "delivery model"),
	FE("location", e_location, 0, "in or out of district"),
	F("sessions", PL_T_STRLIST, 0, "sessions, each 'YYYY-MM-DD HH:MM-HH:MM place'"),
	FI("capacity", 0, 0, 0, "seats (0 or unset: no limit)"),
	F("hours", PL_T_NUM, 0, "contact hours (default: the sessions' total)"),
	F("credits", PL_T_NUM, 0, "credits earned"),
	F("credit_type", PL_T_STR, 0, "kind of credit (hours, CEU, graduate, ...)"),
	F("standards", PL_T_STDLIST, 0, "Learning Forward standard codes"),
	F("funding", PL_T_FUNDING, 0, "funding source"),
	FI("cost_cents", 0, 0, 0, "cost per participant, cents"),
	FR("goal", PL_T_REF, "goal", 0, "plan goal id it serves"),
	FR("activity", PL_T_REF, "activity", 0, "plan activity id it serves"),
	F("registration_opens", PL_T_DATE, 0, "first day of registration"),
	F("registration_closes", PL_T_DATE, 0, "last day of registration"),
	F("implementation_plan", PL_T_STR, 0, "follow-up steps for ongoing support (Policy 4370)"),
	FM("effectiveness", f_effectiveness, "how effectiveness is determined (Guskey levels, when)"),
	F("signin_key", PL_T_STR, 0, "secret the sessions' sign-in codes are derived from"),
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

/* The approvers of the chain steps a staff record does not name. */
static const pl_field_def f_rule_approvers[] = {
	FR("principal", PL_T_REF, "staff", 0, "staff id who approves the principal step"),
	FR("federal_programs", PL_T_REF, "staff", 0, "staff id of the federal programs office"),
	FR("district_pd", PL_T_REF, "staff", 0, "staff id of the district PD office"),
	FR("superintendent", PL_T_REF, "staff", 0, "staff id of the superintendent"),
	END
};

static const pl_field_def f_approval_rule[] = {
	F("name", PL_T_STR, 1, "what the rule is for"),
	FE("when", e_rule_when, 1, "which entries it applies to"),
	FI("cost_over_cents", 0, 0, 0, "when=cost_over: entries costing more than this, cents"),
	F("steps", PL_T_STRLIST, 1, "approval steps it adds: principal, federal_programs, district_pd, "
	  "superintendent (supervisor and budget are always in the chain)"),
	FM("approvers", f_rule_approvers, "who approves each added step"),
	END
};

static const pl_field_def f_requirement[] = {
	F("title", PL_T_STR, 1, "the required training"),
	F("role", PL_T_STR, 0, "only staff with this job title (any case)"),
	FE("category", e_category, 0, "only staff of this category"),
	FR("school", PL_T_REF, "school", 0, "only staff of this school"),
	FE("frequency", e_frequency, 1, "once, yearly (by `due`) or every_n_years (`years`)"),
	F("due", PL_T_STR, 0, "yearly: the day it is due each year, MM-DD"),
	F("due_date", PL_T_DATE, 0, "once: the date it is due (none: due now)"),
	FI("years", 1, 50, 0, "every_n_years: the number of years"),
	F("hours", PL_T_NUM, 0, "hours needed in each period (none: one completion)"),
	F("match_title", PL_T_STR, 0, "completed PD whose title contains this (any case) satisfies it"),
	FE("match_type", e_pd_type, 0, "completed PD of this type satisfies it"),
	F("match_standards", PL_T_STDLIST, 0, "completed PD with one of these standards satisfies it"),
	F("offerings", PL_T_STRLIST, 0, "offering ids whose entries satisfy it"),
	END
};

static const pl_field_def f_credit_type[] = {
	F("code", PL_T_STR, 1, "the code pd_entry.credit_type names"),
	F("name", PL_T_STR, 1, "its name on transcripts"),
	F("hours_per_unit", PL_T_NUM, 1, "contact hours that make one unit"),
	END
};

static const pl_kind_def k_school = { "school", "a school (or the district office)", f_school };
static const pl_kind_def k_staff = { "staff", "a staff member", f_staff };
static const pl_kind_def k_plan = { "plan", "a professional learning plan for one year", f_plan };
static const pl_kind_def k_goal = { "goal", "a goal of a plan", f_goal };
static const pl_kind_def k_activity = { "activity", "an activity toward a goal", f_activity };
static const pl_kind_def k_pd_entry = { "pd_entry", "one PD event for one staff member", f_pd_entry };
static const pl_kind_def k_plc_meeting = { "plc_meeting", "a PLC meeting", f_plc_meeting };
static const pl_kind_def k_offering = { "offering", "a PD offering staff register for", f_offering };

static const pl_kind_def k_approval_rule = { "approval_rule", "a district approval chain rule", f_approval_rule };
static const pl_kind_def k_requirement = { "requirement", "a required training", f_requirement };
static const pl_kind_def k_credit_type = { "credit_type", "a district-defined credit type", f_credit_type };

static const pl_kind_def *const kinds[] = {
	&k_school, &k_staff, &k_plan, &k_goal, &k_activity, &k_pd_entry, &k_plc_meeting, &k_offering,
	&k_approval_rule, &k_requirement, &k_credit_type, NULL
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

const char *pl_schema__standard(int i)
{
	return i >= 0 && i < (int)(sizeof(standards) / sizeof(standards[0])) ? standards[i].code : NULL;
}

const char *const *pl_standard_codes(int set)
{
	return set == 2011 ? codes2011 : codes2022;
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
