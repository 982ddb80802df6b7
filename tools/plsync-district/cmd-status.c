/*
 * cmd-status.c — `plsync-district status`: per node, its last push, the
 * seq pushed and merged, the lag and any quarantined range; the open
 * conflicts (pl_merge_status).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/*
 * Each node's health into st (nodes.N.push_age_seconds, nodes.N.health) and
 * the district's (st.health, returned): a node is CRITICAL with a range in
 * quarantine or when its last push is older than --crit, WARNING when
 * older than --warn; the district is its worst node (UNKNOWN with no node).
 * The reason names the worst nodes.
 */
static int health(json_t *st, const cli_check *ck, int64_t now)
{
	const char *node;
	json_t *n;
	char why[1024] = "", a[32];
	int worst = -1, count = 0, bad = 0;

	json_object_foreach(json_object_get(st, "nodes"), node, n) {
		int64_t t = cli_time_parse(json_string_value(json_object_get(n, "last_push")));
		int64_t age = t ? now - t : -1;
		int state = t ? cli_check_age(ck, age) : CLI_CRITICAL;
		int quarantined = json_is_object(json_object_get(n, "quarantined"));

		if (quarantined)
			state = CLI_CRITICAL;
		json_object_set_new(n, "push_age_seconds", json_integer(age));
		json_object_set_new(n, "health", json_string(cli_check_name(state)));
		count++;
		if (state > worst) {
			worst = state;
			why[0] = '\0';
			bad = 0;
		}
		if (state == worst && state != CLI_OK) {
			size_t len = strlen(why);
			cli_age_text(a, sizeof(a), age);
			if (bad++ < 5 && quarantined)
				snprintf(why + len, sizeof(why) - len, "%s%s has a range in quarantine", len ? ", " : "", node);
			else if (bad <= 5 && !t)
				snprintf(why + len, sizeof(why) - len, "%s%s: its last push has no time", len ? ", " : "", node);
			else if (bad <= 5)
				snprintf(why + len, sizeof(why) - len, "%s%s last pushed %s ago", len ? ", " : "", node, a);
		}
	}
	if (worst < 0) {
		worst = CLI_UNKNOWN;
		snprintf(why, sizeof(why), "no node pushed yet");
	} else if (worst == CLI_OK) {
		snprintf(why, sizeof(why), "%d node%s pushed within %ds", count, count == 1 ? "" : "s", ck->warn);
	} else if (bad > 5) {
		size_t len = strlen(why);
		snprintf(why + len, sizeof(why) - len, " and %d more", bad - 5);
	}
	json_object_set_new(st, "health", json_pack("{ss si ss si si}", "state", cli_check_name(worst), "code", worst,
	                    "reason", why, "warn_seconds", ck->warn, "crit_seconds", ck->crit));
	return worst;
}

static void prometheus(const json_t *st)
{
	const char *node;
	json_t *n;

	printf("# HELP plsync_district_up The district's health: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN "
	       "(as status --check)\n# TYPE plsync_district_up gauge\nplsync_district_up %" PRId64 "\n",
	       num(json_object_get(st, "health"), "code"));
	printf("# HELP plsync_district_conflicts Open conflicts in main\n# TYPE plsync_district_conflicts gauge\n"
	       "plsync_district_conflicts %" PRId64 "\n", num(st, "conflicts"));
	printf("# HELP plsync_district_node_last_push_timestamp_seconds When the node last pushed\n"
	       "# TYPE plsync_district_node_last_push_timestamp_seconds gauge\n");
	json_object_foreach(json_object_get(st, "nodes"), node, n)
		printf("plsync_district_node_last_push_timestamp_seconds{node=\"%s\"} %" PRId64 "\n", node,
		       cli_time_parse(json_string_value(json_object_get(n, "last_push"))));
	printf("# HELP plsync_district_node_lag_ops Ops the node pushed and main does not hold yet\n"
	       "# TYPE plsync_district_node_lag_ops gauge\n");
	json_object_foreach(json_object_get(st, "nodes"), node, n)
		printf("plsync_district_node_lag_ops{node=\"%s\"} %" PRId64 "\n", node, num(n, "lag"));
	printf("# HELP plsync_district_node_quarantined 1 if a range of the node's ops is in quarantine\n"
	       "# TYPE plsync_district_node_quarantined gauge\n");
	json_object_foreach(json_object_get(st, "nodes"), node, n)
		printf("plsync_district_node_quarantined{node=\"%s\"} %d\n", node,
		       json_is_object(json_object_get(n, "quarantined")));
}

static int cmd_status(cli *c, int argc, char **argv)
{
	const char *repo, *warn = NULL, *crit = NULL;
	int as_json = 0, check = 0, prom = 0, rc, state;
	opt_spec specs[] = {
		{ "json", 0, NULL, &as_json }, { "check", 0, NULL, &check }, { "prometheus", 0, NULL, &prom },
		{ "warn", 1, &warn, NULL }, { "crit", 1, &crit, NULL }, { NULL, 0, NULL, NULL }
	};
	json_t *st = NULL;
	cli_check ck;

	if ((rc = district_args(&cmd_status_entry, argc, argv, specs, &repo)))
		return rc;
	if ((rc = cli_check_args(&cmd_status_entry, &ck, warn, crit)))
		return rc;
	if (check + prom + as_json > 1)
		return cli_usage(&cmd_status_entry, "one of --json, --check and --prometheus");
	if (pl_merge_status(&st, repo)) {
		if (check) {
			char msg[PL_ERROR_MSG_MAX + PL_HINT_ARG_MAX + 256];
			printf("PLSYNC-DISTRICT UNKNOWN - %s\n", cli_error_text(msg, sizeof(msg)));
			return CLI_UNKNOWN;
		}
		return cli_fail_code(EXIT_FAIL);
	}
	state = health(st, &ck, (int64_t)time(NULL));
	rc = EXIT_OK;
	if (check) {
		printf("PLSYNC-DISTRICT %s - ", cli_check_name(state));
		pl_term_fputs(stdout, json_string_value(json_object_get(json_object_get(st, "health"), "reason")));
		printf(" | nodes=%zu conflicts=%" PRId64 "\n", json_object_size(json_object_get(st, "nodes")),
		       num(st, "conflicts"));
		rc = state;
	} else if (prom) {
		prometheus(st);
	} else if (as_json) {
		rc = pl_json_write(stdout, st) ? cli_fail_code(EXIT_FAIL) : EXIT_OK;
	} else {
		print_text(st);
	}
	json_decref(st);
	return rc;
}

const cmd_entry cmd_status_entry = {
	.name = "status",
	.synopsis = "status REPO [--json | --check [--warn DUR] [--crit DUR] | --prometheus]",
	.summary = "per node: last push, pushed and merged seq, lag, quarantine",
	.help =
	"Shows main's commit and, for every node that pushed, its last push, the\n"
	"seq it pushed and the seq merged into main, the lag between them and the\n"
	"range quarantined (with the reason), if any; then the open conflicts.\n"
	"\n"
	"For a monitor, each node's health and the district's (its worst node's):\n"
	"CRITICAL when a node has a range in quarantine or last pushed longer ago\n"
	"than --crit (default 3d), WARNING when longer ago than --warn (default 1d),\n"
	"UNKNOWN when no node pushed yet; else OK.\n"
	"\n"
	"Options:\n"
	"  --json          the same as a JSON object: main, nodes (each with\n"
	"                  push_age_seconds and health), conflicts, health (state,\n"
	"                  code, reason, warn_seconds, crit_seconds)\n"
	"  --check         one line for Nagios/Icinga and the exit status 0 OK,\n"
	"                  1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	"  --warn DUR      --check's WARNING age of a node's last push (seconds, or a\n"
	"                  number with s, m, h or d)\n"
	"  --crit DUR      --check's CRITICAL age\n"
	"  --prometheus    the figures in the Prometheus text format; exit 0\n"
	"\n"
	"Examples:\n"
	"  plsync-district status /srv/git/plsync.git --json\n"
	"  plsync-district status /srv/git/plsync.git --check --warn 2d --crit 7d\n",
	.exec = cmd_status,
};
