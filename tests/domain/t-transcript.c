/*
 * t-transcript.c — a transcript names the school of each row and, over one
 * store's data, says when it may miss PL. One dataset: E1 moved from
 * LIN01 to WAS02, E2 never moved. The sources (who made which record,
 * pl_transcript_sources' shape) are given by hand, so each reason for the
 * warning is seen firing on its own, and a near miss (E2 at its own
 * school) gives none. Over consolidated data nothing warns. Version 1
 * options are still read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/dataset.h"
#include "plsync/transcript.h"
#include "../tap.h"

#define TODAY "2026-03-01"

static json_t *ds;

static json_t *parse(const char *text)
{
	char *s = strdup(text);
	json_error_t err;
	json_t *v;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	if (!(v = json_loads(s, 0, &err)))
		bail("fixture '%s': %s", text, err.text);
	free(s);
	return v;
}

static void put(const char *kind, const char *id, const char *text)
{
	json_t *f = parse(text);
	if (pl_dataset_put(ds, kind, id, f))
		bail("put %s %s: %s", kind, id, pl_error_last()->message);
	json_decref(f);
}

/* The transcript of `staff` with `sources` (JSON, NULL: none). */
static json_t *build(const char *staff, const char *sources, int consolidated)
{
	pl_transcript_options o = PL_TRANSCRIPT_OPTIONS_INIT;
	json_t *src = sources ? parse(sources) : NULL, *t = NULL;

	o.sources = src;
	o.consolidated = consolidated;
	if (pl_transcript_build(&t, ds, staff, "2025-2026", TODAY, &o))
		bail("build %s: %s", staff, pl_error_last()->message);
	json_decref(src);
	return t;
}

static const char *warning_of(const json_t *t)
{
	const char *w = pl_transcript_warning(t, NULL);
	return w ? w : "";
}

/* The CSV of `t` in buf. */
static void csv_of(char *buf, size_t sz, const json_t *t, int excel)
{
	FILE *f = fmemopen(buf, sz, "w");
	if (!f || pl_transcript_write(f, t, "csv", excel))
		bail("csv: %s", pl_error_last()->message);
	fclose(f);
}

#define RECORDS "'records':{'L1':'LIN01','L2':'LIN01','W1':'WAS02','P1':'LIN01'}"

int main(void)
{
	enum pl_hint hint;
	json_t *t;
	char csv[4096];

	plan(22);
	ds = pl_dataset_new();
	put("school", "LIN01", "{'code':'LIN01','name':'Lincoln'}");
	put("school", "WAS02", "{'code':'WAS02','name':'Washington'}");
	put("staff", "E1", "{'name':'Ann','category':'certified','school':'WAS02'}");
	put("staff", "E2", "{'name':'Bo','category':'certified','school':'LIN01'}");
	put("pd_entry", "L1", "{'staff':'E1','title':'a','type':'workshop','start':'2025-09-14','hours':6.5,'status':'completed'}");
	put("pd_entry", "L2", "{'staff':'E1','title':'b','type':'course','start':'2025-10-05','hours':3.25,'status':'completed'}");
	put("pd_entry", "W1", "{'staff':'E1','title':'c','type':'institute','start':'2026-01-15','hours':5,'status':'completed'}");
	put("plc_meeting", "P1", "{'group':'g','date':'2025-10-20','minutes':45,'attendees':['E1','E2']}");

	/* consolidated: every row's school, the total over both, no warning */
	t = build("E1", "{'node':'DISTRICT-MERGE'," RECORDS ",'staff_owner':'DISTRICT','school_changed':'2026-01-05'}", 1);
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "school")), "LIN01",
	       "the first row names the school that recorded it");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(t, "rows"), 3), "school")), "WAS02",
	       "the last one too");
	is_int((int)json_integer_value(json_object_get(t, "entries")), 4, "four rows: three at LIN01, one at WAS02");
	ok(json_real_value(json_object_get(t, "total_hours")) == 6.5 + 3.25 + 0.75 + 5,
	   "the total is the sum over both schools (15.5)");
	is_int((int)json_array_size(json_object_get(t, "by_school")), 2, "hours by school: two schools");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(t, "by_school"), 0), "school")), "LIN01",
	       "in the order of their first row");
	ok(pl_transcript_warning(t, &hint) == NULL && hint == PL_HINT_NONE, "consolidated data gives no warning");
	json_decref(t);

	/* one store's data: each reason */
	t = build("E1", "{'node':'LIN01'," RECORDS ",'staff_owner':'DISTRICT','school_changed':null}", 0);
	ok(strstr(warning_of(t), "this store (LIN01)") && strstr(warning_of(t), "E1's staff record names school WAS02"),
	   "at the old school: the staff record names another school");
	ok(strstr(warning_of(t), "recorded at WAS02") != NULL, "and an entry made at WAS02 is named as such");
	pl_transcript_warning(t, &hint);
	is_int(hint, PL_HINT_DISTRICT_TRANSCRIPT, "the next step is the district transcript");
	csv_of(csv, sizeof(csv), t, 0);
	ok(strstr(csv, "\nWarning,E1,") != NULL, "the CSV has a Warning row");
	json_decref(t);
	t = build("E1", "{'node':'WAS02','records':{'W1':'WAS02'},'staff_owner':'DISTRICT','school_changed':'2026-01-05'}", 0);
	ok(strstr(warning_of(t), "E1's school was changed on 2026-01-05") && !strstr(warning_of(t), "names school"),
	   "at the new school: only that the school was changed");
	json_decref(t);
	t = build("E1", "{'node':'WAS02','records':{},'staff_owner':'LIN01','school_changed':null}", 0);
	ok(strstr(warning_of(t), "E1's staff record was made at LIN01") != NULL, "a staff record another school made");
	json_decref(t);
	t = build("E2", "{'node':'DISTRICT','records':{},'staff_owner':'DISTRICT','school_changed':null}", 0);
	ok(strstr(warning_of(t), "the district office's store") != NULL, "the district office's store always warns");
	ok(!strstr(warning_of(t), "plsync"), "the warning names no command");
	json_decref(t);

	/* near misses */
	t = build("E2", "{'node':'LIN01','records':{'P1':'LIN01'},'staff_owner':'DISTRICT','school_changed':null}", 0);
	ok(pl_transcript_warning(t, &hint) == NULL && hint == PL_HINT_NONE, "E2 at her own school: no warning");
	is_str(json_string_value(json_object_get(json_object_get(t, "scope"), "data")), "store", "the scope is one store");
	csv_of(csv, sizeof(csv), t, 1);
	ok(!memcmp(csv, "\xEF\xBB\xBF" "date,staff,", 14), "--excel: the CSV starts with a BOM");
	ok(strstr(csv, ",school\r\n") && strstr(csv, "\r\nTotal,E2,") && !strstr(csv, "Warning"),
	   "CRLF row ends, and no Warning row");
	json_decref(t);
	t = build("E1", NULL, 0);
	ok(pl_transcript_warning(t, NULL) == NULL, "without sources: no warning");
	ok(json_is_null(json_object_get(json_array_get(json_object_get(t, "rows"), 0), "school")), "and no school");
	json_decref(t);

	{
		pl_transcript_options v1 = { 1, 0, NULL, 0 };
		t = NULL;
		is_int(pl_transcript_build(&t, ds, "E1", NULL, TODAY, &v1), 0, "version 1 options are still read");
		json_decref(t);
	}
	json_decref(ds);
	return done_testing();
}
