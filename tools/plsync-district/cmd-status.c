/*
 * cmd-status.c — `plsync-district status`: per node, its last push, the
 * seq pushed and merged, the lag and any quarantined range; the open
 * conflicts (pl_merge_status).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "district.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/text.h"

static int64_t num(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

static void print_text(const json_t *st)
{
	const char *main_id = json_string_value(json_object_get(st, "main")), *node;
	json_t *n;

	printf("main: %s\n", main_id[0] ? main_id : "(no merge yet)");
	printf("%-12s %-26s %10s %10s %6s  %s\n", "node", "last push", "pushed", "merged", "lag", "quarantine");
	json_object_foreach(json_object_get(st, "nodes"), node, n) {
		json_t *q = json_object_get(n, "quarantined");
		printf("%-12s %-26s %10" PRId64 " %10" PRId64 " %6" PRId64 "  ", node,
		       json_string_value(json_object_get(n, "last_push")), num(n, "pushed_seq"), num(n, "merged_seq"),
		       num(n, "lag"));
		pl_term_fputs(stdout, json_is_object(q) ? json_string_value(json_object_get(q, "reason")) : "-");
		putchar('\n');
	}
	printf("open conflicts: %" PRId64 "\n", num(st, "conflicts"));
}

static int cmd_status(cli *c, int argc, char **argv)
{
	const char *repo;
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	json_t *st = NULL;

	if ((rc = district_args(&cmd_status_entry, argc, argv, specs, &repo)))
		return rc;
	if (pl_merge_status(&st, repo))
		return cli_fail_code(EXIT_FAIL);
	if (as_json)
		pl_json_write(stdout, st);
	else
		print_text(st);
	json_decref(st);
	return EXIT_OK;
}

const cmd_entry cmd_status_entry = {
	.name = "status",
	.synopsis = "status REPO [--json]",
	.summary = "per node: last push, pushed and merged seq, lag, quarantine",
	.help =
	"Shows main's commit and, for every node that pushed, its last push, the\n"
	"seq it pushed and the seq merged into main, the lag between them and the\n"
	"range quarantined (with the reason), if any; then the open conflicts.\n"
	"\n"
	"Options:\n"
	"  --json   the same as a JSON object: main, nodes, conflicts\n"
	"\n"
	"Example:\n"
	"  plsync-district status /srv/git/plsync.git --json\n",
	.exec = cmd_status,
};
