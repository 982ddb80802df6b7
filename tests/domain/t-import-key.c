/*
 * Natural keys looked up through the reference index (issue 17, goal 4):
 * a pd_entry row is matched among the entries of its own staff member, a
 * goal among its plan's goals, and the answers are those of reading every
 * record of the kind: the same key under another staff member is another
 * record, two records with one key give the first in id order, a deleted
 * record matches nothing, a row whose staff is new in the store matches
 * nothing, and kinds whose keys start with no reference (staff: email,
 * name + school) still match over all their records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/import.h"
#include "../tap.h"
#include "../testlib.h"

static pl_store *st;
static const char *actor = "Ann Lee <ann@lincoln.example>";

static void add(const char *kind, const char *id, json_t *fields)
{
	pl_change c = { PL_CHANGE_CREATE, kind, id, fields, NULL, NULL };
	if (pl_store_change(st, actor, &c, NULL))
		bail("cannot add %s: %s", id, pl_error_last()->message);
	json_decref(fields);
}

static pl_import *parse(const char *kind, const char *text, int *rc)
{
	pl_import *im = NULL;

	if (pl_import_new(&im, kind, "sheet.csv", NULL))
		bail("pl_import_new: %s", pl_error_last()->message);
	*rc = pl_import_parse(im, st, text, strlen(text));
	return im;
}

static void entry(const char *id, const char *staff, const char *title, const char *start)
{
	add("pd_entry", id, json_pack("{ss ss ss ss sf ss}", "staff", staff, "title", title, "type", "workshop",
	                              "start", start, "hours", 2.0, "status", "completed"));
}

/* The action and id of row i, as "same PD2" / "update PD2" / "new -". */
static const char *row_says(const pl_import *im, size_t i)
{
	static char buf[64];
	const pl_import_row *r = pl_import_row_get(im, i);
	const char *a = !r ? "none" : r->action == PL_IMPORT_NEW ? "new" : r->action == PL_IMPORT_SAME ? "same" : "update";
	snprintf(buf, sizeof(buf), "%s %s", a, r && r->id ? r->id : "-");
	return buf;
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-import-key-XXXXXX";
	pl_import *im;
	int rc;

	plan(21);
	pl_init();
	st = tl_fresh_store(dir, "LIN01");
	add("school", "LIN01", json_pack("{ss ss}", "code", "LIN01", "name", "Lincoln"));
	add("staff", "E100", json_pack("{ss ss ss ss}", "name", "Pat Rivera", "category", "certified", "school", "LIN01",
	                               "email", "pat@lincoln.example"));
	add("staff", "E200", json_pack("{ss ss ss}", "name", "Sam Ortiz", "category", "certified", "school", "LIN01"));
	add("staff", "E300", json_pack("{ss ss ss}", "name", "Lee Park", "category", "certified", "school", "LIN01"));
	/* E100's entries; E200 has one with the same title and date as PD1 */
	entry("PD1", "E100", "Fractions", "2025-09-14");
	entry("PD2", "E100", "Leading PLCs", "2025-10-02");
	entry("PD3", "E200", "Fractions", "2025-09-14");
	/* two records with one key (made before imports matched) */
	entry("PD5", "E100", "Twice", "2025-11-01");
	entry("PD4", "E100", "Twice", "2025-11-01");
	/* a deleted one */
	entry("PD6", "E200", "Gone", "2025-12-01");
	{
		pl_change del = { PL_CHANGE_DEL, "pd_entry", "PD6", NULL, NULL, NULL };
		if (pl_store_change(st, actor, &del, NULL))
			bail("delete: %s", pl_error_last()->message);
	}

	const char *sheet =
		"staff,title,type,start,hours,status\n"
		"E100,Fractions,workshop,2025-09-14,2,completed\n"      /* PD1, unchanged */
		"E200,  fractions ,workshop,2025-09-14,3,completed\n"   /* PD3 (E200's), hours change */
		"E100,leading  plcs,workshop,2025-10-02,2,completed\n"  /* PD2, the title's case and spaces */
		"E100,Twice,workshop,2025-11-01,2,completed\n"          /* PD4: the first in id order */
		"E200,Gone,workshop,2025-12-01,2,completed\n"           /* deleted: new */
		"E300,Fractions,workshop,2025-09-14,2,completed\n"      /* E300 has no entries: new */
		"E100,Fractions,workshop,2025-09-15,2,completed\n";     /* another day: new */
	im = parse("pd_entry", sheet, &rc);
	is_int(rc, 0, "a sheet of rows by three staff parses");
	is_str(row_says(im, 0), "same PD1", "E100's Fractions is PD1, unchanged");
	is_str(row_says(im, 1), "update PD3", "E200's Fractions is PD3, not PD1: the key's staff counts");
	is_str(row_says(im, 2), "update PD2", "a title differing in case and spaces matches (and is an update of it)");
	is_str(row_says(im, 3), "same PD4", "two records with one key: the first in id order");
	is_str(row_says(im, 4), "new -", "a deleted record matches nothing");
	is_str(row_says(im, 5), "new -", "a staff member with no entries: new");
	is_str(row_says(im, 6), "new -", "another start date: new");
	is_int(pl_import_commit(im, st, actor, NULL, NULL, NULL), 0, "it commits");
	pl_import_free(im);

	im = parse("pd_entry", sheet, &rc);
	is_int(rc, 0, "the same sheet again parses");
	is_int((long long)pl_import_count(im, PL_IMPORT_SAME), 7, "and every row is now unchanged");
	is_int((long long)pl_import_count(im, PL_IMPORT_NEW), 0, "none new: the rows made by the first import are found");
	pl_import_free(im);

	/* goals: plan + number, else plan + statement, both keys start with the plan */
	add("plan", "PLN1", json_pack("{ss ss}", "school", "LIN01", "year", "2025-2026"));
	add("plan", "PLN2", json_pack("{ss ss}", "school", "LIN01", "year", "2026-2027"));
	add("goal", "G1", json_pack("{ss si ss}", "plan", "PLN1", "number", 1, "statement", "Reading"));
	add("goal", "G2", json_pack("{ss ss}", "plan", "PLN1", "statement", "Writing"));
	add("goal", "G3", json_pack("{ss si ss}", "plan", "PLN2", "number", 1, "statement", "Math"));
	im = parse("goal",
	           "plan,number,statement\n"
	           "PLN1,1,Reading\n"
	           "PLN2,1,Math again\n"
	           "PLN1,,writing\n"
	           "PLN2,,Writing\n", &rc);
	is_int(rc, 0, "goals parse");
	is_str(row_says(im, 0), "same G1", "plan + number");
	is_str(row_says(im, 1), "update G3", "the same number in another plan is that plan's goal");
	is_str(row_says(im, 2), "update G2", "plan + statement when there is no number (its case changes)");
	is_str(row_says(im, 3), "new -", "the statement in another plan: new");
	pl_import_free(im);

	/* staff: keys start with an email or a name, read over all staff */
	im = parse("staff",
	           "name,category,school,email\n"
	           "Patricia Rivera,certified,LIN01,PAT@lincoln.example\n"
	           "sam  ortiz,certified,LIN01,\n"
	           "New Person,certified,LIN01,\n", &rc);
	is_int(rc, 0, "staff parse");
	is_str(row_says(im, 0), "update E100", "by email (case does not matter)");
	is_str(row_says(im, 1), "update E200", "by name + school (case and spaces do not matter)");
	is_str(row_says(im, 2), "new -", "a new name: new");
	pl_import_free(im);

	pl_store_free(st);
	tl_rm_rf(dir);
	pl_shutdown();
	return done_testing();
}
