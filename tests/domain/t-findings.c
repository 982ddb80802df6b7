/*
 * t-findings.c — every policy finding: a case that triggers it and a near
 * miss that does not, over one dataset, as of 2027-03-01.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/dataset.h"
#include "plsync/findings.h"
#include "../tap.h"

#define TODAY "2027-03-01"

/* Both approvals, by the recorded supervisor S1 and budget manager B1. */
#define BOTH "'approvals':{'supervisor':{'by':'S1','decision':'approved'},'budget':{'by':'B1','decision':'approved'}}"
#define SUP_ONLY "'approvals':{'supervisor':{'by':'S1','decision':'approved'}}"

static json_t *ds;

/* Add a record from JSON written with single quotes. */
static void put(const char *kind, const char *id, const char *text)
{
	char *s = strdup(text);
	json_error_t err;
	json_t *f;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	if (!(f = json_loads(s, 0, &err)))
		bail("fixture %s %s: %s", kind, id, err.text);
	if (pl_dataset_put(ds, kind, id, f))
		bail("put %s %s: %s", kind, id, pl_error_last()->message);
	json_decref(f);
	free(s);
}

static void fixture(void)
{
	ds = pl_dataset_new();
	put("school", "LIN01", "{'code':'LIN01','name':'Lincoln'}");
	put("school", "OAK02", "{'code':'OAK02','name':'Oak'}");
	put("staff", "S1", "{'name':'Sup','category':'certified','school':'LIN01'}");
	put("staff", "B1", "{'name':'Budget','category':'noninstructional','school':'LIN01'}");
	put("staff", "X9", "{'name':'Someone else','category':'certified','school':'LIN01'}");
	put("staff", "E1", "{'name':'E1','category':'certified','school':'LIN01','supervisor':'S1','budget_manager':'B1'}");
	put("staff", "E2", "{'name':'E2','category':'certified','school':'OAK02','supervisor':'S1','budget_manager':'B1'}");
	put("staff", "E3", "{'name':'E3','category':'certified','school':'OAK02','supervisor':'S1','budget_manager':'B1'}");
	put("staff", "E4", "{'name':'E4','category':'certified','school':'LIN01','supervisor':'S1','budget_manager':'B1'}");

	/* approval_missing */
	put("pd_entry", "A1", "{'staff':'E1','title':'t','type':'workshop','start':'2026-10-01','status':'completed'," SUP_ONLY "}");
	put("pd_entry", "A2", "{'staff':'E1','title':'t','type':'workshop','start':'2026-10-02','status':'completed',"
	    "'approvals':{'supervisor':{'by':'X9','decision':'approved'},'budget':{'by':'B1','decision':'approved'}}}");
	put("pd_entry", "A3", "{'staff':'E1','title':'t','type':'workshop','start':'2027-02-01','status':'requested'}");
	put("pd_entry", "A4", "{'staff':'E1','title':'t','type':'workshop','start':'2026-10-03','status':'completed',"
	    "'approvals':{'supervisor':{'by':'S1','decision':'approved'},'budget':{'by':'B1','decision':'rejected'}}}");
	put("pd_entry", "N1", "{'staff':'E1','title':'t','type':'workshop','start':'2026-10-04','status':'completed'," BOTH "}");
	put("pd_entry", "N2", "{'staff':'E1','title':'t','type':'workshop','start':'2027-04-01','status':'requested'}");
	put("pd_entry", "N3", "{'staff':'E1','title':'t','type':'workshop','start':'2027-01-05','status':'cancelled'}");

	/* approval_late: both approvals valid, one or both recorded after the start */
	put("pd_entry", "L1", "{'staff':'E1','title':'t','type':'workshop','start':'2026-11-10','status':'approved',"
	    "'approvals':{'supervisor':{'by':'S1','at':'2026-11-01','decision':'approved'},"
	    "'budget':{'by':'B1','at':'2026-11-12T09:00:00Z','decision':'approved'}}}");
	put("pd_entry", "L2", "{'staff':'E1','title':'t','type':'workshop','start':'2026-11-11','status':'approved',"
	    "'approvals':{'supervisor':{'by':'S1','at':'2026-11-20','decision':'approved'},"
	    "'budget':{'by':'B1','at':'2026-11-21','decision':'approved'}}}");
	/* near misses: on time, same day, a missing approval (approval_missing's), not started yet */
	put("pd_entry", "M1", "{'staff':'E1','title':'t','type':'workshop','start':'2026-11-12','status':'approved',"
	    "'approvals':{'supervisor':{'by':'S1','at':'2026-10-01','decision':'approved'},"
	    "'budget':{'by':'B1','at':'2026-10-02','decision':'approved'}}}");
	put("pd_entry", "M2", "{'staff':'E1','title':'t','type':'workshop','start':'2026-11-13','status':'approved',"
	    "'approvals':{'supervisor':{'by':'S1','at':'2026-11-13T08:00:00Z','decision':'approved'},"
	    "'budget':{'by':'B1','at':'2026-11-13','decision':'approved'}}}");
	put("pd_entry", "M3", "{'staff':'E1','title':'t','type':'workshop','start':'2026-11-14','status':'requested',"
	    "'approvals':{'supervisor':{'by':'S1','at':'2026-11-20','decision':'approved'}}}");
	put("pd_entry", "M4", "{'staff':'E1','title':'t','type':'workshop','start':'2027-05-01','status':'approved',"
	    "'approvals':{'supervisor':{'by':'S1','at':'2027-02-01','decision':'approved'},"
	    "'budget':{'by':'B1','at':'2027-02-02','decision':'approved'}}}");

	/* out_of_district_limit: E2 has three that count in 2026-2027 */
	put("pd_entry", "O1", "{'staff':'E2','title':'c1','type':'conference','location':'out_of_district','start':'2026-09-01','status':'approved'," BOTH "}");
	put("pd_entry", "O2", "{'staff':'E2','title':'c2','type':'workshop','location':'out_of_district','start':'2026-10-01','status':'approved'," BOTH "}");
	put("pd_entry", "O3", "{'staff':'E2','title':'c3','type':'seminar','location':'out_of_district','start':'2026-11-01','status':'approved'," BOTH "}");
	/* ... and these do not count: required for the job with the supervisor's approval,
	   in district, a course, rejected */
	put("pd_entry", "O4", "{'staff':'E2','title':'c4','type':'conference','location':'out_of_district','start':'2026-08-15','status':'approved','required_for_job':true," BOTH "}");
	put("pd_entry", "O5", "{'staff':'E2','title':'c5','type':'workshop','location':'in_district','start':'2026-08-16','status':'approved'," BOTH "}");
	put("pd_entry", "O6", "{'staff':'E2','title':'c6','type':'course','location':'out_of_district','start':'2026-08-17','status':'approved'," BOTH "}");
	put("pd_entry", "O7", "{'staff':'E2','title':'c7','type':'conference','location':'out_of_district','start':'2026-08-18','status':'rejected'}");
	/* near miss: E3 has two, a third required for the job and supervisor-approved,
	   and one in the next school year */
	put("pd_entry", "P1", "{'staff':'E3','title':'d1','type':'conference','location':'out_of_district','start':'2026-09-01','status':'approved'," BOTH "}");
	put("pd_entry", "P2", "{'staff':'E3','title':'d2','type':'conference','location':'out_of_district','start':'2027-06-30','status':'approved'," BOTH "}");
	put("pd_entry", "P3", "{'staff':'E3','title':'d3','type':'seminar','location':'out_of_district','start':'2027-01-10','status':'approved','required_for_job':true," BOTH "}");
	put("pd_entry", "P4", "{'staff':'E3','title':'d4','type':'workshop','location':'out_of_district','start':'2027-07-01','status':'requested'}");
	/* trigger: required for the job, but without the supervisor's approval */
	put("pd_entry", "Q1", "{'staff':'E4','title':'q1','type':'conference','location':'out_of_district','start':'2026-09-01','status':'approved'," BOTH "}");
	put("pd_entry", "Q2", "{'staff':'E4','title':'q2','type':'conference','location':'out_of_district','start':'2026-09-02','status':'approved'," BOTH "}");
	put("pd_entry", "Q3", "{'staff':'E4','title':'q3','type':'conference','location':'out_of_district','start':'2026-09-03','status':'requested','required_for_job':true}");

	/* renewal_hours_short */
	put("staff", "R1", "{'name':'R1','category':'certified','school':'OAK02','license_expires':'2027-06-30','renewal_hours_required':20}");
	put("pd_entry", "R1a", "{'staff':'R1','title':'x','type':'course','end':'2026-01-10','hours':10,'status':'completed'," BOTH "}");
	put("pd_entry", "R1b", "{'staff':'R1','title':'x','type':'course','end':'2021-01-10','hours':50,'status':'completed'," BOTH "}");
	put("staff", "R2", "{'name':'R2','category':'certified','school':'OAK02','license_expires':'2027-09-01','renewal_hours_required':20}");
	put("staff", "R3", "{'name':'R3','category':'certified','school':'OAK02','license_expires':'2027-06-30','renewal_hours_required':20}");
	put("pd_entry", "R3a", "{'staff':'R3','title':'x','type':'course','end':'2025-05-10','hours':15,'status':'completed'," BOTH "}");
	put("plc_meeting", "M1", "{'group':'g','school':'OAK02','date':'2026-11-05','minutes':300,'attendees':['R3']}");
	put("staff", "R4", "{'name':'R4','category':'noninstructional','school':'OAK02','license_expires':'2027-06-30','renewal_hours_required':20}");
	put("staff", "R5", "{'name':'R5','category':'certified','school':'OAK02','license_expires':'2027-02-01','renewal_hours_required':20}");

	/* plan, goals, activities */
	put("plan", "PL1", "{'school':'LIN01','year':'2026-2027'}");
	put("goal", "G1", "{'plan':'PL1','number':1,'statement':'s','measure':'m','outcome_y1':'a','outcome_y2':'b'}");
	put("goal", "G2", "{'plan':'PL1','number':2,'statement':'s','measure':'m','outcome_y1':'a','outcome_y2':'b','outcome_y3':'c'}");
	put("activity", "AC1", "{'goal':'G2','title':'no follow-up','initial':{'what':'workshop'}}");
	put("activity", "AC2", "{'goal':'G2','title':'with follow-up','initial':{'what':'workshop'},'followup':{'what':'PLC lesson study'},'funding':'federal:title-ii-a'}");
	put("activity", "AC3", "{'goal':'GONE','title':'orphan','followup':{'what':'x'},'funding':'federal:title-ii-a'}");

	/* federal_unlinked */
	put("pd_entry", "F1", "{'staff':'E1','title':'f','type':'training','start':'2027-03-10','funding':'federal:title-ii-a'}");
	put("pd_entry", "F2", "{'staff':'E1','title':'f','type':'training','start':'2027-03-10','funding':'federal:title-ii-a','goal':'G2'}");
	put("pd_entry", "F3", "{'staff':'E1','title':'f','type':'training','start':'2027-03-10','funding':'federal:title-iv-a','activity':'AC2'}");
	put("pd_entry", "F4", "{'staff':'E1','title':'f','type':'training','start':'2027-03-10','funding':'state'}");

	/* evaluation_missing */
	put("pd_entry", "V1", "{'staff':'E1','title':'v','type':'course','end':'2027-01-15','status':'completed'," BOTH "}");
	put("pd_entry", "V2", "{'staff':'E1','title':'v','type':'course','end':'2027-02-15','status':'completed'," BOTH "}");
	put("pd_entry", "V3", "{'staff':'E1','title':'v','type':'course','end':'2027-01-15','status':'completed','evaluation':{'reaction':4}," BOTH "}");
	put("pd_entry", "V4", "{'staff':'E1','title':'v','type':'course','end':'2027-01-30','status':'completed'," BOTH "}");
	put("pd_entry", "V5", "{'staff':'E1','title':'v','type':'course','end':'2027-01-31','status':'completed'," BOTH "}");
}

/* The finding of `rule` about `record`, or NULL. */
static json_t *find(json_t *fs, const char *rule, const char *record)
{
	for (size_t i = 0; i < json_array_size(fs); i++) {
		json_t *f = json_array_get(fs, i);
		if (!strcmp(json_string_value(json_object_get(f, "rule")), rule) &&
		    !strcmp(json_string_value(json_object_get(f, "record")), record))
			return f;
	}
	return NULL;
}

static size_t count(json_t *fs, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(fs); i++)
		n += !strcmp(json_string_value(json_object_get(json_array_get(fs, i), "rule")), rule);
	return n;
}

/* A program's rendering of a next step, for pl_findings_write. */
static void write_cmd(FILE *f, const json_t *fd, void *arg)
{
	(void)arg;
	fprintf(f, "CMD %s %s", pl_finding_action_name(pl_finding_action_of(fd)),
	        json_string_value(json_object_get(fd, "record")));
}

static const char *why(json_t *fs, const char *rule, const char *record)
{
	json_t *f = find(fs, rule, record);
	return f ? json_string_value(json_object_get(f, "why")) : "";
}

int main(void)
{
	pl_findings_options o = PL_FINDINGS_OPTIONS_INIT;
	json_t *fs = NULL, *f;

	fixture();
	if (pl_findings(&fs, ds, TODAY, NULL))
		bail("pl_findings: %s", pl_error_last()->message);

	/* approval_missing */
	ok(find(fs, "approval_missing", "A1") != NULL, "completed PD with only the supervisor's approval is a finding");
	ok(strstr(why(fs, "approval_missing", "A1"), "no budget manager approval") != NULL,
	   "  and the why says the budget manager's approval is missing");
	f = find(fs, "approval_missing", "A1");
	is_str(f ? json_string_value(json_object_get(f, "staff")) : NULL, "E1", "  the finding names the staff member");
	is_str(f ? json_string_value(json_object_get(f, "school")) : NULL, "LIN01", "  and the staff member's school");
	is_str(f ? json_string_value(json_object_get(f, "kind")) : NULL, "pd_entry", "  and the record's kind");
	ok(find(fs, "approval_missing", "A2") != NULL, "an approval by someone who is not the recorded supervisor does not count");
	ok(strstr(why(fs, "approval_missing", "A2"), "not the recorded supervisor (S1)") != NULL,
	   "  and the why names the recorded supervisor");
	ok(find(fs, "approval_missing", "A3") != NULL, "requested PD whose date has come is a finding (attended without approval)");
	ok(find(fs, "approval_missing", "A4") != NULL, "completed PD the budget manager rejected is a finding");
	ok(!find(fs, "approval_missing", "N1"), "near miss: completed PD with both approvals is not a finding");
	ok(!find(fs, "approval_missing", "N2"), "near miss: requested PD still in the future is not a finding");
	ok(!find(fs, "approval_missing", "N3"), "near miss: cancelled PD is not a finding");

	/* approval_late */
	ok(find(fs, "approval_late", "L1") != NULL, "PD started before the budget manager's approval was recorded is a finding");
	is_str(why(fs, "approval_late", "L1"), "started 2026-11-10 before the budget manager's approval (2026-11-12) was "
	       "recorded; Rule 4370.1 asks for approval before attending", "  and the why names the late approval and its date");
	ok(strstr(why(fs, "approval_late", "L2"), "the supervisor's approval (2026-11-20) and the budget manager's "
	          "approval (2026-11-21) were recorded") != NULL, "both approvals late: the why names both");
	ok(!find(fs, "approval_late", "M1"), "near miss: approvals recorded before the start are on time");
	ok(!find(fs, "approval_late", "M2"), "near miss: approvals recorded on the start day are on time");
	ok(!find(fs, "approval_late", "M3") && find(fs, "approval_missing", "M3") != NULL,
	   "a missing approval is approval_missing's, not also approval_late");
	ok(!find(fs, "approval_late", "M4"), "near miss: PD not started yet is not late");
	ok(!find(fs, "approval_late", "N1"), "near miss: approvals with no date recorded are not placed");

	/* out_of_district_limit */
	ok(find(fs, "out_of_district_limit", "O3") != NULL, "the third out-of-district conference/workshop/seminar in a year is a finding");
	ok(strstr(why(fs, "out_of_district_limit", "O3"), "3rd") && strstr(why(fs, "out_of_district_limit", "O3"), "O1") &&
	   strstr(why(fs, "out_of_district_limit", "O3"), "O2"), "  the why counts it and names the two before it");
	is_int((long long)count(fs, "out_of_district_limit"), 2, "only the entries past the limit are findings (O3 and Q3)");
	ok(!find(fs, "out_of_district_limit", "O1") && !find(fs, "out_of_district_limit", "O2"),
	   "near miss: the first two are within the limit");
	ok(!find(fs, "out_of_district_limit", "O4"), "near miss: one required for the job with the supervisor's approval is not counted");
	ok(!find(fs, "out_of_district_limit", "P2") && !find(fs, "out_of_district_limit", "P3") &&
	   !find(fs, "out_of_district_limit", "P4"),
	   "near miss: two in a year plus one required-for-job plus one on July 1 of the next year is within the limit");
	ok(find(fs, "out_of_district_limit", "Q3") != NULL,
	   "required for the job but without the supervisor's approval still counts toward the limit");

	/* renewal_hours_short */
	ok(find(fs, "renewal_hours_short", "R1") != NULL, "a license expiring in 121 days with 10 of 20 hours is a finding");
	ok(strstr(why(fs, "renewal_hours_short", "R1"), "10 of 20") && strstr(why(fs, "renewal_hours_short", "R1"), "10 short"),
	   "  the why gives the hours done, required and short (hours before the cycle do not count)");
	ok(!find(fs, "renewal_hours_short", "R2"), "near miss: a license expiring in 184 days is not a finding yet");
	ok(!find(fs, "renewal_hours_short", "R3"), "near miss: 15 PD hours plus a 300-minute PLC meeting meet 20 hours");
	ok(!find(fs, "renewal_hours_short", "R4"), "near miss: noninstructional staff have no license renewal finding");
	ok(find(fs, "renewal_hours_short", "R5") != NULL, "a license that has already expired with hours short is a finding");
	ok(strstr(why(fs, "renewal_hours_short", "R5"), "expired") != NULL, "  and the why says it expired");

	/* federal_unlinked */
	ok(find(fs, "federal_unlinked", "F1") != NULL, "Title II-A funded PD with no goal or activity is a finding");
	ok(!find(fs, "federal_unlinked", "F2"), "near miss: Title II-A funded PD with a goal is not");
	ok(!find(fs, "federal_unlinked", "F3"), "near miss: federally funded PD linked through an activity is not");
	ok(!find(fs, "federal_unlinked", "F4"), "near miss: state-funded PD with no goal is not");
	ok(find(fs, "federal_unlinked", "AC3") != NULL, "a federally funded activity whose goal is not in the data is a finding");
	ok(!find(fs, "federal_unlinked", "AC2"), "near miss: a federally funded activity of an existing goal is not");

	/* activity_no_followup, goal_incomplete */
	ok(find(fs, "activity_no_followup", "AC1") != NULL, "an activity without a follow-up is a finding");
	f = find(fs, "activity_no_followup", "AC1");
	is_str(f ? json_string_value(json_object_get(f, "school")) : NULL, "LIN01", "  with the school of its plan");
	ok(!find(fs, "activity_no_followup", "AC2"), "near miss: an activity with a follow-up is not");
	ok(find(fs, "goal_incomplete", "G1") != NULL, "a goal without its Year 3 outcome is a finding");
	ok(strstr(why(fs, "goal_incomplete", "G1"), "Year 3 outcome") != NULL, "  the why names what is missing");
	f = find(fs, "goal_incomplete", "G1");
	is_str(f ? json_string_value(json_object_get(f, "action")) : NULL, "complete_goal",
	       "  its action is complete_goal");
	ok(f && json_array_size(json_object_get(f, "fields")) == 1 &&
	   !strcmp(json_string_value(json_array_get(json_object_get(f, "fields"), 0)), "outcome_y3"),
	   "  naming the one field to set: outcome_y3");
	ok(!find(fs, "goal_incomplete", "G2"), "near miss: a goal with a measure and Year 1/2/3 outcomes is not");

	/* evaluation_missing */
	ok(find(fs, "evaluation_missing", "V1") != NULL, "completed PD not evaluated 45 days on is a finding");
	ok(find(fs, "evaluation_missing", "V4") != NULL, "completed PD not evaluated exactly 30 days on is a finding");
	ok(!find(fs, "evaluation_missing", "V5"), "near miss: 29 days after completion is not yet");
	ok(!find(fs, "evaluation_missing", "V2"), "near miss: 14 days after completion is not yet");
	ok(!find(fs, "evaluation_missing", "V3"), "near miss: an evaluated entry is not");
	f = find(fs, "evaluation_missing", "V1");
	is_int(f ? (long long)pl_finding_action_of(f) : -1, PL_ACTION_EVALUATE, "  its action is evaluate");

	/* actions: every finding has one, and no text of the library names a command */
	{
		int all = 1, nocmd = 1;
		for (size_t i = 0; i < json_array_size(fs); i++) {
			const json_t *x = json_array_get(fs, i);
			pl_finding_action a = pl_finding_action_of(x);
			all &= a != PL_ACTION_NONE;
			nocmd &= !strstr(json_string_value(json_object_get(x, "why")), "plsync") &&
			         !strstr(pl_finding_next_step(a), "plsync") && !strstr(json_string_value(json_object_get(x, "why")), "=");
		}
		ok(all && json_array_size(fs) > 10, "every finding has an action (%zu findings)", json_array_size(fs));
		ok(nocmd, "no why and no next step names a command or a field=value");
		is_str(pl_finding_action_name(PL_ACTION_COUNT_), "none", "an action out of range is named none");
	}
	/* the text: the next step in words, or what the program writes for it */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		json_t *one = json_array();
		json_array_append(one, find(fs, "evaluation_missing", "V1"));
		pl_findings_write(m, one, TODAY, NULL, NULL, NULL);
		fclose(m);
		ok(strstr(buf, "\n    next: record the participant's evaluation (Guskey levels 1 to 5)\n") != NULL,
		   "the findings text gives the next step in words");
		free(buf);
		m = open_memstream(&buf, &len);
		pl_findings_write(m, one, TODAY, NULL, write_cmd, NULL);
		fclose(m);
		ok(strstr(buf, "\n    next: CMD evaluate V1\n") != NULL, "  or what the program writes for it");
		free(buf);
		json_decref(one);
	}

	/* order */
	{
		int sorted = 1, last = -1;
		const pl_finding_rule *r = pl_finding_rules();
		for (size_t i = 0; i < json_array_size(fs); i++) {
			const char *name = json_string_value(json_object_get(json_array_get(fs, i), "rule"));
			int k = 0;
			while (r[k].name && strcmp(r[k].name, name))
				k++;
			if (k < last)
				sorted = 0;
			last = k;
		}
		ok(sorted, "findings come in rule order");
	}
	json_decref(fs);

	/* a year limits the dated findings to that year */
	o.year = "2025-2026";
	if (pl_findings(&fs, ds, TODAY, &o))
		bail("pl_findings year: %s", pl_error_last()->message);
	ok(!find(fs, "out_of_district_limit", "O3") && !find(fs, "approval_missing", "A1") &&
	   !find(fs, "goal_incomplete", "G1"), "--year 2025-2026 leaves out 2026-2027 entries and plans");
	ok(find(fs, "renewal_hours_short", "R1") != NULL, "  but license renewals are shown for any year");
	json_decref(fs);

	/* a lower limit is honoured */
	o.year = NULL;
	o.out_of_district_max = 1;
	if (pl_findings(&fs, ds, TODAY, &o))
		bail("pl_findings max: %s", pl_error_last()->message);
	ok(find(fs, "out_of_district_limit", "O2") && find(fs, "out_of_district_limit", "P3") == NULL,
	   "out_of_district_max 1 makes the second one a finding");
	json_decref(fs);

	is_int(pl_findings(&fs, ds, "2027-02-30", NULL), PL_EINVALID, "an impossible today is refused");
	ok(strstr(pl_error_last()->message, "today") != NULL, "  and the message names it");
	o.out_of_district_max = 0;
	o.year = "2026-2028";
	is_int(pl_findings(&fs, ds, TODAY, &o), PL_EINVALID, "a bad school year is refused");
	o.version = 99;
	is_int(pl_findings(&fs, ds, TODAY, &o), PL_EUSAGE, "options of another version are refused");

	/* an empty dataset has no findings */
	{
		json_t *empty = pl_dataset_new();
		ok(pl_findings(&fs, empty, TODAY, NULL) == 0 && json_array_size(fs) == 0, "an empty dataset has no findings");
		json_decref(fs);
		json_decref(empty);
	}
	json_decref(ds);
	return done_testing();
}
