/*
 * plsync/remind.h — reminders per person, and each person's reminders as
 * one RFC 5322 message for the district's mail system.
 *
 * A person is reminded of: their license expiring within `license_days`
 * (90) days, or expired; approvals waiting on them (the next step of a
 * requested entry's chain, plsync/chain.h) for more than `days` (7) days
 * since requested_at; their completed PD with no evaluation; their required
 * trainings due soon or overdue (plsync/requirement.h).
 */
#ifndef PLSYNC_REMIND_H
#define PLSYNC_REMIND_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

typedef struct pl_remind_options {
	unsigned int version;
	const char  *today;         /* YYYY-MM-DD (required) */
	int          days;          /* approvals waiting more than this; 0 = 7 (-1: any) */
	int          license_days;  /* 0 = 90 */
} pl_remind_options;
#define PL_REMIND_OPTIONS_VERSION 1
#define PL_REMIND_OPTIONS_INIT { PL_REMIND_OPTIONS_VERSION, NULL, 0, 0 }

/*
 * The reminders of dataset `ds`: a new array (*out) of
 *   { "staff", "name", "email" | null,
 *     "items": [ { "what": "license" | "approval" | "evaluation" | "training",
 *                  "record", "text" } ] }
 * one for each person with something to be reminded of, in staff id order.
 * Errors: PL_EINVALID for a bad today; PL_EUSAGE for options of another
 * version; those of pl_compliance and pl_chain_of; PL_ERROR.
 */
int pl_remind(json_t **out, const json_t *ds, const pl_remind_options *o);

/*
 * Write one person's reminders (an element of pl_remind's array) as an RFC
 * 5322 message with CRLF line ends: Date (`when`, UTC), From (`from`,
 * "Name <addr>" or "addr"), To (the person's name and email), Subject,
 * MIME-Version, Content-Type text/plain; charset=UTF-8 and
 * Content-Transfer-Encoding quoted-printable. A name or subject that is
 * not plain ASCII is RFC 2047-encoded; control characters in a name (CR,
 * LF, ...) are written as spaces, so no value starts a header of its own.
 * Errors: PL_EINVALID when the person has no email, or an address (theirs
 * or `from`) is not a plain address (one @, printable ASCII, none of
 * space < > ( ) , ; : " \); those of pl_error_from_errno on write.
 */
int pl_remind_eml(FILE *f, const json_t *person, const char *from, time_t when);

/* Write the reminders as text for people (escaped for the terminal). */
int pl_remind_write(FILE *f, const json_t *reminders, const char *today);

#endif
