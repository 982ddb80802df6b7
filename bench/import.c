/*
 * import.c — small writes stay small (issue 17, goal 4): a 1,000-row
 * import into a store of 100k and of 1M records, beside the same import
 * into an empty store, in the same run.
 *
 * Each store holds a school, S staff and N pd_entry records (the entries
 * spread over the staff, as a district's are); it is built by a child
 * process without fsync (not measured). The import is the library's, as
 * `plsync import` runs it: open the store, pl_import_parse (read, check,
 * match each row by id or natural key) and pl_import_commit (one durable
 * transaction), each in its own child process so that its time and peak
 * RSS (ru_maxrss from wait4) are its own; RssAnon (heap, not the map) is
 * read at the end of the commit. The stores take turns over ROUNDS rounds,
 * each round a new file of new rows (so every row is new, every natural
 * key looked up and missed). Timings are printed, never asserted.
 *
 *   build/bench/import [--rows R] [--staff S] [--sizes N,N,...]
 *   (defaults: 1000 rows, 5000 staff, sizes 0,100000,1000000)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "plsync/plsync.h"
#include "plsync/import.h"

#define BENCH_NAME "bench/import"
#include "bench.h"

#define NODE    "BENCH"
#define ACTOR   "Bench Runner <bench@example.org>"
#define CHUNK   100000
#define ROUNDS  3
#define NSIZES  8

/* ---- the stores ---- */

struct build {
	size_t from, to, staff;
};

static int staff_fn(pl_write *w, void *payload)
{
	const struct build *b = payload;
	int rc = 0;

	for (size_t i = 0; i < b->staff && rc == 0; i++) {
		char id[16], name[32], mail[48];
		json_t *f;
		snprintf(id, sizeof(id), "E%05zu", i);
		snprintf(name, sizeof(name), "Teacher %zu", i);
		snprintf(mail, sizeof(mail), "t%zu@example.org", i);
		f = json_pack("{ss ss ss ss}", "name", name, "category", "certified", "school", NODE, "email", mail);
		pl_change c = { PL_CHANGE_CREATE, "staff", id, f, NULL, NULL };
		rc = f ? pl_write_change(w, &c, NULL) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(f);
	}
	return rc;
}

static int entries_fn(pl_write *w, void *payload)
{
	const struct build *b = payload;
	int rc = 0;

	for (size_t i = b->from; i < b->to && rc == 0; i++) {
		char staff[16], title[64], start[16];
		json_t *f;
		snprintf(staff, sizeof(staff), "E%05zu", i % b->staff);
		snprintf(title, sizeof(title), "Reading workshop %zu", i + 1);
		snprintf(start, sizeof(start), "20%02zu-%02zu-%02zu", 19 + i % 7, 1 + i % 12, 1 + i % 28);
		f = json_pack("{ss ss ss ss sf si ss}", "staff", staff, "title", title, "type", "workshop",
		              "start", start, "hours", 6.5, "cost_cents", 12000, "status", "completed");
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
	json_t *f;
	int rc;

	o.no_sync = 1; /* building the store is not what is measured */
	if ((rc = pl_store_create(dir, NODE, NULL)) || (rc = pl_store_open(&st, dir, &o)))
		return rc;
	f = json_pack("{ss ss ss}", "code", NODE, "name", "Bench Elementary", "level", "elementary");
	pl_change school = { PL_CHANGE_CREATE, "school", NODE, f, NULL, NULL };
	rc = pl_store_change(st, ACTOR, &school, NULL);
	json_decref(f);
	if (!rc)
		rc = pl_store_write(st, ACTOR, staff_fn, &b);
	for (size_t from = 0; rc == 0 && from < n; from += CHUNK) {
		b.from = from;
		b.to = from + CHUNK < n ? from + CHUNK : n;
		if (!(rc = pl_store_reserve(st, (b.to - b.from) * 150 * 12)))
			rc = pl_store_write(st, ACTOR, entries_fn, &b);
	}
	pl_store_free(st);
	return rc;
}

/* ---- the measured import ---- */

typedef struct result {
	int    rc;
	double secs;
	double parse_secs;   /* of secs: open + parse (reading, checking, matching) */
	size_t created;
	long   anon_kib;     /* RssAnon at the end of the commit */
	char   err[PL_ERROR_MSG_MAX + 64];
} result;

typedef struct measure {
	result res;
	long   maxrss_kib;
} measure;

static long rss_anon_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static char *csv_file(size_t rows, size_t nstaff, int round)
{
	size_t cap = 64 + rows * 128, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	len += (size_t)snprintf(s + len, cap - len, "staff,title,type,start,hours,status\n");
	for (size_t i = 0; i < rows; i++)
		/* new rows: 50 staff (a school's), titles no store holds */
		len += (size_t)snprintf(s + len, cap - len, "E%05zu,Round %d session %zu,workshop,2025-10-%02zu,2,completed\n",
		                        (i * 97) % (nstaff < 50 ? nstaff : 50), round, i + 1, 1 + i % 28);
	return s;
}

static void do_import(result *r, const char *dir, size_t rows, size_t nstaff, int round)
{
	pl_store *st = NULL;
	pl_import *im = NULL;
	char first[PL_ID_MAX + 1], last[PL_ID_MAX + 1];
	char *data = csv_file(rows, nstaff, round);
	double t0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!data) {
		r->rc = -1;
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	t0 = now();
	if ((rc = pl_store_open(&st, dir, NULL)) || (rc = pl_import_new(&im, "pd_entry", "bench.csv", NULL)) ||
	    (rc = pl_import_parse(im, st, data, strlen(data))))
		goto out;
	r->parse_secs = now() - t0;
	if (pl_import_error_count(im)) {
		const pl_import_error *e = pl_import_error_get(im, 0);
		rc = -1;
		snprintf(r->err, sizeof(r->err), "line %zu: %s", e->line, e->message);
		goto done;
	}
	if ((rc = pl_import_commit(im, st, ACTOR, NULL, first, last)))
		goto out;
	r->secs = now() - t0;
	r->created = pl_import_count(im, PL_IMPORT_NEW);
	r->anon_kib = rss_anon_kib();
out:
	if (rc && !r->err[0])
		snprintf(r->err, sizeof(r->err), "%s", pl_error_last()->message);
done:
	r->rc = rc;
	pl_import_free(im);
	pl_store_free(st);
	free(data);
}

static int run_import(measure *m, const char *dir, size_t rows, size_t nstaff, int round)
{
	struct rusage ru;
	int fds[2], status = 0;
	pid_t pid;

	memset(m, 0, sizeof(*m));
	fflush(stdout);
	if (pipe(fds) || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		result r;
		close(fds[0]);
		do_import(&r, dir, rows, nstaff, round);
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &m->res, sizeof(m->res)) != (ssize_t)sizeof(m->res))
		m->res.rc = -1;
	close(fds[0]);
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		m->res.rc = -1;
	m->maxrss_kib = ru.ru_maxrss;
	if (m->res.rc) {
		fprintf(stderr, "bench/import: the import failed: %s\n", m->res.err);
		return -1;
	}
	return 0;
}

static int build_child(const char *dir, size_t n, size_t nstaff)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (make_store(dir, n, nstaff)) {
			fprintf(stderr, "bench/import: building the store: %s\n", pl_error_last()->message);
			_exit(1);
		}
		_exit(0);
	}
	return pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: build/bench/import [--rows R] [--staff S] [--sizes N,N,...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t rows = 1000, nstaff = 5000, sizes[NSIZES] = { 0, 100000, 1000000 }, nsizes = 3;
	const char *tmp = getenv("TMPDIR");
	char *dirs[NSIZES] = { NULL };
	double secs[NSIZES] = { 0 }, best[NSIZES] = { 0 }, parse[NSIZES] = { 0 };
	long rss[NSIZES] = { 0 }, anon[NSIZES] = { 0 };

	for (int i = 1; i < argc; i++) {
		char *end;
		if (i + 1 == argc)
			usage();
		errno = 0;
		if (!strcmp(argv[i], "--rows")) {
			rows = strtoull(argv[++i], &end, 10);
		} else if (!strcmp(argv[i], "--staff")) {
			nstaff = strtoull(argv[++i], &end, 10);
		} else if (!strcmp(argv[i], "--sizes")) {
			char *p = argv[++i];
			nsizes = 0;
			do {
				if (nsizes == NSIZES)
					usage();
				sizes[nsizes++] = strtoull(p, &end, 10);
				p = end + 1;
			} while (*end == ',');
		} else {
			usage();
		}
		if (errno || *end || argv[i][0] == '-')
			usage();
	}
	if (!nstaff || !nsizes)
		usage();
	if (pl_init())
		return 1;
	snprintf(bench_root, sizeof(bench_root), "%s/plsync-bench-import-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(bench_root)) {
		perror("bench/import: mkdtemp");
		return 1;
	}
	printf("plsync bench/import: %zu-row imports (new pd_entry rows, 50 staff) into stores of", rows);
	for (size_t s = 0; s < nsizes; s++)
		printf(" %zu", sizes[s]);
	printf(" records (%zu staff), %d rounds taking turns, in %s\n", nstaff, ROUNDS, bench_root);
	print_load("at start");
	for (size_t s = 0; s < nsizes; s++) {
		double t0 = now();
		if (asprintf(&dirs[s], "%s/s%zu", bench_root, s) < 0 || build_child(dirs[s], sizes[s], nstaff)) {
			remove_root();
			return 1;
		}
		printf("  store of %zu records built in %.1f s (not measured)\n", sizes[s], now() - t0);
	}
	for (int r = 0; r < ROUNDS; r++)
		for (size_t s = 0; s < nsizes; s++) {
			measure m;
			if (run_import(&m, dirs[s], rows, nstaff, r)) {
				remove_root();
				return 1;
			}
			if (m.res.created != rows)
				fprintf(stderr, "bench/import: %zu rows created of %zu\n", m.res.created, rows);
			secs[s] += m.res.secs;
			parse[s] += m.res.parse_secs;
			if (!r || m.res.secs < best[s])
				best[s] = m.res.secs;
			if (m.maxrss_kib > rss[s])
				rss[s] = m.maxrss_kib;
			if (m.res.anon_kib > anon[s])
				anon[s] = m.res.anon_kib;
		}
	printf("\n  %-16s %10s %10s %10s %8s %8s %10s %10s\n", "store records", "mean ms", "parse ms", "best ms",
	       "ratio", "goal", "RSS MiB", "heap MiB");
	for (size_t s = 0; s < nsizes; s++)
		printf("  %-16zu %10.1f %10.1f %10.1f %8.2f %8s %10.1f %10.1f\n", sizes[s], 1e3 * secs[s] / ROUNDS,
		       1e3 * parse[s] / ROUNDS, 1e3 * best[s], secs[0] > 0 ? secs[s] / secs[0] : 0, s ? "<= 1.5" : "",
		       rss[s] / 1024.0, anon[s] / 1024.0);
	printf("  (ms: open + parse + commit, one durable transaction, and of it the parse (read,\n"
	       "   check, match by natural key); ratio: mean time / the first\n"
	       "   store's; RSS: ru_maxrss of the import's process, map pages included; heap: its RssAnon\n"
	       "   at the end of the commit, the memory beyond the map; goal: heap <= 64 MiB)\n");
	print_load("at end");
	for (size_t s = 0; s < nsizes; s++)
		free(dirs[s]);
	remove_root();
	pl_shutdown();
	return 0;
}
