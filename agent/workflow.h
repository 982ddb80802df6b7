/*
 * workflow.h — helpers shared by the workflow commands (request, approve,
 * reject, complete, evaluate) and the computed views (plan, transcript,
 * findings, report): the dataset built from the store, "today", time
 * stamps, and output files.
 */
#ifndef PLSYNC_AGENT_WORKFLOW_H
#define PLSYNC_AGENT_WORKFLOW_H

#include <stdio.h>

#include "agent.h"
#include "plsync/dataset.h"

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
 * A time stamp for approvals and evaluations: when --today or
 * $PLSYNC_TODAY fixes the date, that date; else the current UTC time,
 * RFC 3339 ("2026-09-01T14:05:00Z").
 */
void stamp_get(char out[32], const char *opt);

/*
 * The pd_entry `id`, live. Errors (message set): PL_ENOTFOUND, or
 * PL_EINVALID if the record is another kind or deleted.
 */
int entry_get(pl_record **out, pl_store *st, const char *id);

/* Open `path` for writing ("-" or NULL = stdout). Message set on failure. */
int out_open(FILE **f, const char *path);
/* Close what out_open opened; on a write error remove the file. */
int out_close(FILE *f, const char *path, int failed);

/* "Lincoln Elementary (LIN01)" from the config, for report titles. */
void scope_label(char *buf, size_t sz, const cli *c);

#endif
