/*
 * read.c — how fast plsync's reads print, and in how much memory (issue 17,
 * goal 5: `ls`, `export`, `log` of 1M records print as they read, RSS <= 64
 * MiB, >= 200k records/s to /dev/null).
 *
 * A store of N pd_entry records (written in transactions of 100,000 rows,
 * as `plsync import` would) is read by the plsync program itself — each
 * command a child process with standard output on /dev/null, its time and
 * peak RSS (ru_maxrss from wait4) measured — and, in the same run, by a
 * raw LMDB cursor scan of the records database (a child too, touching
 * every value byte): the floor of any read of the store. The map's pages a
 * read touches count into ru_maxrss; the raw scan's peak is printed beside
 * as what the map alone costs. Timings are printed, never asserted.
 *
 *   build/bench/read [--records N]     (default 1,000,000)
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

#include <lmdb.h>

#include "plsync/plsync.h"

#define BENCH_NAME "bench/read"
#include "bench.h"

#define NODE     "BENCH"
#define STAFF_ID "E1001"
#define ACTOR    "Bench Runner <bench@example.org>"
#define CHUNK    100000

static void die(const char *what)
{
	fprintf(stderr, "bench/read: %s: %s\n", what, pl_error_last()->message);
	remove_root();
	exit(1);
}

/* ---- the store ---- */

static json_t *row_fields(size_t i)
{
	char title[64];
	snprintf(title, sizeof(title), "Reading workshop %zu", i + 1);
	return json_pack("{ss ss ss ss ss ss ss ss ss ss}", "staff", STAFF_ID, "title", title,
	                 "type", "workshop", "start", "2026-09-14", "hours", "6.5",
	                 "cost_cents", "12000", "funding", "local",
	                 "standards", "learning_designs,implementation", "location", "in_district",
	                 "status", "completed");
}

struct chunk {
	size_t from, to;
};

static int chunk_fn(pl_write *w, void *payload)
{
	const struct chunk *c = payload;
	int rc = 0;

	for (size_t i = c->from; i < c->to && rc == 0; i++) {
		char id[PL_ID_MAX + 1];
		json_t *f = row_fields(i);
		pl_change ch = { PL_CHANGE_CREATE, "pd_entry", NULL, f, NULL, NULL };
		rc = f ? pl_write_change(w, &ch, id) : pl_error_set(PL_ERROR, "out of memory");
		json_decref(f);
	}
	return rc;
}

static int make_store(const char *dir, size_t n)
{
	pl_store_options o = PL_STORE_OPTIONS_INIT;
	pl_store *st = NULL;
	json_t *f;
	int rc;

	o.no_sync = 1; /* building the store is not what is measured */
	if ((rc = pl_store_create(dir, NODE, NULL)) || (rc = pl_store_open(&st, dir, &o)))
		return rc;
	f = json_pack("{ss ss ss}", "code", NODE, "name", "Bench Elementary", "level", "elementary");
	pl_change school = { PL_CHANGE_CREATE, "school", NODE, f, NULL, NULL };
	rc = pl_store_change(st, ACTOR, &school, NULL);
	json_decref(f);
	if (rc)
		goto cleanup;
	f = json_pack("{ss ss ss ss}", "name", "Ann Bench", "category", "certified", "school", NODE,
	              "email", "ann@example.org");
	pl_change staff = { PL_CHANGE_CREATE, "staff", STAFF_ID, f, NULL, NULL };
	rc = pl_store_change(st, ACTOR, &staff, NULL);
	json_decref(f);
	for (size_t from = 0; rc == 0 && from < n; from += CHUNK) {
		struct chunk c = { from, from + CHUNK < n ? from + CHUNK : n };
		if (!(rc = pl_store_reserve(st, (c.to - c.from) * 150 * 12)))
			rc = pl_store_write(st, ACTOR, chunk_fn, &c);
	}
cleanup:
	pl_store_free(st);
	return rc;
}

/* ---- measured children ---- */

typedef struct measure {
	double secs, cpu;
	long   maxrss_kib;
	int    ok;
} measure;

static void measured(measure *m, pid_t pid, double t0)
{
	struct rusage ru;
	int status = 0;

	memset(m, 0, sizeof(*m));
	if (wait4(pid, &status, 0, &ru) < 0)
		return;
	m->secs = now() - t0;
	m->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	m->maxrss_kib = ru.ru_maxrss;
	m->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The plsync program with `args` (NULL-terminated), output to /dev/null. */
static void run_plsync(measure *m, const char *plsync, const char *dir, const char *const *args)
{
	const char *argv[16];
	int n = 0;
	double t0;
	pid_t pid;

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
	if (pid < 0) {
		memset(m, 0, sizeof(*m));
		return;
	}
	measured(m, pid, t0);
}

/* Every value of the named db `name`, its bytes summed (so each is read). */
static int raw_scan_db(const char *envdir, const char *name, size_t *count)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_dbi dbi;
	MDB_val k, v;
	uint64_t sum = 0;
	int rc;

	*count = 0;
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 32)) ||
	    (rc = mdb_env_open(env, envdir, MDB_RDONLY, 0600)) ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) || (rc = mdb_dbi_open(txn, name, 0, &dbi)) ||
	    (rc = mdb_cursor_open(txn, dbi, &cur)))
		goto cleanup;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const unsigned char *p = v.mv_data;
		for (size_t i = 0; i < v.mv_size; i++)
			sum += p[i];
		(*count)++;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
cleanup:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	if (sum == 1) /* keep the sum */
		fputc(' ', stderr);
	return rc;
}

static void run_raw(measure *m, const char *envdir, const char *name, size_t *count)
{
	int fds[2];
	double t0;
	pid_t pid;

	*count = 0;
	if (pipe(fds)) {
		memset(m, 0, sizeof(*m));
		return;
	}
	fflush(stdout);
	t0 = now();
	if ((pid = fork()) == 0) {
		size_t c = 0;
		int rc = raw_scan_db(envdir, name, &c);
		close(fds[0]);
		if (write(fds[1], &c, sizeof(c)) != (ssize_t)sizeof(c))
			_exit(2);
		_exit(rc ? 1 : 0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], count, sizeof(*count)) != (ssize_t)sizeof(*count))
		*count = 0;
	close(fds[0]);
	if (pid < 0) {
		memset(m, 0, sizeof(*m));
		return;
	}
	measured(m, pid, t0);
}

static void row(const char *label, size_t n, const measure *m, const measure *raw)
{
	double r = m->secs > 0 ? (double)n / m->secs : 0, rr = raw->secs > 0 ? (double)n / raw->secs : 0;

	printf("  %-34s %10.0f %8.1f %10.0f %7.3f %9.1f %9.1f %s\n", label, r, m->secs, rr,
	       rr > 0 ? r / rr : 0, (double)m->maxrss_kib / 1024.0, (double)raw->maxrss_kib / 1024.0,
	       m->ok ? "" : "(FAILED)");
}

static void usage(void)
{
	fprintf(stderr, "usage: build/bench/read [--records N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t n = 1000000, nrec = 0, nops = 0;
	const char *tmp = getenv("TMPDIR");
	char plsync[4096], self[4096], *dir, *envdir;
	measure raw_rec, raw_ops, m;
	double t0, build_secs;
	struct stat sb;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "--records") || ++i == argc)
			usage();
		errno = 0;
		n = strtoull(argv[i], &end, 10);
		if (errno || *end || argv[i][0] == '-')
			usage();
	}
	/* the plsync program next to this one: build/bench/read -> build/bin/plsync */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(plsync, sizeof(plsync), "%s/../bin/plsync", dirname(self));
	if (access(plsync, X_OK)) {
		fprintf(stderr, "bench/read: no program %s (run make)\n", plsync);
		return 1;
	}
	if (pl_init())
		die("pl_init");
	snprintf(bench_root, sizeof(bench_root), "%s/plsync-bench-read-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(bench_root)) {
		perror("bench/read: mkdtemp");
		return 1;
	}
	if (asprintf(&dir, "%s/lin", bench_root) < 0 || asprintf(&envdir, "%s/store", dir) < 0)
		return 1;
	printf("plsync bench/read: %zu pd_entry records, in %s, lmdb %s\n", n, bench_root,
	       mdb_version(NULL, NULL, NULL));
	print_load("at start");
	/* built by a child: this process stays small, and the measured
	 * children forked from it inherit no resident pages */
	t0 = now();
	fflush(stdout);
	{
		int status = 0;
		pid_t pid = fork();
		if (pid == 0) {
			if (make_store(dir, n)) {
				fprintf(stderr, "bench/read: building the store: %s\n", pl_error_last()->message);
				_exit(1);
			}
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			remove_root();
			return 1;
		}
	}
	build_secs = now() - t0;
	{
		char *p;
		if (asprintf(&p, "%s/data.mdb", envdir) < 0)
			return 1;
		printf("  the store: built in %.1f s (not measured: no fsync), data.mdb %.0f MiB\n", build_secs,
		       stat(p, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : -1.0);
		free(p);
	}
	/* a first scan warms the page cache for every reader alike */
	run_raw(&raw_rec, envdir, "records", &nrec);
	run_raw(&raw_rec, envdir, "records", &nrec);
	run_raw(&raw_ops, envdir, "ops", &nops);
	printf("\n  %-34s %10s %8s %10s %7s %9s %9s\n", "to /dev/null", "records/s", "secs", "raw scan/s",
	       "ratio", "RSS MiB", "raw RSS");
	{
		static const char *const ls_json[] = { "ls", "pd_entry", "--json", NULL };
		static const char *const ls_table[] = { "ls", "pd_entry", NULL };
		static const char *const ls_ref[] = { "ls", "pd_entry", "staff=" STAFF_ID, "--json", NULL };
		static const char *const exp_csv[] = { "export", "pd_entry", NULL };
		static const char *const exp_jsonl[] = { "export", "pd_entry", "--format", "jsonl", NULL };
		static const char *const log_text[] = { "log", NULL };
		static const char *const log_json[] = { "log", "--json", NULL };
		static const struct { const char *label; const char *const *args; int ops; } cmds[] = {
			{ "ls pd_entry --json", ls_json, 0 },
			{ "ls pd_entry (table, two passes)", ls_table, 0 },
			{ "ls pd_entry staff=... --json", ls_ref, 0 },
			{ "export pd_entry (CSV)", exp_csv, 0 },
			{ "export pd_entry --format jsonl", exp_jsonl, 0 },
			{ "log", log_text, 1 },
			{ "log --json", log_json, 1 },
		};
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			run_plsync(&m, plsync, dir, cmds[i].args);
			row(cmds[i].label, cmds[i].ops ? nops : n, &m, cmds[i].ops ? &raw_ops : &raw_rec);
		}
	}
	printf("  (records/s: records (ops for log) / wall seconds of the plsync process; raw scan: a\n"
	       "   cursor over LMDB's \"records\" (\"ops\" for log) reading every value byte, %zu / %zu\n"
	       "   entries; RSS: ru_maxrss, which counts the map's pages the read touched: the raw\n"
	       "   scan's is what the map alone costs. Goals: >= 200000 records/s, RSS <= 64 MiB\n"
	       "   beyond the map)\n", nrec, nops);
	print_load("at end");
	free(dir);
	free(envdir);
	remove_root();
	pl_shutdown();
	return 0;
}
