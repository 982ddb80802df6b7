/*
 * Required trainings (plsync/requirement.h) over a real store: a yearly
 * training for certified staff due each December 15th, as of 2026-11-20.
 * Ann did it this year (done), Bo did it last year only (due soon: the
 * 15th is 25 days away), Cy never did (overdue since 2025-12-15); Sam is
 * noninstructional, so it does not apply. The compliance rows and the
 * findings (training_overdue, training_due_soon) say exactly that. Then
 * hours, once with a due date, every N years, a bad `due`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/dataset.h"
#include "plsync/findings.h"
#include "plsync/json.h"
#include "plsync/requirement.h"
#include "../tap.h"
#include "../testlib.h"

#define ACTOR "Dee Park <dee@district.example>"
#define DAY   "2026-11-20"

static void change(pl_store *st, int type, const char *kind, const char *id, const char *json)
{
	json_t *f = json_loads(json, 0, NULL);
	pl_change ch = { type, kind, id, f, NULL };

	if (!f || pl_store_change(st, ACTOR, &ch, NULL))
		bail("%s %s: %s", kind ? kind : "change", id, pl_error_last()->message);
	json_decref(f);
}

static void done(pl_store *st, const char *id, const char *staff, const char *title, const char *end, int hours)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "{\"staff\":\"%s\",\"title\":\"%s\",\"type\":\"training\",\"start\":\"%s\","
	         "\"end\":\"%s\",\"hours\":%d,\"status\":\"completed\"}", staff, title, end, end, hours);
	change(st, PL_CHANGE_CREATE, "pd_entry", id, buf);
}

/* The row of staff `s` for requirement `r`, or NULL. */
static const json_t *row_of(const json_t *rows, const char *s, const char *r)
{
	size_t i;
	json_t *x;

	json_array_foreach(rows, i, x)
		if (!strcmp(json_string_value(json_object_get(x, "staff")), s) &&
		    !strcmp(json_string_value(json_object_get(x, "requirement")), r))
			return x;
	return NULL;
}

static const char *get(const json_t *row, const char *k)
{
	return json_string_value(json_object_get(row, k));
}

int main(void)
{
	char base[] = "/tmp/plsync-requirement-XXXXXX", dir[300];
	json_t *ds = NULL, *rows = NULL, *f = NULL;
	pl_store *st;
	int over = 0, soon = 0;
	size_t i;
	json_t *x;

	tl_tmpdir(base);
	snprintf(dir, sizeof(dir), "%s/district", base);
	if (pl_init())
		bail("init");
	st = tl_store(dir, PL_NODE_DISTRICT);
	change(st, PL_CHANGE_CREATE, "staff", "E100", "{\"name\":\"Ann Lee\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E101", "{\"name\":\"Bo Chen\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E102", "{\"name\":\"Cy Diaz\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "staff", "E300", "{\"name\":\"Sam Ortiz\",\"category\":\"noninstructional\"}");
	change(st, PL_CHANGE_CREATE, "requirement", "DISTRICT-MR", "{\"title\":\"Mandated reporter training\","
	       "\"category\":\"certified\",\"frequency\":\"yearly\",\"due\":\"12-15\",\"match_title\":\"mandated reporter\"}");
	done(st, "DISTRICT-P1", "E100", "Mandated Reporter refresher", "2026-03-10", 2);
	done(st, "DISTRICT-P2", "E101", "Mandated reporter basics", "2025-06-01", 2);
	done(st, "DISTRICT-P3", "E102", "Fractions workshop", "2026-10-01", 6);  /* does not match */
	if (pl_dataset_load(&ds, st))
		bail("load: %s", pl_error_last()->message);

	is_int(pl_compliance(&rows, ds, DAY, NULL, 0), 0, "compliance as of %s", DAY);
	is_int((long long)json_array_size(rows), 3, "three rows: the certified staff, not Sam");
	is_str(get(row_of(rows, "E100", "DISTRICT-MR"), "state"), "done", "Ann: done (this year, any case)");
	is_str(get(row_of(rows, "E100", "DISTRICT-MR"), "last"), "2026-03-10", "Ann's last completion");
	is_str(get(row_of(rows, "E101", "DISTRICT-MR"), "state"), "due_soon", "Bo: due soon");
	is_str(get(row_of(rows, "E101", "DISTRICT-MR"), "due"), "2026-12-15", "on 2026-12-15");
	is_str(get(row_of(rows, "E102", "DISTRICT-MR"), "state"), "overdue", "Cy: overdue");
	is_str(get(row_of(rows, "E102", "DISTRICT-MR"), "due"), "2025-12-15", "since 2025-12-15");
	ok(!get(row_of(rows, "E102", "DISTRICT-MR"), "last"), "Cy never did it (the fractions workshop does not count)");
	json_decref(rows);
	is_int(pl_compliance(&rows, ds, "2026-10-01", NULL, 0), 0, "as of 2026-10-01");
	is_str(get(row_of(rows, "E101", "DISTRICT-MR"), "state"), "due", "Bo is due, not yet soon, 75 days ahead");
	json_decref(rows);
	is_int(pl_compliance(&rows, ds, DAY, "E101", 0), 0, "one staff member");
	is_int((long long)json_array_size(rows), 1, "one row");
	json_decref(rows);

	is_int(pl_findings(&f, ds, DAY, NULL), 0, "findings");
	json_array_foreach(f, i, x) {
		const char *rule = get(x, "rule");
		if (!strcmp(rule, "training_overdue")) {
			over++;
			is_str(get(x, "staff"), "E102", "training_overdue is Cy's");
			ok(strstr(get(x, "why"), "overdue since 2025-12-15; never done") != NULL, "why: %s", get(x, "why"));
			is_str(get(x, "action"), "train", "its action is train");
		} else if (!strcmp(rule, "training_due_soon")) {
			soon++;
			is_str(get(x, "staff"), "E101", "training_due_soon is Bo's");
			ok(strstr(get(x, "why"), "due soon on 2026-12-15; last done 2025-06-01") != NULL, "why: %s", get(x, "why"));
		}
	}
	is_int(over, 1, "one training_overdue finding");
	is_int(soon, 1, "one training_due_soon finding (none for Ann)");
	json_decref(f);
	json_decref(ds);

	/* ---- hours, once, every N years, a bad due ---- */
	change(st, PL_CHANGE_CREATE, "requirement", "DISTRICT-H", "{\"title\":\"Literacy\",\"frequency\":\"once\","
	       "\"due_date\":\"2027-06-30\",\"hours\":10,\"match_type\":\"training\",\"category\":\"certified\"}");
	change(st, PL_CHANGE_CREATE, "requirement", "DISTRICT-CPR", "{\"title\":\"CPR\",\"frequency\":\"every_n_years\","
	       "\"years\":2,\"match_title\":\"mandated\",\"role\":\"nurse\"}");
	change(st, PL_CHANGE_SET, "staff", "E101", "{\"role\":\"Nurse\"}");
	pl_dataset_load(&ds, st);
	pl_compliance(&rows, ds, DAY, NULL, 0);
	is_str(get(row_of(rows, "E102", "DISTRICT-H"), "state"), "due", "6 of 10 hours, due in June: due");
	is_int(json_integer_value(json_object_get(row_of(rows, "E102", "DISTRICT-H"), "hours")), 6, "6 hours done");
	is_int(json_integer_value(json_object_get(row_of(rows, "E102", "DISTRICT-H"), "hours_required")), 10, "of 10");
	is_str(get(row_of(rows, "E101", "DISTRICT-CPR"), "state"), "done", "every 2 years, done 2025-06-01: done");
	is_str(get(row_of(rows, "E101", "DISTRICT-CPR"), "due"), "2027-06-01", "due again 2027-06-01");
	ok(!row_of(rows, "E100", "DISTRICT-CPR"), "the nurses' requirement does not apply to Ann (role, any case)");
	json_decref(rows);
	json_decref(ds);

	change(st, PL_CHANGE_SET, "requirement", "DISTRICT-MR", "{\"due\":\"13-40\"}");
	pl_dataset_load(&ds, st);
	is_int(pl_compliance(&rows, ds, DAY, NULL, 0), PL_EINVALID, "a due that is not MM-DD is refused");
	ok(strstr(pl_error_last()->message, "requirement DISTRICT-MR: due: '13-40' is not a day MM-DD") != NULL,
	   "naming the requirement and the field");
	json_decref(ds);

	tl_store_done(st, base);
	done_testing();
}
