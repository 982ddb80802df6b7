/*
 * cmd-transcript.c — `plsync-district transcript`: one staff member's
 * transcript over every school's merged data (plsync/transcript.h), so a
 * teacher who moved schools gets one list, each row naming the school that
 * recorded it, and one total that is the sum over all of them. The
 * computation is the library's, over the merge's cache, as findings and
 * report read it; this file reads options and writes the result, with
 * --out to a file written beside its target and renamed: never half a
 * transcript.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "district.h"
#include "plsync/dataset.h"
#include "plsync/errors.h"
#include "plsync/merge.h"
#include "plsync/store.h"
#include "plsync/transcript.h"

/* The consolidated data of `repo`, and who recorded each of `staff`'s records. */
static int load(json_t **ds, json_t **src, const char *repo, const char *staff)
{
	pl_store *cache = NULL;
	int rc = pl_merge_cache_open(&cache, repo);

	if (!rc && !(rc = pl_dataset_load(ds, cache)))
		rc = pl_transcript_sources(src, cache, *ds, staff);
	pl_store_free(cache);
	return rc;
}

static int cmd_transcript(cli *c, int argc, char **argv)
{
	const char *year = NULL, *today = NULL, *format = "text", *out = NULL;
	int as_json = 0, excel = 0, npos, rc;
	opt_spec specs[] = {
		{ "year", 1, &year, NULL }, { "today", 1, &today, NULL }, { "format", 1, &format, NULL },
		{ "out", 1, &out, NULL }, { "json", 0, NULL, &as_json }, { "excel", 0, NULL, &excel },
		{ NULL, 0, NULL, NULL }
	};
	pl_transcript_options to = PL_TRANSCRIPT_OPTIONS_INIT;
	json_t *ds = NULL, *src = NULL, *t = NULL;
	FILE *f = NULL;
	char **pos = NULL, day[11];

	if ((rc = opts_parse(&cmd_transcript_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	cli_default_repo(pos, &npos, 2);
	if (npos != 2) {
		rc = cli_usage(&cmd_transcript_entry, npos < 2 ? "give the district repository and a staff id"
		               : "one REPO and one staff member at a time");
		goto cleanup;
	}
	if (as_json)
		format = "json";
	if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "md") && strcmp(format, "json")) {
		rc = cli_usage(&cmd_transcript_entry, "--format %s: use text, csv, md or json", format);
		goto cleanup;
	}
	if (excel && strcmp(format, "csv")) {
		rc = cli_usage(&cmd_transcript_entry, "--excel is for --format csv");
		goto cleanup;
	}
	to.consolidated = 1;
	if (pl_date_today(day, today) || load(&ds, &src, pos[0], pos[1]) ||
	    (to.sources = src, pl_transcript_build(&t, ds, pos[1], year, day, &to)) ||
	    cli_out_open(&f, out) || cli_out_close(f, out, pl_transcript_write(f, t, format, excel))) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (out)
		fprintf(stderr, "plsync-district: wrote the %s transcript of %s to %s\n", format, pos[1], out);
	rc = EXIT_OK;
cleanup:
	json_decref(t);
	json_decref(src);
	json_decref(ds);
	free(pos);
	return rc;
}

const cmd_entry cmd_transcript_entry = {
	.name = "transcript",
	.synopsis = "transcript REPO STAFF [--year YYYY-YYYY] [--format text|csv|md|json] [--excel] [--out FILE] "
	            "[--today DATE]",
	.summary = "a staff member's PL over every school's merged data",
	.help =
	"The transcript of staff member STAFF (as 'plsync transcript' prints it) over\n"
	"the data the last merge consolidated from every school (run merge first): a\n"
	"teacher who moved schools gets one list, each row naming the school that\n"
	"recorded it, one total that is the sum of all of them, and the hours by\n"
	"school. The license renewal line counts the whole cycle, at every school.\n"
	"\n"
	"Options:\n"
	"  --year Y        only school year Y (July 1 to June 30), e.g. 2026-2027\n"
	"  --format F      text (default), csv (a row per entry and a Total row), md,\n"
	"                  or json (canonical JSON; also --json)\n"
	"  --excel         with --format csv: a UTF-8 byte order mark and CRLF line\n"
	"                  ends, for Excel on Windows\n"
	"  --out FILE      write to FILE (whole or not at all) instead of stdout\n"
	"  --today DATE    what \"today\" is for the renewal position (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync-district transcript /srv/git/plsync.git E100 --year 2026-2027\n"
	"  plsync-district transcript /srv/git/plsync.git E100 --format csv --excel --out e100.csv\n",
	.exec = cmd_transcript,
};
