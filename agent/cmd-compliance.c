/*
 * cmd-compliance.c — `plsync compliance`: each staff member's state for
 * every required training that applies to them (plsync/requirement.h), as
 * a table for people or JSON. Like findings, information: exit 0 either way.
 */
#include <string.h>

#include "workflow.h"
#include "plsync/render.h"
#include "plsync/requirement.h"

/* One cell padded to `w` columns (escaped for the terminal; a wide value
 * pushes the next cell on). */
static void cell(const char *s, int w)
{
	char *e = pl_term_escape(s ? s : "-");
	int n = 0;

	if (e) {
		fputs(e, stdout);
		for (const unsigned char *p = (const unsigned char *)e; *p; p++)
			n += (*p & 0xC0) != 0x80;
	}
	for (; n < w; n++)
		putchar(' ');
	free(e);
}

static int cmd_compliance(cli *c, int argc, char **argv)
{
	const char *today = NULL, *staff = NULL;
	int as_json = 0, npos, rc, counts[4] = { 0 };
	opt_spec specs[] = {
		{ "staff", 1, &staff, NULL }, { "today", 1, &today, NULL }, { "json", 0, NULL, &as_json },
		{ NULL, 0, NULL, NULL }
	};
	static const char *const states[] = { "done", "due", "due_soon", "overdue" };
	json_t *ds = NULL, *rows = NULL, *r;
	char **pos = NULL, day[11];
	size_t i;

	if ((rc = opts_parse(&cmd_compliance_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos) {
		rc = cli_usage(&cmd_compliance_entry, "no arguments expected");
		goto cleanup;
	}
	if (today_get(day, today) || dataset_load(&ds, c->store) || pl_compliance(&rows, ds, day, staff, 30)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (staff && !pl_dataset_get(ds, "staff", staff)) {
		rc = cli_error(EXIT_FAIL, "no staff member %s in this store", staff);
		goto cleanup;
	}
	if (as_json) {
		rc = pl_json_write(stdout, rows) ? cli_fail(c) : EXIT_OK;
		goto cleanup;
	}
	if (!json_array_size(rows)) {
		printf("no required trainings apply%s%s as of %s\n", staff ? " to " : "", staff ? staff : "", day);
		rc = EXIT_OK;
		goto cleanup;
	}
	cell("STAFF", 10); cell("NAME", 20); cell("REQUIREMENT", 28); cell("STATE", 10);
	cell("DUE", 12); cell("LAST DONE", 12); fputs("HOURS\n", stdout);
	json_array_foreach(rows, i, r) {
		const char *state = json_string_value(json_object_get(r, "state"));
		char h[64], num[32];

		for (int k = 0; k < 4; k++)
			counts[k] += !strcmp(state, states[k]);
		cell(json_string_value(json_object_get(r, "staff")), 10);
		cell(json_string_value(json_object_get(r, "name")), 20);
		cell(json_string_value(json_object_get(r, "title")), 28);
		cell(pl_compliance_state_title(state), 10);
		cell(json_string_value(json_object_get(r, "due")), 12);
		cell(json_string_value(json_object_get(r, "last")), 12);
		pl_json_number(num, json_object_get(r, "hours"));
		snprintf(h, sizeof(h), "%s", num);
		if (json_is_number(json_object_get(r, "hours_required"))) {
			pl_json_number(num, json_object_get(r, "hours_required"));
			snprintf(h + strlen(h), sizeof(h) - strlen(h), "/%s", num);
		}
		puts(h);
	}
	printf("%zu row(s) as of %s: %d done, %d due, %d due soon, %d overdue\n", json_array_size(rows), day,
	       counts[0], counts[1], counts[2], counts[3]);
	rc = EXIT_OK;
cleanup:
	json_decref(rows);
	json_decref(ds);
	free(pos);
	return rc;
}

const cmd_entry cmd_compliance_entry = {
	.name = "compliance",
	.synopsis = "compliance [--staff ID] [--json] [--today DATE]",
	.summary = "each staff member's state for the required trainings",
	.help =
	"For every staff member and every required training (requirement records) that\n"
	"applies to them (by role, category, school), the state as of today: done,\n"
	"due, due soon (within 30 days) or overdue, the due date, the last completed\n"
	"PD that satisfies it and the hours done in the period (of those required).\n"
	"Completed pd_entries satisfy a requirement when their title contains its\n"
	"match_title, their type is its match_type, they share one of its\n"
	"match_standards, or their offering is one of its offerings (with none of\n"
	"these, a title containing the requirement's title). The exit status is 0\n"
	"whatever the states; `plsync findings` lists the overdue and due-soon ones.\n"
	"\n"
	"  --staff ID     only this staff member\n"
	"  --json         a canonical JSON array of {staff, name, school, requirement,\n"
	"                 title, state, due, last, hours, hours_required}\n"
	"  --today DATE   what \"today\" is (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync add requirement title=\"Mandated reporter training\" frequency=yearly \\\n"
	"      due=09-30 category=certified match_title=\"mandated reporter\"\n"
	"  plsync compliance\n"
	"  plsync compliance --staff E100 --json\n",
	.needs_store = 1,
	.exec = cmd_compliance,
};
