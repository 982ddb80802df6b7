/*
 * plsync/attendance.h — sign-in to an offering's sessions, and the
 * completion it leads to.
 *
 * An attendee signs in with the session's code (plsync/offering.h), or a
 * presenter marks a roster (no code: the caller has checked who may). Each
 * sign-in is one op adding the session's number to the registration's
 * pd_entry `sessions_attended`, made in one store write with the checks:
 * the staff member has a live registration (registered, not waitlisted or
 * cancelled), the session exists and its day has come, the code is that
 * session's. When every
 * session is attended (or the caller asks, o->finish), the entry is
 * completed through pl_workflow_complete with the hours of the sessions
 * attended and the date of the last one, so the approvals and the sense
 * rules of the workflow apply: an entry not yet approved keeps its
 * attendance and is not completed (result `completed` 0, `why`).
 */
#ifndef PLSYNC_ATTENDANCE_H
#define PLSYNC_ATTENDANCE_H

#include <stddef.h>

#include "plsync/op.h"
#include "plsync/store.h"
#include "plsync/workflow.h"

typedef struct pl_attendance_options {
	unsigned int version;
	const char *offering;   /* required */
	const char *staff;      /* required */
	size_t      session;    /* 1-based, required */
	const char *code;       /* the session's sign-in code; NULL: a presenter's roster */
	const char *today;      /* YYYY-MM-DD (required: for the completion) */
	int         finish;     /* 1: complete with the sessions attended so far */
} pl_attendance_options;
#define PL_ATTENDANCE_OPTIONS_VERSION 1
#define PL_ATTENDANCE_OPTIONS_INIT { PL_ATTENDANCE_OPTIONS_VERSION }

typedef struct pl_attendance_result {
	char   entry[PL_ID_MAX + 1];  /* the registration's pd_entry */
	int    already;               /* the session was marked before: nothing written */
	size_t attended, sessions;    /* sessions attended after the call, of how many */
	char   hours[32];             /* hours of the sessions attended */
	int    completed;             /* the entry was completed by this call */
	int    complete_reason;       /* not completed: the workflow's reason (PL_WORKFLOW_*) */
	char   why[400];              /* not completed although due: the workflow's message */
} pl_attendance_result;

/*
 * Mark o->staff present at session o->session of o->offering.
 * Errors: PL_ENOTFOUND (no such offering, or no registration of the staff
 * member); PL_EINVALID: not an offering, no such session, a session
 * whose date is after o->today, a waitlisted or
 * cancelled registration, a code that is not the session's (the message
 * says so and names neither code); PL_EUSAGE: a missing option. A
 * completion refused by the workflow is not an error (see above).
 */
int pl_attendance_mark(pl_store *st, const char *actor, const pl_attendance_options *o,
                       pl_attendance_result *out);

#endif
