/*
 * Offerings, registration and attendance through the library on a real
 * store. A school publishes a two-session offering with two seats,
 * registration open 2026-09-01 to 2026-09-30. Before and after the window
 * a registration is refused and writes nothing. Three teachers register:
 * the third is waitlisted; the first cancels and the waitlisted one moves
 * up in the same write, so the seats are still two. The sign-in code is
 * six characters, the same each time it is derived, different for the
 * other session, checked whatever the case and dashes; a wrong code and a
 * cancelled person's sign-in, and one before the session's day, are
 * refused and write nothing. An approved
 * teacher who attends session 1 only and asks to finish is completed with
 * session 1's hours (2 h 15), not the offering's total; one not approved
 * keeps the attendance and is not completed, the result saying why. The
 * offering's results count the registrations by state and give the
 * completed entries' evaluation level by level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/attendance.h"
#include "plsync/dataset.h"
#include "plsync/findings.h"
#include "plsync/offering.h"
#include "plsync/registration.h"
#include "plsync/workflow.h"
#include "../tap.h"
#include "../testlib.h"

#define ACTOR "Ann Lee <ann@lincoln.example>"

static void change(pl_store *st, const char *kind, const char *id, const char *json)
{
	json_t *f = json_loads(json, 0, NULL);
	pl_change ch = { PL_CHANGE_CREATE, kind, id, f, NULL };

	if (!f || pl_store_change(st, ACTOR, &ch, NULL))
		bail("%s %s: %s", kind, id, pl_error_last()->message);
	json_decref(f);
}

static int nops;
static int count_cb(const pl_op *op, const pl_oid *opid, void *payload)
{
	(void)op, (void)opid, (void)payload;
	nops++;
	return 0;
}

static int ops(pl_store *st)
{
	nops = 0;
	pl_store_log(st, NULL, count_cb, NULL);
	return nops;
}

static const char *field(pl_store *st, const char *id, const char *key, char *buf, size_t sz)
{
	pl_record *r = NULL;
	json_t *v;

	buf[0] = '\0';
	if (pl_store_get_state(&r, st, id))
		return buf;
	v = json_object_get(r->fields, key);
	if (json_is_string(v))
		snprintf(buf, sz, "%s", json_string_value(v));
	else if (json_is_number(v))
		snprintf(buf, sz, "%.2f", json_number_value(v));
	pl_record_free(r);
	return buf;
}

static int reg(pl_registration_result *r, pl_store *st, const char *staff, const char *today, int cancel)
{
	pl_registration_options o = PL_REGISTRATION_OPTIONS_INIT;
	o.offering = "OFF1";
	o.staff = staff;
	o.today = today;
	o.stamp = today;
	o.cancel = cancel;
	return pl_registration_register(st, ACTOR, &o, r);
}

static const char *attend_day = "2026-10-20";

static int attend(pl_attendance_result *r, pl_store *st, const char *staff, size_t session, const char *code,
                  int finish)
{
	pl_attendance_options o = PL_ATTENDANCE_OPTIONS_INIT;
	o.offering = "OFF1";
	o.staff = staff;
	o.session = session;
	o.code = code;
	o.today = attend_day;
	o.finish = finish;
	return pl_attendance_mark(st, ACTOR, &o, r);
}

static void approve(pl_store *st, const char *id)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	o.id = id;
	o.stamp = "2026-09-20";
	o.role = PL_ROLE_SUPERVISOR;
	o.by = "S1";
	if (pl_workflow_approve(st, ACTOR, &o, NULL))
		bail("approve %s: %s", id, pl_error_last()->message);
	o.role = PL_ROLE_BUDGET;
	o.by = "B1";
	if (pl_workflow_approve(st, ACTOR, &o, NULL))
		bail("approve %s: %s", id, pl_error_last()->message);
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-offering-XXXXXX", buf[64], c1[PL_SIGNIN_CODE_SIZE], c1b[PL_SIGNIN_CODE_SIZE],
	     c2[PL_SIGNIN_CODE_SIZE], lower[16], made[PL_ID_MAX + 1];
	char e1[PL_ID_MAX + 1], e2[PL_ID_MAX + 1], e3[PL_ID_MAX + 1];
	pl_store *st = tl_fresh_store(dir, "LIN01");
	pl_registration_result r;
	pl_attendance_result a;
	pl_session s;
	pl_record *off = NULL;
	json_t *fields;
	int n;

	plan(45);
	change(st, "staff", "S1", "{\"name\":\"Sue\",\"category\":\"certified\"}");
	change(st, "staff", "B1", "{\"name\":\"Bob\",\"category\":\"noninstructional\"}");
	change(st, "staff", "E1", "{\"name\":\"E one\",\"category\":\"certified\",\"supervisor\":\"S1\",\"budget_manager\":\"B1\"}");
	change(st, "staff", "E2", "{\"name\":\"E two\",\"category\":\"certified\",\"supervisor\":\"S1\",\"budget_manager\":\"B1\"}");
	change(st, "staff", "E3", "{\"name\":\"E three\",\"category\":\"certified\",\"supervisor\":\"S1\",\"budget_manager\":\"B1\"}");

	/* sessions */
	ok(pl_session_parse(&s, "2026-10-05 15:30-17:45 Room 4") == 0 && !strcmp(s.place, "Room 4") && s.minutes == 135,
	   "a session parses: date, times, place, 135 minutes");
	is_int(pl_session_centi(&s), 225, "135 minutes are 2.25 hours");
	is_int(pl_session_parse(&s, "2026-10-05 17:00-16:00"), PL_EINVALID, "a session ending before it starts is refused");
	is_int(pl_session_parse(&s, "2026-02-30 15:00-16:00"), PL_EINVALID, "a session on no real date is refused");
	fields = json_pack("{ss ss si s[ss] ss ss}", "title", "Math routines", "type", "workshop", "capacity", 2,
	                   "sessions", "2026-10-05 15:30-17:45 Room 4", "2026-10-12 15:30-17:00 Room 4",
	                   "registration_opens", "2026-09-01", "registration_closes", "2026-09-30");
	json_object_set_new(fields, "sessions", json_string("2026-10-05 15:30-17:45 Room 4,bad"));
	is_int(pl_offering_create(st, ACTOR, "OFF0", fields, made), PL_EINVALID, "an offering with a bad session is refused");
	{
		json_t *bad = json_pack("{ss ss s[s]}", "title", "T", "type", "workshop", "sessions", "2026-10-05 9:00-10:00");
		pl_change ch = { PL_CHANGE_CREATE, "offering", "OFF0", bad, NULL };
		is_int(pl_store_change(st, ACTOR, &ch, NULL), PL_EINVALID,
		       "so is one written as a plain record (the store's sense rule)");
		json_decref(bad);
	}
	json_object_set_new(fields, "sessions", json_pack("[ss]", "2026-10-05 15:30-17:45 Room 4",
	                                                  "2026-10-12 15:30-17:00 Room 4"));
	is_int(pl_offering_create(st, ACTOR, "OFF1", fields, made), 0, "the offering is published");
	json_decref(fields);
	is_str(field(st, "OFF1", "hours", buf, sizeof(buf)), "3.75", "its hours are the sessions' total");

	/* the window */
	n = ops(st);
	is_int(reg(&r, st, "E1", "2026-08-31", 0), PL_EINVALID, "a registration before the window opens is refused");
	is_int(reg(&r, st, "E1", "2026-10-01", 0), PL_EINVALID, "a registration after the window closed is refused");
	is_int(ops(st), n, "the refused registrations wrote nothing");

	/* capacity and the waitlist */
	is_int(reg(&r, st, "E1", "2026-09-01", 0), 0, "E1 registers");
	snprintf(e1, sizeof(e1), "%s", r.entry);
	is_str(r.registration, "registered", "E1 takes a seat");
	is_str(field(st, e1, "status", buf, sizeof(buf)), "requested", "the registration is a request");
	is_str(field(st, e1, "start", buf, sizeof(buf)), "2026-10-05", "dated by the first session");
	reg(&r, st, "E2", "2026-09-02", 0);
	snprintf(e2, sizeof(e2), "%s", r.entry);
	is_str(r.registration, "registered", "E2 takes the second seat");
	reg(&r, st, "E3", "2026-09-03", 0);
	snprintf(e3, sizeof(e3), "%s", r.entry);
	is_str(r.registration, "waitlisted", "E3, past the capacity, is waitlisted");
	is_int(reg(&r, st, "E3", "2026-09-04", 0), PL_EEXISTS, "a second registration of E3 is refused");
	is_int(reg(&r, st, "E1", "2026-09-05", 1), 0, "E1 cancels");
	is_str(r.promoted, e3, "the waitlisted E3 moves up");
	is_str(field(st, e3, "registration", buf, sizeof(buf)), "registered", "E3's entry says registered");
	is_str(field(st, e1, "status", buf, sizeof(buf)), "cancelled", "E1's entry is cancelled");
	is_int((long long)r.registered, 2, "the seats taken are still two");

	/* codes */
	if (pl_store_get_state(&off, st, "OFF1"))
		bail("get OFF1: %s", pl_error_last()->message);
	pl_offering_code(c1, "OFF1", off->fields, 1);
	pl_offering_code(c1b, "OFF1", off->fields, 1);
	pl_offering_code(c2, "OFF1", off->fields, 2);
	ok(strlen(c1) == 6 && !strcmp(c1, c1b), "a session's code is six characters, the same each time");
	ok(strcmp(c1, c2) != 0, "the other session has another code");
	snprintf(lower, sizeof(lower), "%c%c%c-%c%c%c", c1[0] | 0x20, c1[1] | 0x20, c1[2] | 0x20, c1[3] | 0x20,
	         c1[4] | 0x20, c1[5] | 0x20);
	ok(pl_offering_code_ok("OFF1", off->fields, 1, lower), "the code is taken in lower case with a dash");
	ok(!pl_offering_code_ok("OFF2", off->fields, 1, c1), "the code is the offering's: another id's is not");
	pl_record_free(off);

	/* attendance */
	approve(st, e2);
	n = ops(st);
	is_int(attend(&a, st, "E2", 1, c2, 0), PL_EINVALID, "session 2's code does not sign in to session 1");
	is_int(attend(&a, st, "E1", 1, c1, 0), PL_EINVALID, "a cancelled registration cannot sign in");
	attend_day = "2026-10-04";
	is_int(attend(&a, st, "E2", 1, c1, 0), PL_EINVALID, "nobody signs in to a session before its day");
	attend_day = "2026-10-20";
	is_int(ops(st), n, "the refused sign-ins wrote nothing");
	is_int(attend(&a, st, "E2", 1, c1, 0), 0, "E2 signs in to session 1");
	ok(!a.completed && a.attended == 1 && a.sessions == 2, "one session of two: not completed yet");
	is_int(attend(&a, st, "E2", 1, NULL, 1), 0, "E2 is marked again on the roster and finished");
	ok(a.already && a.completed, "the session is not counted twice, and the entry completes");
	is_str(field(st, e2, "hours", buf, sizeof(buf)), "2.25", "with the hours of the session attended, not the total");
	is_int(attend(&a, st, "E3", 1, NULL, 1), 0, "E3 (not approved) is marked on the roster");
	ok(!a.completed && a.complete_reason == PL_WORKFLOW_UNAPPROVED && strstr(a.why, "not approved"),
	   "and is not completed: the result says it is not approved");

	/* the finding: a waitlist is no finding; a seat taken past capacity is */
	{
		json_t *ds = NULL, *f = NULL;
		size_t nf = 0;
		reg(&r, st, "E1", "2026-09-06", 0);   /* E1 again: waitlisted */
		is_str(r.registration, "waitlisted", "E1 registers again and is waitlisted");
		if (pl_dataset_load(&ds, st) || pl_findings(&f, ds, "2026-10-20", NULL))
			bail("findings: %s", pl_error_last()->message);
		for (size_t i = 0; i < json_array_size(f); i++)
			nf += !strcmp(json_string_value(json_object_get(json_array_get(f, i), "rule")), "offering_over_capacity");
		is_int((long long)nf, 0, "a waitlisted registration is no over-capacity finding");
		json_decref(f);
		json_decref(ds);
		change(st, "pd_entry", "X9", "{\"staff\":\"E1\",\"title\":\"Math routines\",\"type\":\"workshop\","
		       "\"offering\":\"OFF1\",\"registration\":\"registered\",\"requested_at\":\"2026-09-29\"}");
		if (pl_dataset_load(&ds, st) || pl_findings(&f, ds, "2026-10-20", NULL))
			bail("findings: %s", pl_error_last()->message);
		nf = 0;
		for (size_t i = 0; i < json_array_size(f); i++) {
			json_t *x = json_array_get(f, i);
			if (strcmp(json_string_value(json_object_get(x, "rule")), "offering_over_capacity"))
				continue;
			nf++;
			is_str(json_string_value(json_object_get(x, "why")),
			       "3 registered for 2 seats; past capacity, in registration order: X9 (E1)",
			       "a third seat taken (recorded elsewhere) is the finding, naming it");
		}
		is_int((long long)nf, 1, "one finding for the offering");
		json_decref(f);
		json_decref(ds);
	}

	/* results */
	{
		pl_workflow_options wo = PL_WORKFLOW_OPTIONS_INIT;
		json_t *res = NULL, *lv;
		wo.id = e2;
		wo.stamp = "2026-10-21";
		wo.fields = json_pack("{si si}", "reaction", 4, "transfer", 3);
		if (pl_workflow_evaluate(st, ACTOR, &wo, NULL))
			bail("evaluate: %s", pl_error_last()->message);
		json_decref(wo.fields);
		is_int(pl_offering_results(&res, st, "OFF1"), 0, "the offering's results are counted");
		lv = json_object_get(res, "levels");
		ok(json_integer_value(json_object_get(res, "registered")) == 3 &&
		   json_integer_value(json_object_get(res, "waitlisted")) == 1 &&
		   json_integer_value(json_object_get(res, "cancelled")) == 1 &&
		   json_integer_value(json_object_get(res, "completed")) == 1 &&
		   json_integer_value(json_object_get(res, "evaluations")) == 1,
		   "three registered, one waitlisted, one cancelled, one completed and evaluated");
		ok(json_array_size(lv) == 5 && json_number_value(json_object_get(json_array_get(lv, 0), "mean")) == 4.0 &&
		   json_is_null(json_object_get(json_array_get(lv, 1), "mean")) &&
		   json_number_value(json_object_get(json_array_get(lv, 3), "mean")) == 3.0,
		   "the evaluation by level: reaction 4, learning not rated, transfer 3");
		json_decref(res);
	}

	tl_store_done(st, dir);
	return done_testing();
}
