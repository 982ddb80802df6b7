/*
 * cmd-transcript.c — `plsync transcript`: one staff member's completed PL
 * and PLC hours, with totals against the license renewal requirement.
 * The computation is the library's (plsync/transcript.h) over this store's
 * records; this file only reads options and writes the result. This store
 * may not hold all of a person's PL (another school's entries reach it only
 * if it follows that school): when the library can tell, the transcript
 * carries a warning, which this command also prints on stderr with the
 * next step (the district's transcript over every school).
 */
#include <string.h>

#include "workflow.h"
#include "plsync/transcript.h"

/* "plsync: warning: <why><hint>" on stderr. */
static void warn(const char *why, enum pl_hint hint, const char *staff)
{
	char h[PL_HINT_ARG_MAX + 256];

	fputs("plsync: warning: ", stderr);
	pl_term_fputs(stderr, why);
	pl_term_fputs(stderr, cli_hint_text(hint, staff, h, sizeof(h)));
	fputc('\n', stderr);
}

static int cmd_transcript(cli *c, int argc, char **argv)
{
	const char *year = NULL, *format = NULL, *out = NULL, *today = NULL, *why;
	int as_json = 0, excel = 0, npos, rc;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "format", 1, &format, NULL }, { "out", 1, &out, NULL },
		{ "today", 1, &today, NULL }, { "json", 0, NULL, &as_json }, { "excel", 0, NULL, &excel },
		{ NULL, 0, NULL, NULL }
	};
	pl_transcript_options to = PL_TRANSCRIPT_OPTIONS_INIT;
	json_t *ds = NULL, *t = NULL, *src = NULL;
	enum pl_hint hint;
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
	if (excel && (!format || strcmp(format, "csv"))) {
		rc = cli_usage(&cmd_transcript_entry, "--excel is for --format csv");
		goto cleanup;
	}
	if (today_get(day, today) || dataset_load(&ds, c->store) ||
	    pl_transcript_sources(&src, c->store, ds, pos[0]) ||
	    (to.sources = src, pl_transcript_build(&t, ds, pos[0], year, day, &to)) || cli_out_open(&f, out)) {
		char h[PL_HINT_ARG_MAX + 256];
		int district = !strcmp(pl_store_node(c->store), PL_NODE_DISTRICT);
		rc = pl_error_last()->code == PL_ENOTFOUND && ds && !t
			? cli_error(EXIT_FAIL, "%s; 'plsync ls staff' lists them%s", pl_error_last()->message,
			            district ? cli_hint_text(PL_HINT_DISTRICT_TRANSCRIPT, pos[0], h, sizeof(h)) : "")
			: cli_fail(c);
		goto cleanup;
	}
	if ((why = pl_transcript_warning(t, &hint)))
		warn(why, hint, pos[0]);
	rc = cli_out_close(f, out, pl_transcript_write(f, t, format ? format : "text", excel));
	rc = rc ? cli_fail(c) : EXIT_OK;
cleanup:
	json_decref(t);
	json_decref(src);
	json_decref(ds);
	free(pos);
	return rc;
}

const cmd_entry cmd_transcript_entry = {
	.name = "transcript",
	.synopsis = "transcript STAFF [--year YYYY-YYYY] [--format text|csv|md|json] [--excel] [--out FILE]",
	.summary = "a staff member's completed PL, hours and credits, against license renewal",
	.help =
	"Lists every completed pd_entry of staff member STAFF and every PLC meeting\n"
	"they attended (minutes/60 hours, job-embedded PL), in date order, with hours,\n"
	"credits and standards, and totals that are the sums of the rows. Then, for\n"
	"certified staff with license_expires and renewal_hours_required, the hours\n"
	"completed in the renewal cycle (the five years up to license_expires) against\n"
	"the requirement, and how many are still short. Each row names the school\n"
	"(node) that recorded it.\n"
	"\n"
	"This store holds this school's records, the district office's and those of\n"
	"the nodes it follows, not every school's. When it can tell that STAFF may\n"
	"have PL recorded elsewhere (their staff record names or was made at another\n"
	"school, their school was changed, some entries came from another school, or\n"
	"this is the district office's store), the transcript says so, in the\n"
	"document and on stderr: 'plsync-district transcript REPO STAFF' gives the\n"
	"one over every school's merged data.\n"
	"\n"
	"  --year Y        only school year Y (July 1 to June 30), e.g. 2026-2027;\n"
	"                  the renewal line always covers the whole cycle\n"
	"  --format F      text (default), csv (a row per entry and a Total row), md,\n"
	"                  or json (canonical JSON; also --json)\n"
	"  --excel         with --format csv: a UTF-8 byte order mark and CRLF line\n"
	"                  ends, for Excel on Windows\n"
	"  --out FILE      write to FILE (whole or not at all) instead of stdout\n"
	"  --today DATE    what \"today\" is (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync transcript E100\n"
	"  plsync transcript E100 --year 2026-2027 --format csv --out ann-lee-2026.csv\n"
	"  plsync transcript E100 --format csv --excel --out ann-lee.csv\n",
	.needs_store = 1,
	.exec = cmd_transcript,
};
