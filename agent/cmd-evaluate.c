/*
 * cmd-evaluate.c — `plsync evaluate`: the Guskey evaluation of completed PD.
 *
 * Guskey's five levels, each rated 1 (low) to 5 (high): reaction, learning,
 * org_support (organisation support and change), transfer (use of new
 * knowledge and skills) and student_impact (student learning outcomes).
 * One op sets the levels given and evaluation.at. Only a completed entry is
 * evaluated; a completed entry left unevaluated for 30 days is a finding.
 */
#include <string.h>

#include "workflow.h"

static const char *const levels[] = { "reaction", "learning", "org_support", "transfer",
                                      "student_impact", NULL };

static int cmd_evaluate(cli *c, int argc, char **argv)
{
	const char *note = NULL, *today = NULL;
	opt_spec specs[] = { { "note", 1, &note, NULL }, { "today", 1, &today, NULL }, { NULL, 0, NULL, NULL } };
	const char *status;
	pl_record *entry = NULL;
	json_t *fields = NULL, *ev = NULL;
	char **pos = NULL, stamp[32], opnote[600] = "evaluated:";
	int npos, rc;

	if ((rc = opts_parse(&cmd_evaluate_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 2) {
		rc = cli_usage(&cmd_evaluate_entry, npos ? "give at least one level=1..5 (reaction, learning, "
		               "org_support, transfer, student_impact)" : "which pd_entry?");
		goto cleanup;
	}
	ev = json_object();
	for (int i = 1; i < npos; i++) {
		const char *eq = strchr(pos[i], '='), *name = pos[i];
		size_t n = eq ? (size_t)(eq - pos[i]) : 0;
		int k;

		if (n > 11 && !strncmp(name, "evaluation.", 11)) {
			name += 11;
			n -= 11;
		}
		for (k = 0; eq && levels[k]; k++)
			if (strlen(levels[k]) == n && !strncmp(levels[k], name, n))
				break;
		if (!eq || !levels[k]) {
			rc = cli_usage(&cmd_evaluate_entry, "'%s': give level=N with level one of reaction, "
			               "learning, org_support, transfer, student_impact and N from 1 to 5", pos[i]);
			goto cleanup;
		}
		if (json_object_get(ev, levels[k])) {
			rc = cli_usage(&cmd_evaluate_entry, "'%s' is given twice", levels[k]);
			goto cleanup;
		}
		json_object_set_new(ev, levels[k], json_string(eq + 1));
		snprintf(opnote + strlen(opnote), sizeof(opnote) - strlen(opnote), " %s=%s", levels[k], eq + 1);
	}
	if ((today && today_get(stamp, today)) || entry_get(&entry, c->store, pos[0])) {
		rc = cli_fail(c);
		goto cleanup;
	}
	status = json_string_value(json_object_get(entry->fields, "status"));
	if (!status || strcmp(status, "completed")) {
		rc = cli_error(EXIT_FAIL, "pd_entry %s is %s; only completed PD is evaluated (first: plsync "
		               "complete %s --hours H)", entry->id, status ? status : "without a status", entry->id);
		goto cleanup;
	}
	stamp_get(stamp, today);
	json_object_set_new(ev, "at", json_string(stamp));
	fields = json_pack("{sO}", "evaluation", ev);
	if (note)
		snprintf(opnote + strlen(opnote), sizeof(opnote) - strlen(opnote), ": %s", note);
	{
		pl_change ch = { PL_CHANGE_SET, "pd_entry", entry->id, fields, opnote };
		if (pl_store_change(c->store, c->actor, &ch, NULL)) {
			rc = cli_fail(c);
			goto cleanup;
		}
	}
	printf("%s: %s\n", entry->id, opnote);
	rc = EXIT_OK;
cleanup:
	json_decref(ev);
	json_decref(fields);
	pl_record_free(entry);
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
