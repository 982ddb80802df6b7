/*
 * plsync-district — the district office's tool over the district repository.
 *
 *   plsync-district init REPO
 *   plsync-district merge REPO [--rebuild-cache] [--wait=SECS | --no-wait] [--json]
 *   plsync-district status REPO [--json]
 *
 * Only this program prints and exits: 0 ok, 1 failure, 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/sync.h"
#include "plsync/dataset.h"
#include "plsync/findings.h"
#include "plsync/report.h"
#include "plsync/store.h"
#include <unistd.h>

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: plsync-district <command> REPO [options]\n"
	"\n"
	"The district office's tool over the district repository: the bare git\n"
	"repository every school's agent pushes refs/heads/nodes/<node> to.\n"
	"\n"
	"Commands:\n"
	"  init REPO              create the bare district repository (idempotent). It\n"
	"                         refuses non-fast-forward pushes and ref deletions.\n"
	"  merge REPO [--rebuild-cache] [--wait=SECS | --no-wait] [--json]\n"
	"                         verify every node's new ops and consolidate them into\n"
	"                         one merge commit on main: ops/, state/<kind>/../<id>.json,\n"
	"                         conflicts/. A node range that fails verification is\n"
	"                         quarantined (reported, not merged); the others merge.\n"
	"                         --rebuild-cache rebuilds the cache (REPO/plsync-cache)\n"
	"                         from git first; the result is the same. One merge\n"
	"                         runs at a time: a second one waits for it (as long\n"
	"                         as it runs; --wait=SECS at most SECS seconds) or,\n"
	"                         with --no-wait, refuses at once.\n"
	"  status REPO [--json]   per node: last push, pushed and merged seq, lag,\n"
	"                         quarantined range; open conflicts\n"
	"  findings REPO [--year Y] [--today D] [--json]\n"
	"                         policy findings on the consolidated data of every\n"
	"                         school (approvals, the out-of-district limit counted\n"
	"                         across schools, renewal hours, federal funds without a\n"
	"                         plan goal, activities without follow-up, goals without\n"
	"                         outcomes or a measure, missing evaluations)\n"
	"  report REPO --year 2026-2027 [--format html|md|csv|json] [--out FILE] [--today D]\n"
	"                         the annual professional learning report to the board\n"
	"                         over every school's merged data (html: one\n"
	"                         self-contained page with charts; csv: the tables)\n"
	"\n"
	"findings and report read what the last merge consolidated (run merge first).\n"
	"--today (or $PLSYNC_TODAY) fixes the date the findings are computed for.\n"
	"\n"
	"Examples:\n"
	"  plsync-district init /srv/git/plsync.git\n"
	"  plsync-district merge /srv/git/plsync.git\n"
	"  plsync-district status /srv/git/plsync.git --json\n"
	"  plsync-district findings /srv/git/plsync.git --year 2026-2027\n"
	"  plsync-district report /srv/git/plsync.git --year 2026-2027 --out report.html\n"
	"  git -C /srv/git/plsync.git log --first-parent main\n"
	"\n"
	"Exit status: 0 success, 1 failure (for merge: also when a range was\n"
	"quarantined), 2 usage error.\n";

/* A message may quote what a node sent: escaped for the terminal. */
static int fail(void)
{
	fputs("plsync-district: ", stderr);
	pl_term_fputs(stderr, pl_error_last()->message);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "plsync-district: %s\n%s", msg, "(see 'plsync-district --help')\n");
	return EXIT_USAGE;
}

static int cmd_init(int argc, char **argv)
{
	if (argc != 1)
		return usage_error("init takes one REPO path");
	if (pl_district_init(argv[0]))
		return fail();
	printf("district repository ready at %s\n", argv[0]);
	return 0;
}

static int cmd_merge(int argc, char **argv)
{
	pl_merge_options o = PL_MERGE_OPTIONS_INIT;
	pl_merge_result r;
	const char *repo = NULL;
	int as_json = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--rebuild-cache"))
			o.rebuild_cache = 1;
		else if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!strcmp(argv[i], "--no-wait"))
			o.wait_secs = 0;
		else if (!strncmp(argv[i], "--wait=", 7)) {
			char *end;
			long s = strtol(argv[i] + 7, &end, 10);
			if (end == argv[i] + 7 || *end || s < 0 || s > 86400 * 7)
				return usage_error("merge: --wait=SECS takes a number of seconds");
			o.wait_secs = (int)s;
		} else if (argv[i][0] == '-')
			return usage_error("merge: unknown option");
		else if (repo)
			return usage_error("merge takes one REPO path");
		else
			repo = argv[i];
	}
	if (!repo)
		return usage_error("merge: which REPO?");
	if (pl_merge(&r, repo, &o)) {
		pl_merge_result_clear(&r);
		return fail();
	}
	if (r.lock_cleared)
		fprintf(stderr, "plsync-district: removed a stale %s/refs/heads/main.lock (%ld s old, left by a merge "
		        "that died)\n", repo, r.lock_age);
	if (as_json) {
		json_t *j = json_pack("{sb ss ss sI sI sI sb sO sO sO}", "committed", r.committed, "main", r.main,
		                      "tree", r.tree, "ops", (json_int_t)r.ops, "records", (json_int_t)r.records,
		                      "conflicts", (json_int_t)r.conflicts, "cache_rebuilt", r.rebuilt,
		                      "merged", r.merged, "quarantined", r.findings, "reported", r.reported);
		pl_json_write(stdout, j);
		json_decref(j);
	} else {
		if (r.rebuilt)
			printf("cache rebuilt from git\n");
		for (size_t i = 0; i < json_array_size(r.merged); i++) {
			json_t *m = json_array_get(r.merged, i);
			printf("merged nodes/%s seq %" PRIu64 "..%" PRIu64 "\n", json_string_value(json_object_get(m, "node")),
			       (uint64_t)json_integer_value(json_object_get(m, "from")),
			       (uint64_t)json_integer_value(json_object_get(m, "to")));
		}
		for (size_t i = 0; i < json_array_size(r.findings); i++) {
			json_t *f = json_array_get(r.findings, i);
			fprintf(stderr, "plsync-district: quarantined nodes/%s (commit %.12s, seq %" PRIu64 "): ",
			        json_string_value(json_object_get(f, "node")), json_string_value(json_object_get(f, "commit")),
			        (uint64_t)json_integer_value(json_object_get(f, "seq")));
			pl_term_fputs(stderr, json_string_value(json_object_get(f, "reason"))); /* quotes the node's bytes */
			fputc('\n', stderr);
		}
		for (size_t i = 0; i < json_array_size(r.reported); i++) {
			json_t *f = json_array_get(r.reported, i);
			printf("reported nodes/%s seq %" PRIu64 " (op %.12s on ", json_string_value(json_object_get(f, "node")),
			       (uint64_t)json_integer_value(json_object_get(f, "seq")), json_string_value(json_object_get(f, "op")));
			pl_term_fputs(stdout, json_string_value(json_object_get(f, "rec"))); /* the node's bytes */
			fputs("): ", stdout);
			pl_term_fputs(stdout, json_string_value(json_object_get(f, "reason")));
			fputc('\n', stdout);
		}
		if (r.committed)
			printf("main is now %.12s (tree %.12s): %zu ops, %zu records, %zu open conflict%s\n", r.main, r.tree,
			       r.ops, r.records, r.conflicts, r.conflicts == 1 ? "" : "s");
		else
			printf("nothing new to merge; main stays at %.12s\n", r.main[0] ? r.main : "(none)");
	}
	rc = json_array_size(r.findings) ? EXIT_FAIL : 0;
	pl_merge_result_clear(&r);
	return rc;
}

static int cmd_status(int argc, char **argv)
{
	const char *repo = NULL;
	int as_json = 0;
	json_t *st = NULL;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (argv[i][0] == '-')
			return usage_error("status: unknown option");
		else if (repo)
			return usage_error("status takes one REPO path");
		else
			repo = argv[i];
	}
	if (!repo)
		return usage_error("status: which REPO?");
	if (pl_merge_status(&st, repo))
		return fail();
	if (as_json) {
		pl_json_write(stdout, st);
	} else {
		const char *node;
		json_t *n;
		printf("main: %s\n", json_string_value(json_object_get(st, "main"))[0] ?
		       json_string_value(json_object_get(st, "main")) : "(no merge yet)");
		printf("%-12s %-26s %10s %10s %6s  %s\n", "node", "last push", "pushed", "merged", "lag", "quarantine");
		json_object_foreach(json_object_get(st, "nodes"), node, n) {
			json_t *q = json_object_get(n, "quarantined");
			printf("%-12s %-26s %10" PRId64 " %10" PRId64 " %6" PRId64 "  ", node,
			       json_string_value(json_object_get(n, "last_push")),
			       (int64_t)json_integer_value(json_object_get(n, "pushed_seq")),
			       (int64_t)json_integer_value(json_object_get(n, "merged_seq")),
			       (int64_t)json_integer_value(json_object_get(n, "lag")));
			pl_term_fputs(stdout, json_is_object(q) ? json_string_value(json_object_get(q, "reason")) : "-");
			putchar('\n');
		}
		printf("open conflicts: %" PRId64 "\n", (int64_t)json_integer_value(json_object_get(st, "conflicts")));
	}
	json_decref(st);
	return 0;
}

/* Options shared by findings and report: REPO, --year, --today, --json, --format, --out. */
struct dopts {
	const char *repo, *year, *today, *format, *out;
	int         as_json;
};

static int parse_dopts(struct dopts *o, int argc, char **argv, int report)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--year") ? &o->year : !strcmp(a, "--today") ? &o->today :
		                    report && !strcmp(a, "--format") ? &o->format :
		                    report && !strcmp(a, "--out") ? &o->out : NULL;
		if (slot) {
			if (i + 1 >= argc)
				return usage_error("an option needs a value");
			*slot = argv[++i];
		} else if (!report && !strcmp(a, "--json")) {
			o->as_json = 1;
		} else if (a[0] == '-') {
			return usage_error("unknown option");
		} else if (o->repo) {
			return usage_error("give one REPO path");
		} else {
			o->repo = a;
		}
	}
	if (!o->repo)
		return usage_error("which REPO?");
	return 0;
}


/* The consolidated data: every live record merged into main. */
static int load_district(json_t **ds, const char *repo)
{
	pl_store *cache = NULL;
	int rc = pl_merge_cache_open(&cache, repo);
	if (!rc)
		rc = pl_dataset_load(ds, cache);
	pl_store_free(cache);
	return rc;
}

static int cmd_findings(int argc, char **argv)
{
	pl_findings_options fo = PL_FINDINGS_OPTIONS_INIT;
	struct dopts o;
	json_t *ds = NULL, *all = NULL;
	char day[11];
	int rc;

	if ((rc = parse_dopts(&o, argc, argv, 0)))
		return rc;
	fo.year = o.year;
	if (pl_date_today(day, o.today) || load_district(&ds, o.repo) || pl_findings(&all, ds, day, &fo)) {
		json_decref(ds);
		return pl_error_last()->code == PL_EUSAGE ? (fail(), EXIT_USAGE) : fail();
	}
	if (o.as_json) {
		pl_json_write(stdout, all);
	} else {
		for (size_t i = 0; i < json_array_size(all); i++) {
			json_t *f = json_array_get(all, i);
			const char *staff = json_string_value(json_object_get(f, "staff"));
			const char *school = json_string_value(json_object_get(f, "school"));
			/* ids and reasons quote records from every node: escaped for the terminal */
			printf("%s: ", json_string_value(json_object_get(f, "rule")));
			pl_term_fputs(stdout, json_string_value(json_object_get(f, "kind")));
			putchar(' ');
			pl_term_fputs(stdout, json_string_value(json_object_get(f, "record")));
			if (staff || school) {
				fputs(staff ? " (staff " : " (", stdout);
				pl_term_fputs(stdout, staff);
				fputs(staff && school ? ", " : "", stdout);
				fputs(school ? "school " : "", stdout);
				pl_term_fputs(stdout, school);
				putchar(')');
			}
			fputs("\n    ", stdout);
			pl_term_fputs(stdout, json_string_value(json_object_get(f, "why")));
			putchar('\n');
		}
		printf("%zu finding%s as of %s%s%s\n", json_array_size(all), json_array_size(all) == 1 ? "" : "s",
		       day, o.year ? " for " : "", o.year ? o.year : "");
	}
	json_decref(all);
	json_decref(ds);
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	struct dopts o;
	json_t *ds = NULL, *rep = NULL;
	FILE *f = stdout;
	char day[11], tmp[4096];
	int rc;

	if ((rc = parse_dopts(&o, argc, argv, 1)))
		return rc;
	if (!o.year)
		return usage_error("report: --year YYYY-YYYY is required (e.g. --year 2026-2027)");
	if (!o.format)
		o.format = "html";
	if (strcmp(o.format, "html") && strcmp(o.format, "md") && strcmp(o.format, "csv") && strcmp(o.format, "json"))
		return usage_error("report: --format is html, md, csv or json");
	if (pl_date_today(day, o.today) || load_district(&ds, o.repo) || pl_report_build(&rep, ds, o.year, day, NULL)) {
		json_decref(ds);
		return fail();
	}
	if (o.out) {
		/* written beside the target and renamed: never half a report */
		snprintf(tmp, sizeof(tmp), "%s.tmp%ld", o.out, (long)getpid());
		if (!(f = fopen(tmp, "w"))) {
			pl_error_from_errno(tmp);
			rc = fail();
			goto done;
		}
	}
	if (pl_report_write(f, rep, o.format)) {
		rc = fail();
		if (o.out) {
			fclose(f);
			unlink(tmp);
		}
		goto done;
	}
	if (o.out) {
		if (fclose(f) || rename(tmp, o.out)) {
			pl_error_from_errno(o.out);
			unlink(tmp);
			rc = fail();
			goto done;
		}
		fprintf(stderr, "plsync-district: wrote the %s report for %s to %s\n", o.format, o.year, o.out);
	}
done:
	json_decref(rep);
	json_decref(ds);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "init", cmd_init }, { "merge", cmd_merge }, { "status", cmd_status },
	{ "findings", cmd_findings }, { "report", cmd_report },
};

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		for (int a = 2; a < argc; a++)
			if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
				fputs(usage_text, stdout);
				return 0;
			}
		pl_init();
		rc = commands[i].fn(argc - 2, argv + 2);
		pl_shutdown();
		return rc;
	}
	fprintf(stderr, "plsync-district: '%s' is not a command; see 'plsync-district --help'\n", argv[1]);
	return EXIT_USAGE;
}
