/*
 * plsync/findings.h — policy findings computed over a dataset.
 *
 * Some district rules cannot be enforced on a single write offline (they
 * need other records, other schools, or the passing of time), so they are
 * computed, shown and never silent. Each finding is an object
 *
 *     { "rule": "approval_missing", "record": "LIN01-7K3Q2",
 *       "kind": "pd_entry", "staff": "E100" | null,
 *       "school": "LIN01" | null, "why": "one sentence",
 *       "action": "approve", "fields": [ "measure", ... ] }
 *
 * "action" names the next step (enum pl_finding_action, by
 * pl_finding_action_name); "fields", only for complete_goal, the fields the
 * goal lacks. The "why" never names a command: a program that wants to show
 * one renders it from the action and the record (the CLI does, in cli/).
 *
 * The rules (pl_finding_rules() lists them with their titles):
 *
 *  approval_missing       a pd_entry attended (status completed, or its date
 *                         has come while it is requested/approved/unset)
 *                         without a valid supervisor AND budget manager
 *                         approval (Rule 4370.1). An approval is valid when
 *                         approvals.<role>.by is set, its decision is not
 *                         "rejected", and it is the staff member's recorded
 *                         supervisor / budget_manager.
 *  approval_late          a pd_entry attended, with both approvals valid,
 *                         whose start date is before the date of either
 *                         approval (approvals.<role>.at; same day is on
 *                         time). A missing or invalid approval is
 *                         approval_missing's alone; an approval with no "at"
 *                         or an entry with no start is not placed.
 *  out_of_district_limit  more than `out_of_district_max` (2) out-of-district
 *                         conferences, workshops or seminars for one employee
 *                         in one school year, counted over the whole dataset
 *                         (every school), leaving out those required_for_job
 *                         with a valid supervisor approval and those rejected
 *                         or cancelled (Rule 4370.3). One finding for each
 *                         entry past the limit, in date order.
 *  renewal_hours_short    certified staff whose completed hours (PD entries
 *                         and PLC meetings) in the renewal cycle (the
 *                         `renewal_cycle_years` years up to license_expires)
 *                         fall short of renewal_hours_required, with the
 *                         license expiring within `renewal_window_days` (180)
 *                         days of today, or already expired.
 *  federal_unlinked       a federally funded (federal:...) pd_entry with no
 *                         goal or activity, or an activity whose goal is not
 *                         in the data.
 *  activity_no_followup   a plan activity without a follow-up (who/what/how).
 *  goal_incomplete        a plan goal missing its measure or a Year 1, 2 or 3
 *                         outcome.
 *  evaluation_missing     a completed pd_entry with no Guskey evaluation
 *                         `evaluation_days` (30) days or more after it ended.
 *  offering_over_capacity an offering with a capacity and more seats taken
 *                         (pd_entry.offering with registration registered,
 *                         not rejected/cancelled) than it has, counted over
 *                         the whole dataset (schools register offline); one
 *                         finding per offering naming the registrations past
 *                         capacity in registration order (requested_at, then
 *                         id). Waitlisted registrations take no seat.
 *  approval_chain_incomplete
 *                         a completed pd_entry without the approval of a step
 *                         that the district's approval_rule records add to its
 *                         chain (plsync/chain.h).
 *  training_overdue       a required training (plsync/requirement.h) a staff
 *                         member has not done by its due date.
 *  training_due_soon      one due within 30 days, not done for this period.
 *
 * Findings come sorted by rule (in the order above), then school, then
 * record.
 */
#ifndef PLSYNC_FINDINGS_H
#define PLSYNC_FINDINGS_H

#include <stdio.h>

#include <jansson.h>

typedef struct pl_findings_options {
	unsigned int version;
	const char  *year;                /* "2026-2027": only findings about that
	                                     school year (dated records, plans of
	                                     that year; staff renewals always);
	                                     NULL = all */
	int          out_of_district_max; /* 0 = 2 */
	int          renewal_window_days; /* 0 = 180 */
	int          renewal_cycle_years; /* 0 = 5 */
	int          evaluation_days;     /* 0 = 30 */
} pl_findings_options;
#define PL_FINDINGS_OPTIONS_VERSION 1
#define PL_FINDINGS_OPTIONS_INIT { PL_FINDINGS_OPTIONS_VERSION, NULL, 0, 0, 0, 0 }

typedef struct pl_finding_rule {
	const char *name;    /* "approval_missing" */
	const char *title;   /* one line for people */
} pl_finding_rule;

/* The next step a finding asks for, on its record. */
typedef enum pl_finding_action {
	PL_ACTION_NONE = 0,
	PL_ACTION_APPROVE,          /* record the missing approval(s) */
	PL_ACTION_APPROVE_EARLIER,  /* have approvals recorded before attending next time */
	PL_ACTION_REVIEW_LIMIT,     /* mark it required for the job, or cancel it */
	PL_ACTION_PLAN_RENEWAL,     /* plan the staff member's remaining renewal hours */
	PL_ACTION_LINK_GOAL,        /* link it to a plan goal (or the goal to the data) */
	PL_ACTION_ADD_FOLLOWUP,     /* describe the activity's follow-up */
	PL_ACTION_COMPLETE_GOAL,    /* set the goal's missing fields ("fields") */
	PL_ACTION_EVALUATE,         /* record the Guskey evaluation */
	PL_ACTION_REVIEW_CAPACITY,  /* add seats, or waitlist the registrations past capacity */
	PL_ACTION_TRAIN,            /* have the staff member complete a required training */
	PL_ACTION_COUNT_
} pl_finding_action;

/* "approve", "evaluate", ...; "none" for PL_ACTION_NONE or out of range. */
const char *pl_finding_action_name(pl_finding_action a);
/* The action of a finding (its "action"); PL_ACTION_NONE if it has none. */
pl_finding_action pl_finding_action_of(const json_t *finding);
/* The next step in words for people, naming no program: "record the
 * supervisor's and budget manager's approvals". */
const char *pl_finding_next_step(pl_finding_action a);

/* The rules, in order, ended by { NULL, NULL }. */
const pl_finding_rule *pl_finding_rules(void);

/*
 * Compute the findings of `dataset` (see dataset.h) as of `today`
 * ("YYYY-MM-DD"). *out is a new array owned by the caller (json_decref).
 * `opts` may be NULL for the defaults.
 * Errors: PL_EINVALID if `today` is not a date or opts->year not a school
 * year; PL_EUSAGE for an options struct of another version; PL_ERROR when
 * out of memory.
 */
int pl_findings(json_t **out, const json_t *dataset, const char *today,
                const pl_findings_options *opts);

/*
 * Write `findings` (an array from pl_findings) to `f` as text for people,
 * three lines for each finding,
 *
 *     approval_missing: pd_entry LIN01-7K3Q2 (staff E100, school LIN01)
 *         <why>
 *         next: <the next step>
 *
 * (no "staff" when the record is the staff member; no "next" line when the
 * finding has no action), then one line "N finding(s) as of TODAY[ for
 * YEAR]", or "no findings as of TODAY[ for YEAR]" when there are none.
 * `year` may be NULL. The next step is what `next` writes for the finding
 * (a program renders its command there; it is called with its `arg`), or
 * pl_finding_next_step's words when `next` is NULL. Ids and reasons quote
 * records from every node, so they are escaped for the terminal.
 * Errors: those of pl_error_from_errno when writing to `f` fails.
 */
typedef void pl_finding_next_fn(FILE *f, const json_t *finding, void *arg);
int pl_findings_write(FILE *f, const json_t *findings, const char *today, const char *year,
                      pl_finding_next_fn *next, void *arg);

/*
 * Write the list of rules to `f` for a command's help: a blank line,
 * "Rules:", then one line for each rule, its name and title.
 * Errors: those of pl_error_from_errno when writing to `f` fails.
 */
int pl_finding_rules_write(FILE *f);

#endif
