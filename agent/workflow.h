/*
 * workflow.h — helpers shared by the workflow commands (request, approve,
 * reject, complete, evaluate, resolve) and the computed views (plan,
 * transcript, findings, report): the dataset built from the store, "today"
 * and time stamps from --today or the environment, the program's hints on
 * a refused workflow step, and output files. The workflow's rules are in
 * the library (plsync/workflow.h).
 */
#ifndef PLSYNC_AGENT_WORKFLOW_H
#define PLSYNC_AGENT_WORKFLOW_H

#include <stdio.h>

#include "agent.h"
#include "plsync/dataset.h"
#include "plsync/workflow.h"

/*
 * Every live record of the store as a dataset (plsync/dataset.h):
 * {kind: {id: fields}}. *out is owned by the caller.
 */
int dataset_load(json_t **out, pl_store *st);

/*
 * Today's date "YYYY-MM-DD": `opt` (a --today option) if given, else
 * $PLSYNC_TODAY, else the local date. PL_EUSAGE if the given date is not
 * one. Tests set PLSYNC_TODAY so results do not depend on the clock.
 */
int today_get(char out[11], const char *opt);

/*
 * The time stamp for approvals and evaluations (pl_workflow_options.stamp):
 * when --today or $PLSYNC_TODAY fixes the date, that date in buf; else
 * NULL, and the library stamps the current UTC time.
 */
const char *stamp_get(char buf[11], const char *opt);

/*
 * Print the library's message for a refused workflow step, with the hint
 * this program adds for its reason ("record it first: plsync set ..."), and
 * return the exit code (EXIT_USAGE for PL_EUSAGE, else EXIT_FAIL).
 */
int workflow_fail(const cli *c, const pl_workflow_options *o, const pl_workflow_result *r);


/* "Lincoln Elementary (LIN01)" from the config, for report titles. */
void scope_label(char *buf, size_t sz, const cli *c);

#endif
