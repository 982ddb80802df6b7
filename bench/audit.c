/*
 * audit.c — how fast an auditor gets one record's story out of a big
 * district repository, and what a full verify costs.
 *
 * Builds a district repository the way the district gets one: NODES agent
 * stores (each writes OPS ops through the ordinary write path: one staff
 * record, then pd_entry records created and updated UPDATES - 1 times each,
 * the updates in later passes so that one record's ops are spread over its
 * node's whole history), each committed to its agent mirror and pushed
 * (pl_mirror_commit, pl_sync_push) into one bare district repository, which
 * is merged once (pl_merge). Then, each phase in its own child process so
 * that its peak RSS is its own:
 *
 *  1. log, blame and show --at of one record in the middle of the history,
 *     through the library (pl_merge_cache_open + pl_audit_*), 20 rounds;
 *  2. the same log as an auditor runs it: the plsync-audit program, 20 runs
 *     (process start, libgit2 init, cache open, output);
 *  3. plsync-audit verify of the whole repository (git only), its count of
 *     signatures checked; then the signature check alone (extract, SSHSIG
 *     verify) over every node and main commit, beside `git verify-commit`
 *     of the same commits (the reference), in the same run.
 *
 * Timings are printed, never asserted.
 *
 *   build/bench/audit [--nodes N] [--ops M] [--updates U] [--keep]
 *   build/bench/audit --repo PATH --nodes N --ops M --updates U
 *
 * --keep leaves the repository in /tmp (its path is printed); --repo measures
 * the queries and the verify again on such a kept repository, given the same
 * --nodes, --ops and --updates it was built with.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <git2.h>

#include "plsync/plsync.h"
#include "plsync/audit.h"
#include "plsync/key.h"
#include "plsync/merge.h"
#include "plsync/sync.h"

#define ACTOR_NAME  "Bench Clerk"
#define ACTOR_EMAIL "clerk@school.example"
#define ROUNDS      20

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench/audit: %s: %s\n", what, pl_error_last()->message);
	exit(1);
}

struct gen {
	const char *node, *staff;
	int         records, updates, pass;  /* pass 0 creates, 1.. update */
	int         from, to;                /* records of this transaction */
};

static int gen_fn(pl_write *w, void *payload)
{
	struct gen *g = payload;
	int rc;

	for (int i = g->from; i < g->to; i++) {
		char id[PL_ID_MAX + 1], hours[16];
		pl_change c = { 0 };
		json_t *f;

		snprintf(id, sizeof(id), "%s-R%06d", g->node, i);
		if (g->pass == 0) {
			f = json_pack("{ss ss ss ss ss ss}", "staff", g->staff, "title", "Fractions workshop", "type", "workshop",
			              "start", "2026-09-14", "hours", "6", "status", "requested");
			c.type = PL_CHANGE_CREATE;
			c.kind = "pd_entry";
		} else {
			snprintf(hours, sizeof(hours), "%d.5", 6 + g->pass);
			f = json_pack("{ss}", "hours", hours);
			c.type = PL_CHANGE_SET;
		}
		c.id = id;
		c.fields = f;
		rc = pl_write_change(w, &c, NULL);
		json_decref(f);
		if (rc)
			return rc;
	}
	return 0;
}

/* One agent: its store and mirror in dir, its ops pushed to repo. */
static void make_node(const char *dir, const char *repo, const char *node, int ops, int updates)
{
	pl_store_options so = PL_STORE_OPTIONS_INIT;
	pl_sync_options o = PL_SYNC_OPTIONS_INIT;
	pl_sync_result res;
	pl_store *st = NULL;
	pl_mirror *m = NULL;
	uint64_t from, to;
	int records = (ops - 1) / updates;
	char staff[PL_ID_MAX + 1];

	/* each school its own staff record: a second create of one id by
	 * another school is refused at the merge (a finding) */
	snprintf(staff, sizeof(staff), "E-%s", node);
	so.no_sync = 1;
	if (pl_store_create(dir, node, &so) || pl_store_open(&st, dir, &so))
		die("store");
	{
		pl_change c = { PL_CHANGE_CREATE, "staff", staff, NULL, NULL, NULL };
		json_t *f = json_pack("{ss ss}", "name", "Ann Lee", "category", "certified");
		c.fields = f;
		if (pl_store_change(st, ACTOR_NAME " <" ACTOR_EMAIL ">", &c, NULL))
			die("staff");
		json_decref(f);
	}
	for (int pass = 0; pass < updates; pass++)
		for (int i = 0; i < records; i += 10000) {
			struct gen g = { node, staff, records, updates, pass, i, i + 10000 < records ? i + 10000 : records };
			if (pl_store_write(st, ACTOR_NAME " <" ACTOR_EMAIL ">", gen_fn, &g))
				die("write");
		}
	o.url = repo;
	o.user_name = ACTOR_NAME;
	o.user_email = ACTOR_EMAIL;
	if (pl_mirror_open(&m, dir) || pl_mirror_commit(&from, &to, m, st, &o) || pl_sync_push(&res, m, st, &o))
		die("commit and push");
	pl_mirror_free(m);
	pl_store_free(st);
}

typedef void (*phase_fn)(void *);

static double phase(const char *name, phase_fn fn, void *arg, double *rss_mib)
{
	struct rusage ru;
	int status;
	double t0;
	pid_t pid;

	fflush(stdout);
	t0 = now();
	if ((pid = fork()) == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	wait4(pid, &status, 0, &ru);
	*rss_mib = ru.ru_maxrss / 1024.0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench/audit: phase %s failed\n", name);
		exit(1);
	}
	return now() - t0;
}

struct q {
	const char *repo;
	const char *id;
	const char *audit_bin;
	uint64_t    at_ms;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("  %-44s median %7.2f ms   min %7.2f ms   max %7.2f ms\n", what, t[n / 2] * 1000, t[0] * 1000,
	       t[n - 1] * 1000);
}

static void do_queries(void *arg)
{
	struct q *q = arg;
	double tl[ROUNDS], tb[ROUNDS], ts[ROUNDS], to[ROUNDS];
	size_t nops = 0;

	pl_init();
	for (int i = 0; i < ROUNDS; i++) {
		pl_store *cache = NULL;
		json_t *log = NULL, *blame = NULL;
		pl_record *r = NULL;
		double t0 = now();

		if (pl_merge_cache_open(&cache, q->repo))
			die("cache");
		to[i] = now() - t0;
		t0 = now();
		if (pl_audit_log(&log, cache, q->id))
			die("log");
		tl[i] = now() - t0 + to[i];
		t0 = now();
		if (pl_audit_blame(&blame, cache, q->id))
			die("blame");
		tb[i] = now() - t0 + to[i];
		t0 = now();
		if (pl_audit_show(&r, cache, q->id, q->at_ms))
			die("show");
		ts[i] = now() - t0 + to[i];
		nops = json_array_size(json_object_get(log, "ops"));
		json_decref(log);
		json_decref(blame);
		pl_record_free(r);
		pl_store_free(cache);
	}
	printf("  record %s: %zu ops, %d rounds each (times include opening the cache)\n", q->id, nops, ROUNDS);
	report("open the cache (pl_merge_cache_open)", to, ROUNDS);
	report("log   (pl_audit_log)", tl, ROUNDS);
	report("blame (pl_audit_blame)", tb, ROUNDS);
	report("show --at (pl_audit_show)", ts, ROUNDS);
}

static void do_cli(void *arg)
{
	struct q *q = arg;
	double t[ROUNDS];

	fflush(stdout);
	for (int i = 0; i < ROUNDS; i++) {
		double t0 = now();
		pid_t pid = fork();
		int status;
		if (pid == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(127);
			execl(q->audit_bin, "plsync-audit", "log", q->repo, q->id, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "bench/audit: %s log failed\n", q->audit_bin);
			_exit(1);
		}
		t[i] = now() - t0;
	}
	report("plsync-audit log REPO ID (whole process)", t, ROUNDS);
}

/*
 * Peak anonymous memory (heap, stacks) of this process, sampled every 20 ms:
 * ru_maxrss also counts the pages of mapped files (the LMDB fold, git's
 * packs), which the kernel can drop at will.
 */
static volatile int sampling;
static long peak_anon_kib;

static void *sample_anon(void *arg)
{
	(void)arg;
	while (sampling) {
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		long kib;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "RssAnon: %ld kB", &kib) == 1 && kib > peak_anon_kib)
				peak_anon_kib = kib;
		if (f)
			fclose(f);
		usleep(20000);
	}
	return NULL;
}

static void do_verify(void *arg)
{
	struct q *q = arg;
	pl_audit_verify_result r;
	pthread_t th;

	pl_init();
	sampling = 1;
	pthread_create(&th, NULL, sample_anon, NULL);
	if (pl_audit_verify(&r, q->repo, NULL))
		die("verify");
	sampling = 0;
	pthread_join(th, NULL);
	printf("  verify: %zu node refs (%" PRIu64 " ops), %zu merges, %" PRIu64 " ops folded, %zu state files, "
	       "%zu signatures, %zu problems; peak anonymous memory %.1f MiB\n", r.nodes, r.node_ops, r.merges,
	       r.main_ops, r.states, r.signatures, r.problems, peak_anon_kib / 1024.0);
	if (r.problems)
		_exit(1);
}

/*
 * The reference for verify's signature check: `git verify-commit` over the
 * same commits (every node ref's, main's first-parent chain), with an
 * allowed_signers file of the agents' keys and the district key, in one run
 * of git (xargs). Returns the seconds, *ncommits the commits, *good whether
 * git accepted them all; *lib_s the seconds plsync's own check of the same
 * commits took (extract the signature, pl_sshsig_verify), *lib_bad how
 * many it refused.
 */
static double git_verify(const char *repo, int nodes, long *ncommits, int *good, double *lib_s, long *lib_bad)
{
	char top[PATH_MAX], signers[PATH_MAX + 16], path[PATH_MAX + 32], line[PL_KEY_LINE_MAX];
	char cmd[4 * PATH_MAX];
	const char *slash = strrchr(repo, '/');
	FILE *f, *p;
	pl_key k;
	double t0;

	snprintf(top, sizeof(top), "%.*s", slash ? (int)(slash - repo) : 1, slash ? repo : ".");
	snprintf(signers, sizeof(signers), "%s/signers", top);
	if (!(f = fopen(signers, "w")))
		return -1;
	for (int i = 0; i < nodes; i++) {
		snprintf(path, sizeof(path), "%s/S%03d/%s", top, i, PL_KEY_FILE);
		if (pl_key_load(&k, path) == 0) {
			pl_key_public_line(line, sizeof(line), &k);
			fprintf(f, "S%03d namespaces=\"git\" %s\n", i, line);
			pl_key_clear(&k);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", repo, PL_KEY_DISTRICT);
	if (pl_key_load(&k, path) == 0) {
		pl_key_public_line(line, sizeof(line), &k);
		fprintf(f, "plsync-district namespaces=\"git\" %s\n", line);
		pl_key_clear(&k);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "{ git -C '%s' rev-list --first-parent main; git -C '%s' for-each-ref "
	         "--format='%%(refname)' refs/heads/nodes/ | while read r; do git -C '%s' rev-list \"$r\"; done; } "
	         ">'%s.list'", repo, repo, repo, signers);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "wc -l < '%s.list'", signers);
	*ncommits = 0;
	if ((p = popen(cmd, "r"))) {
		if (fscanf(p, "%ld", ncommits) != 1)
			*ncommits = 0;
		pclose(p);
	}
	/* plsync's check (what verify does per commit): extract, SSHSIG-verify */
	{
		git_repository *g = NULL;
		char hex[64];
		long bad = 0;
		snprintf(path, sizeof(path), "%s.list", signers);
		if (git_repository_open_bare(&g, repo) == 0 && (f = fopen(path, "r"))) {
			t0 = now();
			while (fgets(hex, sizeof(hex), f)) {
				git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
				git_oid oid;
				pl_key signer;
				hex[strcspn(hex, "\n")] = '\0';
				if (git_oid_fromstr(&oid, hex) < 0 ||
				    git_commit_extract_signature(&sig, &data, g, &oid, NULL) < 0 ||
				    pl_sshsig_verify(&signer, sig.ptr, sig.size, "git", data.ptr, data.size))
					bad++;
				git_buf_dispose(&sig);
				git_buf_dispose(&data);
			}
			*lib_s = now() - t0;
			*lib_bad = bad;
			fclose(f);
		}
		git_repository_free(g);
	}
	snprintf(cmd, sizeof(cmd), "xargs git -C '%s' -c gpg.format=ssh -c gpg.ssh.allowedSignersFile='%s' "
	         "verify-commit <'%s.list' >/dev/null 2>&1", repo, signers, signers);
	t0 = now();
	*good = system(cmd) == 0;
	return now() - t0;
}

static void do_merge(void *arg)
{
	pl_merge_result r;

	pl_init();
	if (pl_merge(&r, arg, NULL))
		die("merge");
	if (json_array_size(r.findings))
		_exit(1);
	printf("  merged %zu ops, %zu state files\n", r.ops, r.records);
	pl_merge_result_clear(&r);
}

int main(int argc, char **argv)
{
	int nodes = 10, ops = 100000, updates = 5, keep = 0;
	const char *reuse = NULL;
	char dir[] = "/tmp/plsync-bench-audit-XXXXXX", repo[PATH_MAX], bin[PATH_MAX], cmd[PATH_MAX + 16];
	char id[PL_ID_MAX + 1], self[PATH_MAX], *slash;
	double t, rss;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--nodes") && i + 1 < argc)
			nodes = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ops") && i + 1 < argc)
			ops = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--updates") && i + 1 < argc)
			updates = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else if (!strcmp(argv[i], "--repo") && i + 1 < argc)
			reuse = argv[++i];
		else {
			fprintf(stderr, "usage: bench/audit [--nodes N] [--ops M] [--updates U] [--keep | --repo PATH]\n");
			return 2;
		}
	}
	if (nodes < 1 || nodes > 999 || updates < 1 || ops < updates + 1) {
		fprintf(stderr, "bench/audit: need 1 <= nodes <= 999, updates >= 1, ops > updates\n");
		return 2;
	}
	/* plsync-audit lives in ../bin beside this bench's directory */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return 1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')))
		*slash = '\0';
	snprintf(bin, sizeof(bin), "%s/../bin/plsync-audit", self);
	pl_init();
	printf("bench/audit: %d nodes x %d ops = %d ops, %d ops per pd_entry (%d cores)\n", nodes, ops, nodes * ops,
	       updates, (int)sysconf(_SC_NPROCESSORS_ONLN));
	if (reuse) {
		snprintf(repo, sizeof(repo), "%s", reuse);
		keep = 1;
	} else {
		if (!mkdtemp(dir))
			return 1;
		snprintf(repo, sizeof(repo), "%s/district.git", dir);
		if (pl_district_init(repo))
			die("init");
		t = now();
		for (int i = 0; i < nodes; i++) {
			char node[16], ndir[PATH_MAX];
			snprintf(node, sizeof(node), "S%03d", i);
			snprintf(ndir, sizeof(ndir), "%s/%s", dir, node);
			make_node(ndir, repo, node, ops, updates);
		}
		printf("  %d agents wrote, committed and pushed in %.1f s\n", nodes, now() - t);
		t = phase("merge", do_merge, repo, &rss);
		printf("  first merge of everything %25.1f s   peak RSS %7.1f MiB\n", t, rss);
	}

	snprintf(id, sizeof(id), "S%03d-R%06d", nodes / 2, (ops - 1) / updates / 2);
	{
		struct q q = { repo, id, bin, 0 };
		pl_store *cache = NULL;
		json_t *log = NULL;
		/* --at: just before the record's second op */
		if (pl_merge_cache_open(&cache, repo) || pl_audit_log(&log, cache, id))
			die("first log");
		q.at_ms = json_array_size(json_object_get(log, "ops")) > 1 ?
		          ((uint64_t)json_integer_value(json_object_get(json_array_get(json_object_get(log, "ops"), 1), "hlc")) >> 16) - 1 :
		          UINT64_MAX >> 16;
		json_decref(log);
		pl_store_free(cache);
		phase("queries", do_queries, &q, &rss);
		printf("  %-44s peak RSS %7.1f MiB\n", "(the query process)", rss);
		phase("cli", do_cli, &q, &rss);
		t = phase("verify", do_verify, &q, &rss);
		printf("  plsync-audit verify (git only) %21.1f s   peak RSS %7.1f MiB (with mapped files)   %8.0f ops/s\n",
		       t, rss, nodes * (double)ops / t);
		{
			long nc = 0, lbad = -1;
			int good = 0;
			double tl = 0, tg = git_verify(repo, nodes, &nc, &good, &tl, &lbad);
			printf("  signatures, plsync's check of %ld commits %8.3f s   (%.3f ms per commit, %ld refused)\n",
			       nc, tl, nc ? tl * 1000 / nc : 0.0, lbad);
			printf("  git verify-commit, the same %ld commits %10.3f s   (%.3f ms per commit, %s)\n", nc, tg,
			       nc ? tg * 1000 / nc : 0.0, good ? "all good" : "NOT all accepted");
		}
	}
	if (keep) {
		if (!reuse)
			printf("  kept %s\n", repo);
	} else {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench/audit: could not remove %s\n", dir);
	}
	pl_shutdown();
	return 0;
}
