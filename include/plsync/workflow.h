/*
 * plsync/workflow.h — the PD workflow of Rule 4370.1 as library calls:
 * request, approve, reject, complete, evaluate, and resolve (a conflict).
 *
 *   request -> approve (supervisor) + approve (budget) -> approved
 *           -> complete (hours) -> evaluate (Guskey levels 1-5)
 *   either approver may reject instead (status rejected).
 *   the district's approval_rule records may add steps to the chain
 *   (plsync/chain.h): approved once every step has approved.
 *
 * Each call checks its rule on the record as it is inside one store write
 * (pl_write_get) and writes its one op in that same write, so the rule and
 * the change commit together: of two processes deciding on one entry at
 * once, the second waits for the first and is judged on what it wrote. The
 * district tool and the web app use these calls, as the agent does.
 *
 * Every call takes the store, the actor ("Name <email>", as for
 * pl_store_write), one pl_workflow_options and a pl_workflow_result it
 * clears and fills (NULL: not wanted). It returns 0 or a PL_E* code with
 * the message set. Messages name
 * the records, people and states involved and never a program's command;
 * where a program has a hint to add ("record it first with ..."), the
 * result's `reason` says which case it is (PL_WORKFLOW_*), and the fields
 * of the result hold what the hint needs.
 *
 * Dates and time stamps come from the caller (a program may fix "today"
 * for tests); only a missing stamp is taken from the clock.
 */
#ifndef PLSYNC_WORKFLOW_H
#define PLSYNC_WORKFLOW_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/op.h"
#include "plsync/store.h"

/* The two approvals a request needs. */
typedef enum pl_role {
	PL_ROLE_NONE = 0,
	PL_ROLE_SUPERVISOR,   /* the staff record's `supervisor` */
	PL_ROLE_BUDGET,       /* the staff record's `budget_manager` */
	/* the steps a district approval chain may add (plsync/chain.h); who
	 * holds them is named by the approval_rule */
	PL_ROLE_PRINCIPAL,
	PL_ROLE_FEDERAL,      /* "federal_programs" */
	PL_ROLE_DISTRICT_PD,  /* "district_pd" */
	PL_ROLE_SUPERINTENDENT,
	PL_ROLE_COUNT_
} pl_role;

/* "supervisor" -> PL_ROLE_SUPERVISOR; "budget" or "budget_manager" ->
 * PL_ROLE_BUDGET; a chain step's key (pl_role_key) -> its role; anything
 * else (or NULL) PL_ROLE_NONE. */
pl_role pl_role_parse(const char *name);
/* The other of the two roles of Rule 4370.1 (supervisor for a chain step). */
pl_role pl_role_other(pl_role r);
/* "supervisor" / "budget" / "district_pd" ...: its key under a pd_entry's approvals. */
const char *pl_role_key(pl_role r);
/* "supervisor" / "budget manager": its name in messages. */
const char *pl_role_title(pl_role r);
/* "supervisor" / "budget_manager": the staff field naming who holds it
 * ("none" for a chain step: the approval_rule names its holder). */
const char *pl_role_field(pl_role r);

/*
 * What each call takes; fields a call does not use are ignored.
 * Initialise with PL_WORKFLOW_OPTIONS_INIT. Strings are borrowed.
 */
typedef struct pl_workflow_options {
	unsigned int version;
	const char *id;        /* the pd_entry (request: NULL = a generated id) */
	pl_role     role;      /* approve, reject: whose decision */
	const char *by;        /* approve, reject: the approver's staff id */
	const char *note;      /* kept with the op; a rejection's reason (required) */
	const char *stamp;     /* request: requested_at unless the fields give it;
	                          approve, reject, evaluate: approvals.<role>.at or
	                          evaluation.at, RFC 3339 or YYYY-MM-DD; NULL = now (UTC) */
	const char *today;     /* complete: YYYY-MM-DD, for the default end date (required) */
	json_t     *fields;    /* request: the entry's fields; resolve: the settled
	                          fields (NULL: only check); evaluate: {level: value}
	                          in the order given (pl_workflow_level). Nested,
	                          raw values as for pl_change. */
	const char *hours;     /* complete: contact hours, as given ("6.5"); required */
	const char *credits;   /* complete: optional */
	const char *evidence;  /* complete: optional */
	const char *end;       /* complete: the last day; NULL = the planned end, else
	                          the start if it has come, else today */
} pl_workflow_options;
#define PL_WORKFLOW_OPTIONS_VERSION 1
#define PL_WORKFLOW_OPTIONS_INIT { PL_WORKFLOW_OPTIONS_VERSION }

/* Why a call was refused (the result's `reason`): the cases a program may
 * add its own hint to. Any other refusal is PL_WORKFLOW_REFUSED. */
enum pl_workflow_reason {
	PL_WORKFLOW_OK = 0,
	PL_WORKFLOW_REFUSED,      /* a rule, said in full by the message */
	PL_WORKFLOW_DELETED,      /* the entry was deleted (its history remains) */
	PL_WORKFLOW_NOT_ENTRY,    /* the id names a record of another kind */
	PL_WORKFLOW_REJECTED,     /* approve/reject of a rejected entry: a new request is needed */
	PL_WORKFLOW_NO_APPROVER,  /* the staff record names nobody for the role (staff, role) */
	PL_WORKFLOW_NOT_APPROVER, /* `by` is not the one recorded (staff, recorded) */
	PL_WORKFLOW_COMPLETED,    /* complete of a completed entry: correct it with a change */
	PL_WORKFLOW_UNAPPROVED,   /* complete before both approvals (needs) */
	PL_WORKFLOW_NOT_COMPLETED,/* evaluate before complete */
	PL_WORKFLOW_NO_CONFLICT,  /* resolve of a record with no open conflict */
	PL_WORKFLOW_OWN_FIELD     /* request setting a field of the later steps (field) */
};

/* What a call found and did, for the program to print. */
typedef struct pl_workflow_result {
	int     reason;                     /* PL_WORKFLOW_*: why a rule refused the
	                                       call; 0 on success and for errors that
	                                       are no rule's (PL_ENOTFOUND, schema) */
	char    id[PL_ID_MAX + 1];          /* the entry (request: the id made) */
	char    staff[PL_ID_MAX + 1];       /* approve, reject: the entry's staff member */
	char    status[16];                 /* the status after the call, or as found
	                                       when refused ("" for none) */
	int     both;                       /* approve: both approvals are now given */
	pl_role needs;                      /* approve: the role still to approve, when
	                                       not both; complete (UNAPPROVED): the
	                                       approval to give next */
	char    other_by[PL_ID_MAX + 1];    /* approve: who holds the role still
	                                       needed ("" if nobody is recorded) */
	char    recorded[PL_ID_MAX + 1];    /* NOT_APPROVER: who holds the role */
	char    field[16];                  /* OWN_FIELD: "status", "approvals", "evaluation" */
	char    note[600];                  /* the op's note, as written */
} pl_workflow_result;

/*
 * Request PD: create a pd_entry with status `requested` from o->fields
 * (staff, title, type, ...), id o->id or a generated one (result id), note
 * o->note or "PD requested", and requested_at o->stamp (NULL: now, UTC)
 * unless o->fields give it. The workflow's own fields are refused (see
 * pl_workflow_own_field). Errors: PL_EUSAGE (OWN_FIELD, or no fields);
 * whatever pl_write_change gives (PL_EINVALID for the schema, PL_EEXISTS).
 */
int pl_workflow_request(pl_store *st, const char *actor, const pl_workflow_options *o,
                        pl_workflow_result *out);

/*
 * pl_workflow_request inside the caller's write `w`, so that a rule the
 * caller checks on what the write reads (an offering's seats) commits with
 * the request. o->stamp should be given (a write may be run again).
 */
int pl_workflow_request_in(pl_write *w, const pl_workflow_options *o, pl_workflow_result *out);

/*
 * If argument `arg`, "path=value" or a dotted path below a field
 * ("status=x", "approvals.supervisor.by=E200", "evaluation.reaction"),
 * names a field set by a later step (status, approvals, evaluation), that
 * field's name ("status"); else NULL. A request refuses these, so a
 * program can refuse them before it parses its arguments.
 */
const char *pl_workflow_own_field(const char *arg);

/*
 * Record o->role's approval of requested pd_entry o->id by staff member
 * o->by, stamped o->stamp, with o->note: one op setting
 * approvals.<role>.by, .at, .decision=approved (and .note), and status
 * `approved` when the other role has approved already (result both), else
 * `requested`. o->by must be the role's holder on the entry's staff record.
 * Errors (PL_EINVALID unless said): PL_ENOTFOUND (no such record);
 * DELETED, NOT_ENTRY; REFUSED for a completed or cancelled entry, one
 * approved by both, or a role that approved already; REJECTED; REFUSED when
 * the staff record is missing; NO_APPROVER; NOT_APPROVER; PL_EUSAGE for a
 * missing role or `by`.
 */
int pl_workflow_approve(pl_store *st, const char *actor, const pl_workflow_options *o,
                        pl_workflow_result *out);

/*
 * Record o->role's rejection of pd_entry o->id (requested or approved) by
 * o->by, with its reason o->note (required: PL_EUSAGE): one op setting
 * approvals.<role>.*, decision=rejected, and status `rejected`. The errors
 * of pl_workflow_approve, but for the approvals already given.
 */
int pl_workflow_reject(pl_store *st, const char *actor, const pl_workflow_options *o,
                       pl_workflow_result *out);

/*
 * Mark approved pd_entry o->id completed: one op setting status
 * `completed`, hours (o->hours, required), credits, evidence and the end
 * date (o->end; else the planned end; else the start if it is not after
 * o->today; else o->today). Errors (PL_EINVALID): DELETED, NOT_ENTRY,
 * COMPLETED, REFUSED (rejected or cancelled), UNAPPROVED (result needs);
 * PL_EINVALID from the schema for bad hours or credits; PL_EUSAGE for a
 * missing hours or today.
 */
int pl_workflow_complete(pl_store *st, const char *actor, const pl_workflow_options *o,
                         pl_workflow_result *out);

/*
 * Record the Guskey evaluation of completed pd_entry o->id: one op setting
 * evaluation.<level> for each level of o->fields and evaluation.at
 * (o->stamp). The note is "evaluated: level=N ..." and o->note after a
 * ": ". Errors: PL_EUSAGE for no level or one not a Guskey level;
 * DELETED, NOT_ENTRY, NOT_COMPLETED (PL_EINVALID); PL_EINVALID from the
 * schema for a value out of 1..5.
 */
int pl_workflow_evaluate(pl_store *st, const char *actor, const pl_workflow_options *o,
                         pl_workflow_result *out);

/*
 * The i-th Guskey level (from 0), as the schema has pd_entry's evaluation:
 * reaction, learning, org_support, transfer, student_impact; NULL past the
 * last. The strings are static.
 */
const char *pl_workflow_level(size_t i);

/*
 * Settle the open conflict of record o->id with o->fields: one change whose
 * base names every concurrent head, note o->note or "resolve conflict".
 * With o->fields NULL, only check that there is one (nothing written).
 * Errors: PL_ENOTFOUND; NO_CONFLICT (PL_EINVALID); what pl_write_change
 * gives.
 */
int pl_workflow_resolve(pl_store *st, const char *actor, const pl_workflow_options *o,
                        pl_workflow_result *out);

#endif
