/*
 * cmd-evaluate.c — `plsync evaluate`: the Guskey evaluation of completed PD.
 *
 * Guskey's five levels, each rated 1 (low) to 5 (high): reaction, learning,
 * org_support (organisation support and change), transfer (use of new
 * knowledge and skills) and student_impact (student learning outcomes).
 * The levels are the schema's (pl_workflow_level); one op sets the levels
 * given and evaluation.at. Only a completed entry is evaluated
 * (pl_workflow_evaluate keeps the rule); a completed entry left
 * unevaluated for 30 days is a finding.
 */
#include <string.h>

#include "workflow.h"

/* "reaction, learning, org_support, transfer, student_impact" */
static void level_list(char *buf, size_t sz)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; pl_workflow_level(i) && n < sz; i++)
		n += snprintf(buf + n, sz - n, "%s%s", i ? ", " : "", pl_workflow_level(i));
}

/* The Guskey level named by "level" or "evaluation.level" (n bytes), or NULL. */
static const char *level_named(const char *name, size_t n)
{
	if (n > 11 && !strncmp(name, "evaluation.", 11)) {
		name += 11;
		n -= 11;
	}
	for (size_t i = 0; pl_workflow_level(i); i++)
		if (strlen(pl_workflow_level(i)) == n && !strncmp(pl_workflow_level(i), name, n))
			return pl_workflow_level(i);
	return NULL;
}

/* level=N arguments into {level: "N"}, in their order. */
static int levels_parse(json_t *levels, int n, char **args)
{
	char list[200];

	level_list(list, sizeof(list));
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(args[i], '='), *level;

		if (!eq || !(level = level_named(args[i], (size_t)(eq - args[i]))))
			return cli_usage(&cmd_evaluate_entry, "'%s': give level=N with level one of %s and N from 1 "
			                 "to 5", args[i], list);
		if (json_object_get(levels, level))
			return cli_usage(&cmd_evaluate_entry, "'%s' is given twice", level);
		json_object_set_new(levels, level, json_string(eq + 1));
	}
	return 0;
}

static int cmd_evaluate(cli *c, int argc, char **argv)
{
	pl_workflow_options o = PL_WORKFLOW_OPTIONS_INIT;
	const char *today = NULL;
	opt_spec specs[] = { { "note", 1, &o.note, NULL }, { "today", 1, &today, NULL }, { NULL, 0, NULL, NULL } };
	pl_workflow_result r = { 0 };
	char **pos = NULL, day[11], list[200];
	int npos, rc;

	if ((rc = opts_parse(&cmd_evaluate_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	o.fields = json_object();
	level_list(list, sizeof(list));
	if (npos < 2)
		rc = npos ? cli_usage(&cmd_evaluate_entry, "give at least one level=1..5 (%s)", list) :
		            cli_usage(&cmd_evaluate_entry, "which pd_entry?");
	else if (!(rc = levels_parse(o.fields, npos - 1, pos + 1)) && today && today_get(day, today))
		rc = cli_fail(c);
	if (rc)
		goto cleanup;
	o.id = pos[0];
	o.stamp = stamp_get(day, today);
	if (pl_workflow_evaluate(c->store, c->actor, &o, &r)) {
		rc = workflow_fail(c, &o, &r);
		goto cleanup;
	}
	printf("%s: %s\n", r.id, r.note);
	rc = EXIT_OK;
cleanup:
	json_decref(o.fields);
	free(pos);
	return rc;
}

const cmd_entry cmd_evaluate_entry = {
	.name = "evaluate",
	.synopsis = "evaluate ID level=N... [--note TEXT] [--today DATE]",
	.summary = "record the Guskey evaluation (levels 1-5) of completed PD",
	.help =
	"Records the evaluation of the completed pd_entry ID at Guskey's five levels,\n"
	"each rated from 1 (low) to 5 (high); give any of them:\n"
	"\n"
	"  reaction=N        1. participants' reactions\n"
	"  learning=N        2. participants' learning\n"
	"  org_support=N     3. organization support and change\n"
	"  transfer=N        4. participants' use of new knowledge and skills\n"
	"  student_impact=N  5. student learning outcomes\n"
	"\n"
	"One op sets evaluation.<level> and evaluation.at (now, or --today /\n"
	"$PLSYNC_TODAY). Levels can be added later by evaluating again (student\n"
	"impact is often known months later). The annual report shows the results by\n"
	"level; a completed entry with no evaluation 30 days on is a finding.\n"
	"\n"
	"Examples:\n"
	"  plsync evaluate LIN01-7K3Q2 reaction=5 learning=4 org_support=3\n"
	"  plsync evaluate LIN01-7K3Q2 transfer=4 student_impact=3 --note \"spring benchmark\"\n",
	.needs_store = 1,
	.exec = cmd_evaluate,
};
