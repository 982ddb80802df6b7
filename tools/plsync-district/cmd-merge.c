/*
 * cmd-merge.c — `plsync-district merge`: verify every node's new ops and
 * consolidate them into one merge commit on main (plsync/merge.h). A range
 * that fails verification is quarantined and reported; the others merge,
 * and the command exits 1 so that a script notices.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "district.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/text.h"

static int print_json(const pl_merge_result *r)
{
	/* "conflicts": the open conflicts on main, the number status gives */
	json_t *j = json_pack("{sb ss ss sI sI sI sI sb sO sO sO sO}", "committed", r->committed, "main", r->main,
	                      "tree", r->tree, "ops", (json_int_t)r->ops, "records", (json_int_t)r->records,
	                      "conflicts", (json_int_t)r->open_conflicts,
	                      "conflicts_written", (json_int_t)r->conflicts, "cache_rebuilt", r->rebuilt,
	                      "merged", r->merged, "quarantined", r->findings, "reported", r->reported,
	                      "unenrolled", r->unenrolled);
	pl_json_write(stdout, j);
	json_decref(j);
	return 0;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static uint64_t seq(const json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

static void print_text(const pl_merge_result *r)
{
	if (r->rebuilt)
		printf("cache rebuilt from git\n");
	for (size_t i = 0; i < json_array_size(r->merged); i++) {
		json_t *m = json_array_get(r->merged, i);
		printf("merged nodes/%s seq %" PRIu64 "..%" PRIu64 "\n", str(m, "node"), seq(m, "from"), seq(m, "to"));
	}
	for (size_t i = 0; i < json_array_size(r->findings); i++) {
		json_t *f = json_array_get(r->findings, i);
		fprintf(stderr, "plsync-district: quarantined nodes/%s (commit %.12s, seq %" PRIu64 "): ",
		        str(f, "node"), str(f, "commit"), seq(f, "seq"));
		pl_term_fputs(stderr, str(f, "reason")); /* quotes the node's bytes */
		fputc('\n', stderr);
	}
	for (size_t i = 0; i < json_array_size(r->reported); i++) {
		json_t *f = json_array_get(r->reported, i);
		printf("reported nodes/%s seq %" PRIu64 " (op %.12s on ", str(f, "node"), seq(f, "seq"), str(f, "op"));
		pl_term_fputs(stdout, str(f, "rec")); /* the node's bytes */
		fputs("): ", stdout);
		pl_term_fputs(stdout, str(f, "reason"));
		fputc('\n', stdout);
	}
	for (size_t i = 0; i < json_array_size(r->unenrolled); i++)
		fprintf(stderr, "plsync-district: warning: nodes/%s has no enrolled key: its commits' signatures are not "
		        "checked (plsync-district enroll REPO %s KEYFILE)\n", json_string_value(json_array_get(r->unenrolled, i)),
		        json_string_value(json_array_get(r->unenrolled, i)));
	if (r->committed)
		printf("main is now %.12s (tree %.12s): %zu ops, %zu records, %zu open conflict%s\n", r->main, r->tree,
		       r->ops, r->records, r->open_conflicts, r->open_conflicts == 1 ? "" : "s");
	else
		printf("nothing new to merge; main stays at %.12s (%zu open conflict%s)\n",
		       r->main[0] ? r->main : "(none)", r->open_conflicts, r->open_conflicts == 1 ? "" : "s");
}

static int cmd_merge(cli *c, int argc, char **argv)
{
	pl_merge_options o = PL_MERGE_OPTIONS_INIT;
	pl_merge_result r;
	const char *repo, *wait = NULL;
	int as_json = 0, no_wait = 0, rc;
	opt_spec specs[] = {
		{ "rebuild-cache", 0, NULL, &o.rebuild_cache }, { "json", 0, NULL, &as_json },
		{ "wait", 1, &wait, NULL }, { "no-wait", 0, NULL, &no_wait }, { NULL, 0, NULL, NULL }
	};

	if ((rc = district_args(&cmd_merge_entry, argc, argv, specs, &repo)))
		return rc;
	if (wait && no_wait)
		return cli_usage(&cmd_merge_entry, "--wait and --no-wait: give one");
	if (wait) {
		char *end;
		long s = strtol(wait, &end, 10);
		if (end == wait || *end || s < 0 || s > 86400 * 7)
			return cli_usage(&cmd_merge_entry, "--wait=SECS takes a number of seconds");
		o.wait_secs = (int)s;
	}
	if (no_wait)
		o.wait_secs = 0;
	if (pl_merge(&r, repo, &o)) {
		int refused = r.main_refused;
		pl_merge_result_clear(&r);
		rc = cli_fail_code(EXIT_FAIL);
		if (refused)
			fprintf(stderr, "plsync-district: if main was moved on purpose, go back the recorded way: "
			        "plsync-district reset %s COMMIT (see plsync-district help reset)\n", repo);
		return rc;
	}
	if (r.lock_cleared)
		fprintf(stderr, "plsync-district: removed a stale %s/refs/heads/main.lock (%ld s old, left by a merge "
		        "that died)\n", repo, r.lock_age);
	if (as_json)
		print_json(&r);
	else
		print_text(&r);
	rc = json_array_size(r.findings) ? EXIT_FAIL : EXIT_OK;
	pl_merge_result_clear(&r);
	return rc;
}

const cmd_entry cmd_merge_entry = {
	.name = "merge",
	.synopsis = "merge REPO [--rebuild-cache] [--wait=SECS | --no-wait] [--json]",
	.summary = "verify every node's new ops and merge them into main",
	.help =
	"Verifies every node's new ops and consolidates them into one merge commit\n"
	"on main: ops/, state/<kind>/../<id>.json, conflicts/. A node range that\n"
	"fails verification is quarantined (reported, not merged); the others merge.\n"
	"It ends with the open conflicts: the files in main's conflicts/, one per\n"
	"record with an open conflict, the number `status` gives.\n"
	"\n"
	"Options:\n"
	"  --rebuild-cache  rebuild the cache (REPO/plsync-cache) from git first;\n"
	"                   the result is the same\n"
	"  --wait=SECS      one merge runs at a time: a second one waits for it as\n"
	"                   long as it runs, or with --wait at most SECS seconds\n"
	"  --no-wait        refuse at once if another merge is running\n"
	"  --json           the result as JSON: committed, main, tree, counts\n"
	"                   (conflicts: open on main; conflicts_written: files this\n"
	"                   merge wrote), the merged, quarantined and reported ranges\n"
	"\n"
	"merge builds only on the main the merges made: a main moved back or\n"
	"committed on by hand is refused, naming the commit (see reset).\n"
	"\n"
	"Exit status: 0 merged (or nothing new), 1 failure or a range quarantined,\n"
	"2 usage error.\n"
	"\n"
	"Examples:\n"
	"  plsync-district merge /srv/git/plsync.git\n"
	"  git -C /srv/git/plsync.git log --first-parent main\n",
	.exec = cmd_merge,
};
