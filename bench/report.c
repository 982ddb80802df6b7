/*
 * report.c — district reports over a big store (issue 17, goal 7: findings
 * and the annual report over 1M records in <= 5 s and <= 512 MiB).
 *
 * A store of N pd_entry records (default 200,000: findings and the report
 * hold the whole data set as JSON in memory, ~7 KiB a record, so 1M needs
 * some 7 GiB on a machine others share; --records 1000000 measures it)
 * over S staff in ten
 * schools, seven school years of completed PD, nine in ten with both
 * approvals (the tenth is an approval_missing finding), built by a child
 * process without fsync (not measured). Then the plsync program itself, a
 * child each with standard output on /dev/null: `findings --json`, the
 * annual report for the board and for the coordinator (HTML). Wall time
 * and peak RSS (ru_maxrss from wait4, the map's touched pages included)
 * of each, beside the goal and a reference: the time the
 * same program takes for `ls pd_entry --json` (every record read once and
 * printed). Timings are printed, never asserted.
 *
 *   build/bench/report [--records N] [--staff S]
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "plsync/plsync.h"

#define BENCH_NAME "bench/report"
#include "bench.h"

#define NODE    "BENCH"
#define ACTOR   "Bench Runner <bench@example.org>"
#define CHUNK   100000
#define SCHOOLS 10

/* ---- the store ---- */

struct build {
	size_t from, to, staff;
};

static int schools_staff_fn(pl_write *w, void *payload)
{
	const struct build *b = payload;
	int rc = 0;

	pl_write_defer_refs(w); /* staff name their supervisors, made in this write */
	for (int s = 0; s < SCHOOLS && rc == 0; s++) {
		char id[16], name[32];
		json_t *f;
		snprintf(id, sizeof(id), "SCH%02d", s);
		snprintf(name, sizeof(name), "School %d", s);
		f = json_pack("{ss ss ss}", "code", id, "name", name, "level", s < 6 ? "elementary" : "high");
		pl_change c = { PL_CHANGE_CREATE, "school", id, f, NULL, NULL };
		rc = f ? pl_write_change(w, &c, NULL) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(f);
	}
	for (size_t i = 0; i < b->staff && rc == 0; i++) {
		char id[16], name[32], school[16];
		json_t *f;
		snprintf(id, sizeof(id), "E%05zu", i);
		snprintf(name, sizeof(name), "Teacher %zu", i);
		snprintf(school, sizeof(school), "SCH%02zu", i % SCHOOLS);
		f = json_pack("{ss ss ss ss ss}", "name", name, "category", "certified", "school", school,
		              "supervisor", "E00000", "budget_manager", "E00001");
		pl_change c = { PL_CHANGE_CREATE, "staff", id, f, NULL, NULL };
		rc = f ? pl_write_change(w, &c, NULL) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(f);
	}
	return rc;
}

static int entries_fn(pl_write *w, void *payload)
{
	const struct build *b = payload;
	static const char *const types[] = { "workshop", "conference", "course", "coaching", "seminar" };
	static const char *const stds[] = { "learning_designs", "implementation", "data", "resources" };
	int rc = 0;

	for (size_t i = b->from; i < b->to && rc == 0; i++) {
		char staff[16], title[64], start[16], at[32];
		int y = 2019 + (int)(i % 7), m = 1 + (int)(i / 7 % 12), d = 2 + (int)(i / 84 % 27);
		json_t *f;
		snprintf(staff, sizeof(staff), "E%05zu", i % b->staff);
		snprintf(title, sizeof(title), "Reading workshop %zu", i + 1);
		snprintf(start, sizeof(start), "%04d-%02d-%02d", y, m, d);
		snprintf(at, sizeof(at), "%04d-%02d-01T08:00:00Z", y, m);
		f = json_pack("{ss ss ss ss sf si ss s[s] ss ss}", "staff", staff, "title", title,
		              "type", types[i % 5], "start", start, "hours", 1.0 + (double)(i % 12) / 2,
		              "cost_cents", (int)(i % 5) * 2500, "funding", i % 3 ? "local" : "state",
		              "standards", stds[i % 4], "location", i % 4 ? "in_district" : "out_of_district",
		              "status", "completed");
		if (f && i % 10)
			json_object_set_new(f, "approvals", json_pack("{s{ss ss} s{ss ss}}",
			                    "supervisor", "by", "E00000", "at", at, "budget", "by", "E00001", "at", at));
		pl_change c = { PL_CHANGE_CREATE, "pd_entry", NULL, f, NULL, NULL };
		rc = f ? pl_write_change(w, &c, NULL) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(f);
	}
	return rc;
}

static int make_store(const char *dir, size_t n, size_t nstaff)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	struct build b = { 0, 0, nstaff };
	int rc;

	o.no_sync = 1; /* building the store is not what is measured */
	if ((rc = pl_store_create(dir, NODE, NULL)) || (rc = pl_store_open(&st, dir, &o)))
		return rc;
	rc = pl_store_write(st, ACTOR, schools_staff_fn, &b);
	for (size_t from = 0; rc == 0 && from < n; from += CHUNK) {
		b.from = from;
		b.to = from + CHUNK < n ? from + CHUNK : n;
		if (!(rc = pl_store_reserve(st, (b.to - b.from) * 200 * 12)))
			rc = pl_store_write(st, ACTOR, entries_fn, &b);
	}
	pl_store_free(st);
	return rc;
}

/* ---- measured children ---- */

typedef struct measure {
	double secs;
	long   maxrss_kib;
	int    ok;
} measure;

static void run_plsync(measure *m, const char *plsync, const char *dir, const char *const *args)
{
	const char *argv[16];
	struct rusage ru;
	int n = 0, status = 0;
	double t0;
	pid_t pid;

	memset(m, 0, sizeof(*m));
	argv[n++] = plsync;
	argv[n++] = "--dir";
	argv[n++] = dir;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(stdout);
	t0 = now();
	if ((pid = fork()) == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execv(plsync, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		return;
	m->secs = now() - t0;
	m->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	m->maxrss_kib = ru.ru_maxrss;
}

static void usage(void)
{
	fprintf(stderr, "usage: build/bench/report [--records N] [--staff S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t n = 200000, nstaff = 5000;
	const char *tmp = getenv("TMPDIR");
	char plsync[4096], self[4096], *dir;
	double t0;
	int status = 0;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		char *end;
		size_t *dst;
		if (!strcmp(argv[i], "--records"))
			dst = &n;
		else if (!strcmp(argv[i], "--staff"))
			dst = &nstaff;
		else
			usage();
		if (++i == argc)
			usage();
		errno = 0;
		*dst = strtoull(argv[i], &end, 10);
		if (errno || *end || argv[i][0] == '-')
			usage();
	}
	if (nstaff < 2)
		usage();
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(plsync, sizeof(plsync), "%s/../bin/plsync", dirname(self));
	if (access(plsync, X_OK)) {
		fprintf(stderr, "bench/report: no program %s (run make)\n", plsync);
		return 1;
	}
	if (pl_init())
		return 1;
	snprintf(bench_root, sizeof(bench_root), "%s/plsync-bench-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(bench_root)) {
		perror("bench/report: mkdtemp");
		return 1;
	}
	if (asprintf(&dir, "%s/lin", bench_root) < 0)
		return 1;
	printf("plsync bench/report: %zu pd_entry records, %zu staff, %d schools, in %s\n", n, nstaff, SCHOOLS,
	       bench_root);
	print_load("at start");
	t0 = now();
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (make_store(dir, n, nstaff)) {
			fprintf(stderr, "bench/report: building the store: %s\n", pl_error_last()->message);
			_exit(1);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		remove_root();
		return 1;
	}
	printf("  the store: built in %.1f s (not measured: no fsync)\n", now() - t0);
	{
		static const char *const ls[] = { "ls", "pd_entry", "--json", NULL };
		static const char *const findings[] = { "findings", "--json", NULL };
		static const char *const board[] = { "report", "--year", "2024-2025", "--format", "html", NULL };
		static const char *const coord[] = { "report", "--year", "2024-2025", "--for", "coordinator",
		                                     "--format", "html", NULL };
		static const struct { const char *label; const char *const *args; const char *goal; } cmds[] = {
			{ "ls pd_entry --json (reference)", ls, "" },
			{ "findings --json", findings, "5 s, 512 MiB" },
			{ "report 2024-2025, board", board, "5 s, 512 MiB" },
			{ "report 2024-2025, coordinator", coord, "5 s, 512 MiB" },
		};
		printf("\n  %-34s %8s %10s %10s  %s\n", "to /dev/null", "secs", "records/s", "RSS MiB", "goal (<=)");
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			measure m;
			run_plsync(&m, plsync, dir, cmds[i].args);
			printf("  %-34s %8.2f %10.0f %10.1f  %s%s\n", cmds[i].label, m.secs,
			       m.secs > 0 ? (double)n / m.secs : 0, m.maxrss_kib / 1024.0, cmds[i].goal,
			       m.ok ? "" : "  (FAILED)");
		}
	}
	printf("  (secs: wall time of the plsync process; RSS: its ru_maxrss, the map's touched pages\n"
	       "   included; the reference reads and prints every record once)\n");
	print_load("at end");
	free(dir);
	remove_root();
	pl_shutdown();
	return 0;
}
