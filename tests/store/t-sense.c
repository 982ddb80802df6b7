/*
 * Values that make sense: a local write of a pd_entry is refused when its
 * end is before its start, its hours are more than 24 a day, a completed
 * entry starts or ends after today, an approval is dated before the entry's
 * requested_at, each with the field and the fix. The rules apply to
 * the record after the change (a SET of end alone is checked against the
 * stored start). "today" is given (pl_sense), never read from the clock
 * here. Remote ops are checked for types only
 * (pl_schema_validate), so old data still merges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

static const pl_kind_def *pd;

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);
	if (!v)
		bail("bad test json '%s': %s", text, err.text);
	return v;
}

/* pl_schema_prepare of `raw` over `current` (NULL: a create): its code;
 * the message into msg. */
static int prep(const char *raw, const char *current, const char *today, char msg[512])
{
	pl_sense at = { "PD9", today };
	json_t *r = parse(raw), *c = current ? parse(current) : NULL, *out = NULL;
	int rc = pl_schema_prepare(&out, pd, r, c, &at, NULL, NULL);

	snprintf(msg, 512, "%s", rc ? pl_error_last()->message : "");
	if ((rc != 0) != (out == NULL))
		bail("prepare: out and rc disagree");
	json_decref(out);
	json_decref(r);
	json_decref(c);
	return rc;
}

#define BASE "\"staff\":\"E1\",\"title\":\"Reading\",\"type\":\"workshop\""
#define TODAY "2026-06-15"

static void refused(const char *raw, const char *current, const char *want,
                    const char *what)
{
	char msg[512];
	int rc = prep(raw, current, TODAY, msg);
	ok(rc == PL_EINVALID && strstr(msg, want), "%s refused", what);
	if (rc != PL_EINVALID || !strstr(msg, want))
		diag("rc %d, message '%s', wanted '%s'", rc, msg, want);
	ok(!strstr(msg, "plsync "), "%s: the message names no command", what);
}

static void accepted(const char *raw, const char *current, const char *what)
{
	char msg[512];
	int rc = prep(raw, current, TODAY, msg);
	ok(rc == 0, "%s accepted", what);
	if (rc)
		diag("rc %d, message '%s'", rc, msg);
}

int main(void)
{
	char msg[512];

	plan(29);
	if (!(pd = pl_schema_kind("pd_entry")))
		bail("no pd_entry kind");

	/* end before start */
	refused("{" BASE ",\"start\":\"2026-09-14\",\"end\":\"2026-09-01\"}", NULL,
	        "pd_entry PD9: end 2026-09-01 is before start 2026-09-14; fix end or start", "end before start");
	accepted("{" BASE ",\"start\":\"2026-05-14\",\"end\":\"2026-05-14\"}", NULL, "a one-day entry");
	/* the record after the change: end alone against the stored start */
	refused("{\"end\":\"2026-09-01\"}", "{" BASE ",\"start\":\"2026-09-14\"}",
	        "end 2026-09-01 is before start 2026-09-14", "a SET of end alone before the stored start");
	accepted("{\"end\":null}", "{" BASE ",\"start\":\"2026-05-14\",\"end\":\"2026-05-01\"}",
	         "unsetting a stored end that was before the start");

	/* hours: 24 a day, days = end - start + 1 (1 without an end) */
	refused("{" BASE ",\"start\":\"2026-05-01\",\"hours\":\"25\"}", NULL,
	        "hours 25 is more than 24 a day for 1 day", "25 hours in one day");
	accepted("{" BASE ",\"start\":\"2026-05-01\",\"end\":\"2026-05-03\",\"hours\":72}", NULL,
	         "72 hours over three days");
	refused("{\"hours\":73}", "{" BASE ",\"start\":\"2026-02-27\",\"end\":\"2026-03-01\"}",
	        "hours 73 is more than 24 a day for 3 days", "73 hours over three days (across February)");

	/* completed in the future, against the given day */
	refused("{" BASE ",\"start\":\"2026-06-16\",\"status\":\"completed\"}", NULL,
	        "status completed but start 2026-06-16 is after today (2026-06-15); fix start or status",
	        "a completed entry starting tomorrow");
	refused("{\"status\":\"completed\"}", "{" BASE ",\"start\":\"2026-06-10\",\"end\":\"2026-06-20\"}",
	        "end 2026-06-20 is after today", "completing an entry that ends later");
	accepted("{" BASE ",\"start\":\"2026-06-16\",\"status\":\"approved\"}", NULL,
	         "an approved entry in the future");
	ok(prep("{" BASE ",\"start\":\"2099-01-01\",\"status\":\"completed\"}", NULL, NULL, msg) == 0,
	   "with no day given the future rule is not checked");

	/* approvals not dated before the request (approvals.<role>.at, requested_at) */
	refused("{" BASE ",\"requested_at\":\"2026-05-10T09:00:00Z\","
	        "\"approvals\":{\"supervisor\":{\"by\":\"E2\",\"at\":\"2026-05-09\"}}}", NULL,
	        "pd_entry PD9: approvals.supervisor.at 2026-05-09 is before requested_at 2026-05-10T09:00:00Z "
	        "(an approval comes after the request); fix approvals.supervisor.at or requested_at",
	        "a supervisor approval dated the day before the request");
	refused("{\"approvals\":{\"budget\":{\"by\":\"E3\",\"at\":\"2026-05-10T08:59:59Z\"}}}",
	        "{" BASE ",\"requested_at\":\"2026-05-10T09:00:00Z\",\"approvals\":{\"supervisor\":"
	        "{\"by\":\"E2\",\"at\":\"2026-05-11\"}}}",
	        "approvals.budget.at 2026-05-10T08:59:59Z is before requested_at",
	        "a SET of the budget approval a second before the stored request");
	refused("{\"requested_at\":\"2026-05-12\"}",
	        "{" BASE ",\"approvals\":{\"supervisor\":{\"by\":\"E2\",\"at\":\"2026-05-11T10:00:00.250Z\"}}}",
	        "approvals.supervisor.at 2026-05-11T10:00:00.250Z is before requested_at 2026-05-12",
	        "a SET of requested_at after the stored approval");
	accepted("{\"approvals\":{\"budget\":{\"by\":\"E3\",\"at\":\"2026-05-10\"}}}",
	         "{" BASE ",\"requested_at\":\"2026-05-10T15:30:00Z\"}",
	         "an approval dated the day of the request (a date against a time)");
	accepted("{\"approvals\":{\"supervisor\":{\"by\":\"E2\",\"at\":\"2026-05-10T09:00:00.500Z\"}}}",
	         "{" BASE ",\"requested_at\":\"2026-05-10T09:00:00Z\"}",
	         "an approval in the second of the request");
	accepted("{\"approvals\":{\"supervisor\":{\"by\":\"E2\",\"at\":\"2020-01-01\"}}}", "{" BASE "}",
	         "an approval of an entry with no requested_at (older data)");
	accepted("{\"approvals\":{\"supervisor\":null}}",
	         "{" BASE ",\"requested_at\":\"2026-05-10\",\"approvals\":{\"supervisor\":{\"at\":\"2026-05-01\"}}}",
	         "unsetting a stored approval dated before the request");

	/* remote ops: types only */
	{
		json_t *early = parse("{" BASE ",\"requested_at\":\"2026-05-10\","
		                      "\"approvals\":{\"budget\":{\"at\":\"2026-05-01\"}}}");
		int rc = pl_schema_validate(pd, early, early, NULL, NULL);
		ok(rc == 0, "a remote op with an approval before its request is checked for types only");
		json_decref(early);
	}
	{
		json_t *bad = parse("{" BASE ",\"start\":\"2026-09-14\",\"end\":\"2026-09-01\",\"hours\":99.5}");
		int rc = pl_schema_validate(pd, bad, bad, NULL, NULL);
		ok(rc == 0, "a remote op's old data (end before start, 99.5 hours) is checked for types only");
		if (rc)
			diag("%s", pl_error_last()->message);
		json_decref(bad);
	}
	return done_testing();
}
