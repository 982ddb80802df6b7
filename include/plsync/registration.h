/*
 * plsync/registration.h — staff register for an offering
 * (plsync/offering.h): a registration is the staff member's pd_entry, made
 * as a request (status requested, linked to the offering, its title, type,
 * dates, hours, credits, standards, funding, goal and activity taken from
 * the offering) that then goes through the approvals of
 * plsync/workflow.h.
 *
 * Rules kept here, each read and written in one store write:
 *  - registration is open from the offering's registration_opens to its
 *    registration_closes (either may be unset);
 *  - one live registration per staff member and offering;
 *  - with a capacity, registrations beyond it are `waitlisted`; a
 *    cancellation of a registered entry moves the first waitlisted one (by
 *    requested_at, then id) up to `registered`, in the same write.
 * Seats are counted in this store: schools register offline, so a district
 * offering can be over capacity once every school's registrations merge.
 * That is the finding `offering_over_capacity` (plsync/findings.h).
 */
#ifndef PLSYNC_REGISTRATION_H
#define PLSYNC_REGISTRATION_H

#include "plsync/op.h"
#include "plsync/store.h"

typedef struct pl_registration_options {
	unsigned int version;
	const char *offering;   /* the offering's id (required) */
	const char *staff;      /* the staff member's id (required) */
	int         cancel;     /* 1: cancel the staff member's registration */
	const char *today;      /* YYYY-MM-DD, for the registration window (required) */
	const char *stamp;      /* requested_at: RFC 3339 or YYYY-MM-DD; NULL = now (UTC) */
	const char *note;       /* kept with the op; NULL for the default */
} pl_registration_options;
#define PL_REGISTRATION_OPTIONS_VERSION 1
#define PL_REGISTRATION_OPTIONS_INIT { PL_REGISTRATION_OPTIONS_VERSION }

typedef struct pl_registration_result {
	char   entry[PL_ID_MAX + 1];     /* the staff member's pd_entry */
	char   registration[16];         /* registered, waitlisted, cancelled */
	size_t registered;               /* seats taken after the call */
	long long capacity;              /* the offering's capacity, 0 for none */
	size_t waitlisted;               /* waitlisted after the call */
	char   promoted[PL_ID_MAX + 1];  /* cancel: the entry moved up from the waitlist ("" none) */
} pl_registration_result;

/*
 * Register o->staff for o->offering (a new pd_entry, result entry), or
 * with o->cancel cancel their registration (status and registration
 * `cancelled`, and the first waitlisted entry moved up when a seat came
 * free). out may be NULL.
 * Errors: PL_ENOTFOUND (no such offering; cancel: no live registration of
 * that staff member); PL_EINVALID: the record is not an offering, outside
 * the registration window, or (from the schema) the staff member does not
 * exist; PL_EEXISTS: already registered (entry named); PL_EUSAGE: a
 * missing option.
 */
int pl_registration_register(pl_store *st, const char *actor, const pl_registration_options *o,
                             pl_registration_result *out);

#endif
