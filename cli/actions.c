/*
 * actions.c — the command lines of the library's next steps: a finding's
 * action (enum pl_finding_action, plsync/findings.h) and what a plan
 * document still lacks (plsync/plandoc.h), for every plsync program.
 *
 * The library says what to do in words and names no program; the command
 * that does it is written here, from the action and the record it is about.
 * Record ids may come from any node, so they go through the terminal
 * renderer.
 */
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "plsync/findings.h"
#include "plsync/render.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "plsync VERB ID" then `rest`. */
static void cmd(FILE *f, const char *verb, const char *id, const char *rest)
{
	fprintf(f, "plsync %s ", verb);
	pl_term_fputs(f, id);
	fputs(rest, f);
}

void cli_finding_next(FILE *f, const json_t *fd, void *arg)
{
	const char *rec = str(fd, "record"), *staff = str(fd, "staff");
	const json_t *fields = json_object_get(fd, "fields");

	(void)arg;
	switch (pl_finding_action_of(fd)) {
	case PL_ACTION_APPROVE:
		cmd(f, "approve", rec, " --as supervisor|budget --by STAFF (or plsync reject)");
		break;
	case PL_ACTION_REVIEW_LIMIT:
		cmd(f, "set", rec, " required_for_job=true (with the supervisor's approval), or cancel it: ");
		cmd(f, "set", rec, " status=cancelled");
		break;
	case PL_ACTION_PLAN_RENEWAL:
		cmd(f, "transcript", staff ? staff : rec, " shows the hours so far");
		break;
	case PL_ACTION_LINK_GOAL:
		cmd(f, "set", rec, " goal=GOAL (plsync ls goal lists them)");
		break;
	case PL_ACTION_ADD_FOLLOWUP:
		cmd(f, "set", rec, " followup.who=... followup.what=... followup.how=...");
		break;
	case PL_ACTION_COMPLETE_GOAL:
		cmd(f, "set", rec, "");
		for (size_t i = 0; i < json_array_size(fields); i++) {
			fputc(' ', f);
			pl_term_fputs(f, json_string_value(json_array_get(fields, i)));
			fputs("=...", f);
		}
		if (!json_array_size(fields))
			fputs(" measure=...", f);
		break;
	case PL_ACTION_EVALUATE:
		cmd(f, "evaluate", rec, " reaction=N learning=N ...");
		break;
	case PL_ACTION_REVIEW_CAPACITY:
		cmd(f, "set", rec, " capacity=N (DISTRICT, for a district offering), or cancel a registration: "
		    "plsync register OFFERING STAFF --cancel");
		break;
	case PL_ACTION_TRAIN:
		cmd(f, "compliance --staff", staff ? staff : rec, " shows what is due; plsync request ... for the training");
		break;
	default:
		fputs(pl_finding_next_step(pl_finding_action_of(fd)), f);
	}
}

void cli_plan_next(FILE *f, const json_t *doc)
{
	const json_t *goals = json_object_get(doc, "goals");

	if (!json_array_size(goals)) {
		fputs("next: add a goal with plsync add goal plan=", f);
		pl_term_fputs(f, str(doc, "plan"));
		fputs(" number=1 statement=...\n", f);
		return;
	}
	for (size_t i = 0; i < json_array_size(goals); i++) {
		const json_t *g = json_array_get(goals, i);
		if (json_array_size(json_object_get(g, "activities")))
			continue;
		fputs("next: add an activity with plsync add activity goal=", f);
		pl_term_fputs(f, str(g, "id"));
		fputs(" title=...\n", f);
	}
}
