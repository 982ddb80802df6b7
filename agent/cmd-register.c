/*
 * cmd-register.c — `plsync register`: register a staff member for an
 * offering, or cancel the registration.
 *
 * pl_registration_register keeps the rules in one write: the registration
 * window, one registration per person, the capacity and the waitlist (a
 * cancellation moves the first waitlisted up). The entry it makes is a
 * request: it then needs the approvals (`plsync approve`).
 */
#include <stdlib.h>

#include "workflow.h"
#include "plsync/registration.h"

static int cmd_register(cli *c, int argc, char **argv)
{
	pl_registration_options o = PL_REGISTRATION_OPTIONS_INIT;
	pl_registration_result r;
	const char *today = NULL;
	opt_spec specs[] = { { "cancel", 0, NULL, &o.cancel }, { "note", 1, &o.note, NULL },
		{ "today", 1, &today, NULL }, { NULL, 0, NULL, NULL } };
	char **pos = NULL, day[11], stamp[11];
	int npos, rc;

	if ((rc = opts_parse(&cmd_register_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos != 2)
		rc = cli_usage(&cmd_register_entry, "give the offering and the staff member: OFFERING STAFF");
	else if (today_get(day, today))
		rc = cli_fail(c);
	if (rc)
		goto cleanup;
	o.offering = pos[0];
	o.staff = pos[1];
	o.today = day;
	o.stamp = stamp_get(stamp, today);
	if (pl_registration_register(c->store, c->actor, &o, &r)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	pl_term_fputs(stdout, r.entry);
	printf(": %s", r.registration);
	if (r.capacity > 0)
		printf(" (%zu of %lld seats taken, %zu waitlisted)", r.registered, r.capacity, r.waitlisted);
	putchar('\n');
	if (r.promoted[0]) {
		pl_term_fputs(stdout, r.promoted);
		puts(": moved up from the waitlist: registered");
	}
	if (!o.cancel)
		fprintf(stderr, "next: the request needs both approvals: plsync approve %s --as supervisor|budget "
		        "--by STAFF\n", r.entry);
	rc = EXIT_OK;
cleanup:
	free(pos);
	return rc;
}

const cmd_entry cmd_register_entry = {
	.name = "register",
	.synopsis = "register OFFERING STAFF [--cancel] [--note TEXT] [--today DATE]",
	.summary = "register a staff member for an offering (or cancel it); print the entry",
	.help =
	"Registers STAFF for OFFERING: a pd_entry requested for them, linked to the\n"
	"offering, with its title, type, dates, hours, credits, standards and funding.\n"
	"Like any request it needs the supervisor's and the budget manager's approval\n"
	"(`plsync approve`). Registration is open from the offering's\n"
	"registration_opens to registration_closes. With a capacity, registrations\n"
	"past it are waitlisted; --cancel cancels the registration, and the first\n"
	"waitlisted person moves up. Seats are counted in this store: at the district\n"
	"a district offering over capacity across schools is a finding\n"
	"(offering_over_capacity).\n"
	"\n"
	"  --cancel       cancel STAFF's registration\n"
	"  --note TEXT    a comment kept with the op\n"
	"  --today DATE   today, for the registration window (also $PLSYNC_TODAY)\n"
	"\n"
	"Example:\n"
	"  plsync register OFF-MATH E100\n"
	"  plsync register OFF-MATH E100 --cancel\n",
	.needs_store = 1,
	.exec = cmd_register,
};
