/*
 * cmd-status.c — `plsync status`: what this data dir holds, and how its
 * syncs go (<dir>/sync-state, sync-state.c: last try, last success, last
 * error, failures in a row; while `sync --watch` or serve runs, the next try).
 */
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent.h"
#include "sync-loop.h"

static json_t *time_or_null(int64_t t)
{
	char buf[32];

	sync_state_time(buf, sizeof(buf), t);
	return buf[0] ? json_string(buf) : json_null();
}

/*
 * The health of the syncs, for a monitor: CRITICAL if the last success is
 * older than --crit (or there never was one but syncs failed), WARNING if
 * older than --warn or the last sync failed, UNKNOWN without a remote or
 * with no sync tried yet; else OK. The reason into buf; *age the seconds
 * since the last success (-1 for none).
 */
static int health(char *buf, size_t sz, int64_t *age, const cli_check *ck, const sync_state *st,
                  const char *remote, int64_t now)
{
	char a[32];
	int state;

	*age = st->last_ok ? now - st->last_ok : -1;
	if (!remote) {
		snprintf(buf, sz, "no remote.url set: this data dir never syncs");
		return CLI_UNKNOWN;
	}
	if (!st->last_ok) {
		if (!st->failures) {
			snprintf(buf, sz, "no sync tried yet");
			return CLI_UNKNOWN;
		}
		snprintf(buf, sz, "never synced; %u failed sync%s in a row, the last: %s", st->failures,
		         st->failures == 1 ? "" : "s", st->last_error);
		return CLI_CRITICAL;
	}
	cli_age_text(a, sizeof(a), *age);
	state = cli_check_age(ck, *age);
	if (st->failures && st->last_error_at >= st->last_ok) {
		snprintf(buf, sz, "last success %s ago; %u failed sync%s since, the last: %s", a, st->failures,
		         st->failures == 1 ? "" : "s", st->last_error);
		return state > CLI_WARNING ? state : CLI_WARNING;
	}
	snprintf(buf, sz, "last success %s ago", a);
	return state;
}

/* The Prometheus text exposition format, for node_exporter's textfile
 * collector (node codes are [A-Z0-9_-]: nothing to escape in a label). */
static void prometheus(const char *node, const sync_state *st, int state, uint64_t unpushed, size_t nconf,
                       uint64_t records)
{
	static const struct { const char *name, *help; } m[] = {
		{ "plsync_up", "The health of the syncs: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (as status --check)" },
		{ "plsync_last_success_timestamp_seconds", "When the last successful sync ended (0: never)" },
		{ "plsync_last_try_timestamp_seconds", "When the last sync was tried (0: never)" },
		{ "plsync_last_error_timestamp_seconds", "When the last sync failed (0: never)" },
		{ "plsync_consecutive_failures", "Failed syncs in a row since the last success" },
		{ "plsync_unpushed_ops", "Ops recorded here and not yet pushed to the district" },
		{ "plsync_conflicts", "Records with an open conflict" },
		{ "plsync_records", "Live records in the store" },
	};
	const double v[] = { state, (double)st->last_ok, (double)st->last_try, (double)st->last_error_at,
	                     st->failures, (double)unpushed, (double)nconf, (double)records };

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		printf("# HELP %s %s\n# TYPE %s gauge\n%s{node=\"%s\"} %.0f\n", m[i].name, m[i].help, m[i].name,
		       m[i].name, node, v[i]);
}

static int cmd_status(cli *c, int argc, char **argv)
{
	int as_json = 0, check = 0, prom = 0, npos, rc, state;
	const char *warn = NULL, *crit = NULL;
	opt_spec specs[] = {
		{ "json", 0, NULL, &as_json }, { "check", 0, NULL, &check }, { "prometheus", 0, NULL, &prom },
		{ "warn", 1, &warn, NULL }, { "crit", 1, &crit, NULL }, { NULL, 0, NULL, NULL }
	};
	cli_check ck;
	char why[1024];
	int64_t age;
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
	if ((rc = cli_check_args(&cmd_status_entry, &ck, warn, crit)))
		return rc;
	if (check + prom + as_json > 1)
		return cli_usage(&cmd_status_entry, "one of --json, --check and --prometheus");
	/* opened here, not by main: a check that cannot open the store is UNKNOWN (3), not a failure */
	if (pl_store_open(&c->store, c->dir, NULL)) {
		if (check) {
			char msg[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256];
			printf("PLSYNC UNKNOWN - %s\n", cli_error_text(msg, sizeof(msg)));
			return CLI_UNKNOWN;
		}
		return cli_fail(c);
	}
	config_actor(c->actor, sizeof(c->actor), c->dir);
	if (pl_store_stats_get(&s, c->store) || pl_store_conflict_count(&nconf, c->store))
		return cli_fail(c);
	if (sync_state_read(&st, c->dir)) { /* a damaged state file: said, and status goes on */
		if (check) {
			char msg[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256];
			printf("PLSYNC UNKNOWN - %s\n", cli_error_text(msg, sizeof(msg)));
			return CLI_UNKNOWN;
		}
		cli_fail(c);
	}
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
	state = health(why, sizeof(why), &age, &ck, &st, remote, (int64_t)time(NULL));
	if (check) {
		printf("PLSYNC %s - %s: ", cli_check_name(state), s.node);
		pl_term_fputs(stdout, why);
		if (age < 0)
			printf(" | age=U;%d;%d", ck.warn, ck.crit);
		else
			printf(" | age=%llds;%d;%d", (long long)age, ck.warn, ck.crit);
		printf(" failures=%u unpushed=%" PRIu64 " conflicts=%zu\n", st.failures, s.seq - ss.pushed, nconf);
		rc = state;
	} else if (prom) {
		prometheus(s.node, &st, state, s.seq - ss.pushed, nconf, s.records);
		rc = EXIT_OK;
	} else if (as_json) {
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
		json_object_set_new(o, "health", json_pack("{ss si ss sI si si}", "state", cli_check_name(state),
		                    "code", state, "reason", why, "age_seconds", (json_int_t)age,
		                    "warn_seconds", ck.warn, "crit_seconds", ck.crit));
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
	.synopsis = "status [--json | --check [--warn DUR] [--crit DUR] | --prometheus]",
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
	"For a monitor, the health of the syncs: CRITICAL when the last successful\n"
	"sync is older than --crit (default 3d), or there never was one and syncs\n"
	"failed; WARNING when older than --warn (default 1d) or when the last sync\n"
	"failed; UNKNOWN without remote.url or before any sync; else OK. In --json\n"
	"under \"health\": state, code, reason, age_seconds (-1: never), warn_seconds,\n"
	"crit_seconds.\n"
	"\n"
	"Options:\n"
	"  --json          everything above as canonical JSON\n"
	"  --check         one line for Nagios/Icinga (\"PLSYNC OK - ...\" with perfdata)\n"
	"                  and the exit status 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	"  --warn DUR      --check's WARNING age (seconds, or a number with s, m, h, d)\n"
	"  --crit DUR      --check's CRITICAL age\n"
	"  --prometheus    the same figures in the Prometheus text format (for\n"
	"                  node_exporter's textfile collector); exit 0\n"
	"\n"
	"Examples:\n"
	"  plsync status\n"
	"  plsync status --check --warn 12h --crit 2d\n"
	"  plsync status --prometheus > /var/lib/node_exporter/textfile/plsync.prom.$$ &&\n"
	"    mv /var/lib/node_exporter/textfile/plsync.prom.$$ /var/lib/node_exporter/textfile/plsync.prom\n",
	.exec = cmd_status,
};
