/*
 * cmd-transcript.c — `plsync transcript`: one staff member's completed PL
 * and PLC hours, with totals against the license renewal requirement.
 * The computation is the library's (plsync/transcript.h) over this store's
 * records; this file only reads options and writes the result.
 */
#include <string.h>

#include "workflow.h"
#include "plsync/transcript.h"

static int cmd_transcript(cli *c, int argc, char **argv)
{
	const char *year = NULL, *format = NULL, *out = NULL, *today = NULL;
	int as_json = 0, npos, rc;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "format", 1, &format, NULL }, { "out", 1, &out, NULL },
		{ "today", 1, &today, NULL }, { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL }
	};
	json_t *ds = NULL, *t = NULL;
	char **pos = NULL, day[11];
	FILE *f = NULL;

	if ((rc = opts_parse(&cmd_transcript_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 1) {
		rc = cli_usage(&cmd_transcript_entry, npos ? "one staff member at a time" : "whose transcript? (a staff id)");
		goto cleanup;
	}
	if (as_json)
		format = "json";
	if (format && strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "md") &&
	    strcmp(format, "json")) {
		rc = cli_usage(&cmd_transcript_entry, "--format %s: use text, csv, md or json", format);
		goto cleanup;
	}
	if (today_get(day, today) || dataset_load(&ds, c->store) ||
	    pl_transcript_build(&t, ds, pos[0], year, day, NULL) || out_open(&f, out)) {
		rc = pl_error_last()->code == PL_ENOTFOUND && ds && !t
			? cli_error(EXIT_FAIL, "%s; 'plsync ls staff' lists them", pl_error_last()->message)
			: cli_fail(c);
		goto cleanup;
	}
	rc = out_close(f, out, pl_transcript_write(f, t, format ? format : "text"));
	rc = rc ? cli_fail(c) : EXIT_OK;
cleanup:
	json_decref(t);
	json_decref(ds);
	free(pos);
	return rc;
}

const cmd_entry cmd_transcript_entry = {
	.name = "transcript",
	.synopsis = "transcript STAFF [--year YYYY-YYYY] [--format text|csv|md|json] [--out FILE]",
	.summary = "a staff member's completed PL, hours and credits, against license renewal",
	.help =
	"Lists every completed pd_entry of staff member STAFF and every PLC meeting\n"
	"they attended (minutes/60 hours, job-embedded PL), in date order, with hours,\n"
	"credits and standards, and totals that are the sums of the rows. Then, for\n"
	"certified staff with license_expires and renewal_hours_required, the hours\n"
	"completed in the renewal cycle (the five years up to license_expires) against\n"
	"the requirement, and how many are still short.\n"
	"\n"
	"  --year Y        only school year Y (July 1 to June 30), e.g. 2026-2027;\n"
	"                  the renewal line always covers the whole cycle\n"
	"  --format F      text (default), csv (a row per entry and a Total row), md,\n"
	"                  or json (canonical JSON; also --json)\n"
	"  --out FILE      write to FILE instead of standard output\n"
	"  --today DATE    what \"today\" is (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync transcript E100\n"
	"  plsync transcript E100 --year 2026-2027 --format csv --out ann-lee-2026.csv\n",
	.needs_store = 1,
	.exec = cmd_transcript,
};
