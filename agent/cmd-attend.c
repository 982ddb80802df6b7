/*
 * cmd-attend.c — `plsync attend`: sign in to a session of an offering with
 * its code, or mark a presenter's roster.
 *
 * pl_attendance_mark checks the registration and the code and records the
 * session in one write; when every session is attended it completes the
 * entry through the workflow with the hours of the sessions attended.
 */
#include <stdlib.h>

#include "workflow.h"
#include "plsync/attendance.h"

static int report(const pl_attendance_result *r)
{
	pl_term_fputs(stdout, r->entry);
	printf(": session%s %zu of %zu attended (%s hours)%s\n", "s", r->attended, r->sessions, r->hours,
	       r->already ? ", this one already" : "");
	if (r->completed) {
		pl_term_fputs(stdout, r->entry);
		printf(": completed, %s hours\n", r->hours);
	} else if (r->why[0]) {
		fputs("plsync attend: not completed yet: ", stderr);
		pl_term_fputs(stderr, r->why);
		fputc('\n', stderr);
	}
	return 0;
}

static int cmd_attend(cli *c, int argc, char **argv)
{
	pl_attendance_options o = PL_ATTENDANCE_OPTIONS_INIT;
	const char *today = NULL, *session = NULL;
	opt_spec specs[] = { { "session", 1, &session, NULL }, { "code", 1, &o.code, NULL },
		{ "finish", 0, NULL, &o.finish }, { "today", 1, &today, NULL }, { NULL, 0, NULL, NULL } };
	char **pos = NULL, day[11], *end = NULL;
	int npos, rc, failed = 0;
	unsigned long k = 0;

	if ((rc = opts_parse(&cmd_attend_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (session)
		k = strtoul(session, &end, 10);
	if (npos < 2)
		rc = cli_usage(&cmd_attend_entry, "give the offering and the staff member(s): OFFERING STAFF...");
	else if (!session || !*session || *end || !k)
		rc = cli_usage(&cmd_attend_entry, "which session? --session N (1, 2, ...)");
	else if (o.code && npos != 2)
		rc = cli_usage(&cmd_attend_entry, "a sign-in code is one person's: one STAFF with --code");
	else if (today_get(day, today))
		rc = cli_fail(c);
	if (rc)
		goto cleanup;
	o.offering = pos[0];
	o.session = k;
	o.today = day;
	for (int i = 1; i < npos; i++) {
		pl_attendance_result r;
		o.staff = pos[i];
		if (pl_attendance_mark(c->store, c->actor, &o, &r)) {
			failed = cli_fail(c);
			continue;
		}
		report(&r);
	}
	rc = failed ? failed : EXIT_OK;
cleanup:
	free(pos);
	return rc;
}

const cmd_entry cmd_attend_entry = {
	.name = "attend",
	.synopsis = "attend OFFERING STAFF --session N --code CODE | attend OFFERING --session N STAFF... "
	            "[--finish] [--today DATE]",
	.summary = "sign in to an offering's session (with its code), or mark a presenter's roster",
	.help =
	"Records that STAFF attended session N of OFFERING: with --code, the session's\n"
	"sign-in code (`plsync offering codes`, checked here without the network); without\n"
	"it, a presenter's roster of one or more staff. Only a registered person (not\n"
	"waitlisted or cancelled) signs in. When every session is attended, or with\n"
	"--finish, the entry is completed with the hours of the sessions attended (as\n"
	"`plsync complete` would: it must be approved first; if not, the attendance is\n"
	"kept and the approvals still needed are named).\n"
	"\n"
	"  --session N    the session's number, from 1\n"
	"  --code CODE    the session's sign-in code\n"
	"  --finish       complete with the sessions attended so far\n"
	"  --today DATE   today (also $PLSYNC_TODAY)\n"
	"\n"
	"Examples:\n"
	"  plsync attend OFF-MATH E100 --session 1 --code 7KQ2MX\n"
	"  plsync attend OFF-MATH --session 2 E100 E101 E102\n",
	.needs_store = 1,
	.exec = cmd_attend,
};
