/*
 * The import library (plsync/import.h) as a web page would use it: a file
 * is parsed with a mapping, every error comes back with its line, column
 * and field, the preview says per row what will happen, and only then is
 * it committed. A spreadsheet's values are read as it means them; the same
 * file again is all unchanged; an edited row updates only its field; undo
 * takes the import back as new ops.
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

/* A parse of text as CSV (or JSON Lines) of kind, with mapping (or NULL). */
static pl_import *parse(const char *kind, const char *text, const char *map, int format, int *rc)
{
	pl_import_options o = PL_IMPORT_OPTIONS_INIT;
	pl_import *im = NULL;

	o.format = format;
	if (pl_import_new(&im, kind, "sheet.csv", &o))
		bail("pl_import_new: %s", pl_error_last()->message);
	if (map && pl_import_map_text(im, map, ',', "--map"))
		bail("map: %s", pl_error_last()->message);
	*rc = pl_import_parse(im, st, text, strlen(text));
	return im;
}

static json_t *fields_of(const char *id)
{
	pl_record *r = NULL;
	json_t *f;
	if (pl_store_get(&r, st, id))
		return NULL;
	f = json_incref(r->fields);
	pl_record_free(r);
	return f;
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-import-XXXXXX";
	char first[PL_ID_MAX + 1], last[PL_ID_MAX + 1];
	pl_import *im;
	const pl_import_row *row;
	const pl_import_error *e;
	json_t *f;
	int rc;

	plan(55);
	pl_init();
	st = tl_fresh_store(dir, "LIN01");
	add("school", "LIN01", json_pack("{ss ss}", "code", "LIN01", "name", "Lincoln"));
	add("staff", "E100", json_pack("{ss ss ss}", "name", "Pat Rivera", "category", "certified", "school", "LIN01"));
	add("staff", "E200", json_pack("{ss ss ss}", "name", "Sam Ortiz", "category", "certified", "school", "LIN01"));

	const char *sheet =
		"\xEF\xBB\xBF" "Employee ID,Title,Type,Start Date,Hours,Cost,Delivery,Required,Supervisor Approved,Dept\r\n"
		"E100,\"Fractions, part 1\",Workshop,9/14/2025,6.5 hrs,$120.00,In Person,TRUE,9/1/2025 8:05 PM,Math\r\n"
		"E200,Leading PLCs,SEMINAR,10/2/25,90 min,\"$1,234.50\",job-embedded,no,2025-09-20 07:30,Admin\r\n";
	im = parse("pd_entry", sheet, "Employee ID=staff,Supervisor Approved=approvals.supervisor.at,Required=required_for_job", PL_IMPORT_CSV, &rc);
	is_int(rc, 0, "an Excel-style sheet with a mapping parses");
	is_str(pl_import_ignored(im), "Dept", "the column that is no field is ignored, and named");
	is_int((long long)pl_import_row_count(im), 2, "two rows");
	is_int((long long)pl_import_count(im, PL_IMPORT_NEW), 2, "both new");
	row = pl_import_row_get(im, 0);
	is_int((long long)row->line, 2, "the first row is line 2");
	is_str(json_string_value(json_object_get(row->fields, "start")), "2025-09-14", "9/14/2025 is 2025-09-14");
	ok(json_real_value(json_object_get(row->fields, "hours")) == 6.5, "6.5 hrs is 6.5");
	is_int(json_integer_value(json_object_get(row->fields, "cost_cents")), 12000, "$120.00 in Cost is 12000 cents");
	is_str(json_string_value(json_object_get(row->fields, "type")), "workshop", "Workshop is workshop");
	is_str(json_string_value(json_object_get(row->fields, "delivery")), "in_person", "In Person is in_person");
	ok(json_is_true(json_object_get(row->fields, "required_for_job")), "TRUE is true");
	is_str(json_string_value(json_object_get(json_object_get(json_object_get(row->fields, "approvals"), "supervisor"), "at")),
	       "2025-09-01T20:05:00Z", "a mapped nested time with AM/PM and no seconds");
	row = pl_import_row_get(im, 1);
	is_str(json_string_value(json_object_get(row->fields, "start")), "2025-10-02", "10/2/25 is 2025-10-02");
	ok(json_real_value(json_object_get(row->fields, "hours")) == 1.5, "90 min is 1.5 hours");
	is_int(json_integer_value(json_object_get(row->fields, "cost_cents")), 123450, "$1,234.50 is 123450 cents");
	is_str(json_string_value(json_object_get(row->fields, "delivery")), "job_embedded", "job-embedded is job_embedded");
	is_int(pl_import_commit(im, st, actor, "from the sheet", first, last), 0, "the preview commits");
	ok(first[0] && last[0] && strcmp(first, last), "the two new ids are given");
	pl_import_free(im);

	im = parse("pd_entry", sheet, "Employee ID=staff,Supervisor Approved=approvals.supervisor.at,Required=required_for_job", PL_IMPORT_CSV, &rc);
	is_int(rc, 0, "the same sheet again parses");
	is_int((long long)pl_import_count(im, PL_IMPORT_SAME), 2, "and both rows are unchanged");
	is_int((long long)pl_import_count(im, PL_IMPORT_NEW), 0, "none new");
	is_str(pl_import_row_get(im, 0)->id, first, "the row is matched to its record by staff + title + start");
	pl_import_free(im);

	const char *edited =
		"staff,title,start,type,hours\n"
		"E100,\"Fractions,  PART 1\",2025-09-14,workshop,7\n";
	im = parse("pd_entry", edited, NULL, PL_IMPORT_CSV, &rc);
	is_int(rc, 0, "an edited row parses");
	row = pl_import_row_get(im, 0);
	is_int(row->action, PL_IMPORT_UPDATE, "it updates (the title's case and spaces do not matter to the key)");
	is_int((long long)json_object_size(row->fields), 2, "two fields change: the title as now written, the hours");
	ok(json_number_value(json_object_get(row->fields, "hours")) == 7, "the hours are 7");
	is_int(pl_import_commit(im, st, actor, NULL, NULL, NULL), 0, "it commits");
	pl_import_free(im);
	f = fields_of(first);
	ok(json_number_value(json_object_get(f, "hours")) == 7, "the record has 7 hours");
	is_str(json_string_value(json_object_get(f, "title")), "Fractions,  PART 1", "and the title as the sheet writes it now");
	is_str(json_string_value(json_object_get(f, "type")), "workshop", "its other fields as they were");
	json_decref(f);

	const char *bad =
		"staff,title,type,hours,cost_cents,colour\n"
		"E100,ok,workshop,3,100,red\n"
		"E100,a,workshop,lots,100,red\n"
		"E100,b,wrokshop,3,100,red\n"
		"E100,c,workshop,3,4.50,red\n"
		"E404,d,workshop,3,100,red\n"
		",e,workshop,3,100,red\n";
	im = parse("pd_entry", bad, NULL, PL_IMPORT_CSV, &rc);
	is_int(rc, PL_EINVALID, "a sheet with five bad rows is refused");
	is_int((long long)pl_import_error_count(im), 5, "with five errors");
	e = pl_import_error_get(im, 0);
	ok(e && e->line == 3 && !strcmp(e->column, "hours") && !strcmp(e->field, "hours") &&
	   strstr(e->message, "\"lots\" is not a number"), "the first: line 3, column and field hours, the value");
	e = pl_import_error_get(im, 1);
	ok(e && e->line == 4 && strstr(e->message, "did you mean 'workshop'"), "line 4: did you mean workshop");
	e = pl_import_error_get(im, 2);
	ok(e && e->line == 5 && strstr(e->message, "name the column 'cost'"), "line 5: cents refused, the dollars column named");
	e = pl_import_error_get(im, 3);
	ok(e && e->line == 6 && strstr(e->message, "no staff record with id \"E404\""), "line 6: the missing staff");
	e = pl_import_error_get(im, 4);
	ok(e && e->line == 7 && strstr(e->message, "staff is required"), "line 7: a required field missing");
	is_int(pl_import_commit(im, st, actor, NULL, NULL, NULL), PL_EINVALID, "and it cannot be committed");
	pl_import_free(im);

	{
		/* 3 errors kept: those of the first lines, though the reference (pass two) is found last */
		pl_import_options o = PL_IMPORT_OPTIONS_INIT;
		o.max_errors = 3;
		pl_import_new(&im, "pd_entry", "sheet.csv", &o);
		const char *t = "staff,title,type,hours\nE404,a,workshop,1\nE100,b,workshop,x\nE100,c,workshop,x\n"
		                "E100,d,workshop,x\nE100,e,workshop,x\n";
		is_int(pl_import_parse(im, st, t, strlen(t)), PL_EINVALID, "five bad rows, three errors kept");
		ok(pl_import_error_count(im) == 5 && pl_import_errors_kept(im) == 3 && pl_import_error_get(im, 0)->line == 2 &&
		   pl_import_error_get(im, 1)->line == 3 && pl_import_error_get(im, 2)->line == 4,
		   "five counted, the first three lines kept, in line order");
		pl_import_free(im);
	}
	{
		pl_import_options o = PL_IMPORT_OPTIONS_INIT;
		o.strict = 1;
		pl_import_new(&im, "pd_entry", "sheet.csv", &o);
		const char *t = "staff,title,type,colour\nE100,x,workshop,red\n";
		is_int(pl_import_parse(im, st, t, strlen(t)), PL_EINVALID, "strict refuses a column that is no field");
		e = pl_import_error_get(im, 0);
		ok(e && e->line == 1 && !strcmp(e->column, "colour"), "naming it on the header line");
		pl_import_free(im);
	}
	pl_import_new(&im, "pd_entry", "sheet.csv", NULL);
	rc = pl_import_map(im, "Hrs", "houres");
	ok(rc == PL_EUSAGE && strstr(pl_error_last()->message, "did you mean 'hours'"), "a mapping to a near miss says did you mean");
	pl_import_free(im);

	im = parse("pd_entry", "staff,title,type,start\nE100,Twice,workshop,2026-02-01\nE100,twice,workshop,2/1/2026\n",
	           NULL, PL_IMPORT_CSV, &rc);
	e = pl_import_error_get(im, 0);
	ok(rc == PL_EINVALID && e && e->line == 3 && strstr(e->message, "as line 2"), "one record twice in a file names both lines");
	pl_import_free(im);

	{
		pl_import_options o = PL_IMPORT_OPTIONS_INIT;
		o.day_first = 1;
		pl_import_new(&im, "plc_meeting", "sheet.csv", &o);
		const char *t = "Group,Date,School ID,Minutes\nGrade 4,3/4/2026,LIN01,1.5 hrs\n";
		is_int(pl_import_parse(im, st, t, strlen(t)), 0, "day first: a PLC meeting");
		is_str(json_string_value(json_object_get(pl_import_row_get(im, 0)->fields, "date")), "2026-04-03",
		       "3/4/2026 is 3 April; School ID is school");
		is_int(json_integer_value(json_object_get(pl_import_row_get(im, 0)->fields, "minutes")), 90,
		       "1.5 hrs in a minutes field is 90");
		pl_import_free(im);
	}

	im = parse("staff", "{\"id\":\"E300\",\"name\":\"Kim Park\",\"category\":\"Certified\",\"school\":\"LIN01\"}\n"
	           "{\"name\":\"Sam Ortiz\",\"category\":\"certified\",\"school\":\"LIN01\"}\n", NULL, PL_IMPORT_JSONL, &rc);
	is_int(rc, 0, "JSON Lines parse");
	ok(pl_import_row_get(im, 0)->action == PL_IMPORT_NEW && pl_import_row_get(im, 1)->action == PL_IMPORT_SAME,
	   "a new staff member by id, an existing one by name + school");
	is_int(pl_import_commit(im, st, actor, NULL, NULL, NULL), 0, "committed");
	pl_import_free(im);

	pl_import_undone u;
	is_int(pl_import_undo(&u, st, actor, "undo"), 0, "the last import is taken back");
	ok(u.deleted == 1 && !strcmp(u.kind, "staff"), "its one new record deleted");
	pl_record *r = NULL;
	ok(pl_store_get(&r, st, "E300") == 0 && r->deleted, "E300 is deleted (its history kept)");
	pl_record_free(r);
	is_int(pl_import_undo(&u, st, actor, NULL), PL_ENOTFOUND, "a second undo has nothing to take back");

	uint64_t nops, nrec;
	is_int(pl_store_verify(st, &nops, &nrec), 0, "the store verifies");
	tl_store_done(st, dir);
	return done_testing();
}
