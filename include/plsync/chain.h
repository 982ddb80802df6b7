/*
 * plsync/chain.h — approval chains set by the district (docs/design.md,
 * section 11): which approvals a pd_entry needs.
 *
 * Every chain begins with the two approvals of Rule 4370.1, the staff
 * member's supervisor and budget manager. The district's approval_rule
 * records (only those DISTRICT made: ids "DISTRICT-...") add steps to the
 * entries they apply to:
 *
 *   when=always            every entry
 *   when=out_of_district   location out_of_district
 *   when=cost_over         cost_cents over the rule's cost_over_cents
 *   when=federal_funds     funding federal:...
 *
 * A step is one of the pl_role keys (principal, federal_programs,
 * district_pd, superintendent); its approver is the rule's approvers.<step>
 * (the first rule, in id order, that names one). Steps come in the fixed
 * order of pl_role, whatever the rules' order; approvals may be given in
 * any order, and the entry is approved when every step has approved.
 */
#ifndef PLSYNC_CHAIN_H
#define PLSYNC_CHAIN_H

#include <stddef.h>

#include <jansson.h>

#include "plsync/workflow.h"

#define PL_CHAIN_MAX 8

typedef struct pl_chain {
	size_t      n;
	pl_role     step[PL_CHAIN_MAX];            /* in pl_role order, supervisor and budget first */
	const char *holder[PL_CHAIN_MAX];          /* who approves (borrowed from `staff` or the
	                                              rules); NULL when nobody is named */
	const char *rule[PL_CHAIN_MAX];            /* the rule that added it (NULL: Rule 4370.1) */
} pl_chain;

/*
 * The chain of pd_entry fields `entry` of staff record fields `staff` (may
 * be NULL) under `rules`, an object {id: fields} of approval_rule records
 * (a dataset's kind, or NULL for none). Strings in *out are borrowed from
 * the arguments. Errors: PL_EINVALID naming the rule for a step that is not
 * a chain step.
 */
int pl_chain_of(pl_chain *out, const json_t *rules, const json_t *entry, const json_t *staff);

/* Whether step `role` of the chain has approved in `entry`'s approvals
 * (decision approved, or by set on an older record without a decision). */
int pl_chain_step_done(const json_t *entry, pl_role role);

/* The index of `role` in the chain, or -1. */
int pl_chain_find(const pl_chain *c, pl_role role);

/* The first step not approved yet, or PL_ROLE_NONE when the chain is complete. */
pl_role pl_chain_next(const pl_chain *c, const json_t *entry);

/* "the supervisor, the budget manager and the district PD office": the
 * steps of c not approved yet in entry, for messages (all when entry is NULL). */
void pl_chain_missing_text(char *out, size_t sz, const pl_chain *c, const json_t *entry);

#endif
