/*
 * cmd-status.c — `plsync status`: what this data dir holds, and how its
 * syncs go (<dir>/sync-state, sync-state.c: last try, last success, last
 * error, failures in a row; while `sync --watch` or serve runs, the next try).
 */
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"
#include "sync-loop.h"

static json_t *time_or_null(int64_t t)
{
	char buf[32];

	sync_state_time(buf, sizeof(buf), t);
	return buf[0] ? json_string(buf) : json_null();
}

static int cmd_status(cli *c, int argc, char **argv)
{
	int as_json = 0, npos, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { NULL, 0, NULL, NULL } };
	const pl_kind_def *const *kinds = pl_schema_kinds();
	pl_store_stats s;
	char **pos, when[32], *name = NULL, *remote = NULL, shown[4096] = "";
	pl_sync_status ss = { 0 };
	sync_state st;
	char tnext[32], terr[32];
	size_t nconf = 0;
	int has_sync = 0;

	if ((rc = opts_parse(&cmd_status_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	free(pos);
	if (npos)
		return cli_usage(&cmd_status_entry, "no arguments expected");
	if (pl_store_stats_get(&s, c->store) || pl_store_conflict_count(&nconf, c->store))
		return cli_fail(c);
	if (sync_state_read(&st, c->dir)) /* a damaged state file: said, and status goes on */
		cli_fail(c);
	sync_state_time(tnext, sizeof(tnext), st.next_try);
	sync_state_time(terr, sizeof(terr), st.last_error_at);
	config_get(&name, c->dir, "core.name");
	config_get(&remote, c->dir, "remote.url");
	if (remote) /* never the password a URL may hold */
		pl_text_redact(shown, sizeof(shown), remote);
	{
		char gitdir[4096];
		struct stat sb;
		pl_mirror *m = NULL;
		snprintf(gitdir, sizeof(gitdir), "%s/git", c->dir);
		/* the mirror exists once sync or bundle ran; status never creates it */
		if (stat(gitdir, &sb) == 0 && pl_mirror_open(&m, c->dir) == 0) {
			has_sync = pl_sync_status_get(&ss, m, c->store) == 0;
			pl_mirror_free(m);
		}
	}
	if (s.hlc)
		pl_hlc_fmt(when, s.hlc);
	else
		snprintf(when, sizeof(when), "never");
	if (as_json) {
		json_t *o = json_pack("{ss ss ss sI sI sI ss sI sI}", "node", s.node, "dir", c->dir,
		                      "user", c->actor, "seq", (json_int_t)s.seq, "ops", (json_int_t)s.ops,
		                      "records", (json_int_t)s.records, "last_change", when,
		                      "map_size", (json_int_t)s.map_size, "map_used", (json_int_t)s.map_used);
		json_t *bk = json_object();
		for (int i = 0; kinds[i] && i < 16; i++)
			json_object_set_new(bk, kinds[i]->name, json_integer((json_int_t)s.by_kind[i]));
		json_object_set_new(o, "by_kind", bk);
		json_object_set_new(o, "conflicts", json_integer((json_int_t)nconf));
		json_object_set_new(o, "name", name ? json_string(name) : json_null());
		json_object_set_new(o, "remote", remote ? json_string(shown) : json_null());
		json_object_set_new(o, "sync", json_pack("{sI sI sI sI ss ss}",
		                    "committed", (json_int_t)ss.committed, "pushed", (json_int_t)ss.pushed,
		                    "unpushed_ops", (json_int_t)(s.seq - ss.pushed),
		                    "unpushed_commits", (json_int_t)ss.unpushed_commits,
		                    "last_sync", ss.last_sync, "remote_tip", ss.remote_tip));
		{
			json_t *sy = json_object_get(o, "sync");
			json_object_set_new(sy, "last_try", time_or_null(st.last_try));
			json_object_set_new(sy, "last_ok", time_or_null(st.last_ok));
			json_object_set_new(sy, "failures", json_integer(st.failures));
			json_object_set_new(sy, "last_error", st.last_error[0] ? json_string(st.last_error) : json_null());
			json_object_set_new(sy, "last_error_at", time_or_null(st.last_error_at));
			json_object_set_new(sy, "watch_pid", st.watch_pid ? json_integer(st.watch_pid) : json_null());
			json_object_set_new(sy, "next_try", time_or_null(st.next_try));
			json_object_set_new(sy, "backoff_ceiling", json_real(st.ceiling));
		}
		rc = pl_json_write(stdout, o) ? cli_fail(c) : EXIT_OK;
		json_decref(o);
	} else {
		printf("node:         %s%s", s.node, name ? " (" : "");
		pl_term_fputs(stdout, name);
		printf("%s\ndata dir:     ", name ? ")" : "");
		pl_term_fputs(stdout, c->dir);
		fputs("\nuser:         ", stdout);
		pl_term_fputs(stdout, c->actor);
		putchar('\n');
		printf("remote:       %s\n", remote ? shown : "(none; set with plsync config remote.url URL)");
		printf("ops:          %llu in the log, last local seq %llu\n", (unsigned long long)s.ops,
		       (unsigned long long)s.seq);
		printf("last change:  %s\n", when);
		printf("unpushed:     %" PRIu64 " op%s", s.seq - ss.pushed, s.seq - ss.pushed == 1 ? "" : "s");
		if (has_sync)
			printf(", %zu local commit%s not yet pushed", ss.unpushed_commits,
			       ss.unpushed_commits == 1 ? "" : "s");
		printf("\n");
		printf("last sync:    %s\n", ss.last_sync[0] ? ss.last_sync : "never");
		if (st.failures) {
			printf("sync errors:  %u failed sync%s in a row, the last at %s: ", st.failures,
			       st.failures == 1 ? "" : "s", terr);
			pl_term_fputs(stdout, st.last_error);
			putchar('\n');
		}
		if (st.watch_pid && st.next_try) {
			printf("next sync:    %s (sync --watch or serve, process %ld", tnext, st.watch_pid);
			if (st.ceiling > 0)
				printf("; retry %u, backoff up to %.0f s", st.failures, st.ceiling);
			printf(")\n");
		} else if (st.watch_pid) {
			printf("next sync:    now (sync --watch or serve, process %ld)\n", st.watch_pid);
		}
		if (ss.remote_tip[0])
			printf("remote tip:   nodes/%s at %.12s (seq %" PRIu64 ")\n", s.node, ss.remote_tip, ss.pushed);
		printf("records:      %llu\n", (unsigned long long)s.records);
		for (int i = 0; kinds[i] && i < 16; i++)
			if (s.by_kind[i])
				printf("  %-12s %llu\n", kinds[i]->name, (unsigned long long)s.by_kind[i]);
		printf("conflicts:    %zu record%s with an open conflict%s\n", nconf, nconf == 1 ? "" : "s",
		       nconf ? " ('plsync conflicts' lists them)" : "");
		printf("store:        %.1f MiB used of a %.1f MiB map (grows as needed)\n",
		       s.map_used / 1048576.0, s.map_size / 1048576.0);
		rc = EXIT_OK;
	}
	free(name);
	free(remote);
	return rc;
}

const cmd_entry cmd_status_entry = {
	.name = "status",
	.synopsis = "status [--json]",
	.summary = "show the node, counts of ops and records, and the store's size",
	.help =
	"Prints this data dir's node, user, remote, the number of ops in the log and\n"
	"the last local seq, the time of the last change, the ops and local commits not\n"
	"yet pushed, the last successful sync and the remote tip, live records per kind,\n"
	"the number of records with an open conflict (`plsync conflicts` lists them;\n"
	"\"conflicts\" in --json) and the store's size. --json prints the same as\n"
	"canonical JSON.\n"
	"\n"
	"How the syncs go, from <dir>/sync-state (written by every sync): failed syncs\n"
	"in a row and the last error; while `plsync sync --watch` (or serve) runs, the\n"
	"time of its next sync and, after failures, the backoff bound. In --json under\n"
	"\"sync\": last_try, last_ok, failures, last_error, last_error_at, watch_pid,\n"
	"next_try, backoff_ceiling (null when none).\n"
	"\n"
	"Example:\n"
	"  plsync status\n",
	.needs_store = 1,
	.exec = cmd_status,
};
