/*
 * merge.c — the district merge at scale, next to the git CLI doing the
 * tree-building part of the same work.
 *
 * Builds a district repository with NODES node refs of OPS ops each
 * (each pd_entry created, then approved twice, completed and evaluated: five
 * ops per record, chained and hashed exactly as agents make them, written
 * straight into git with libgit2), then measures, each phase
 * in its own child process so that its peak RSS is its own:
 *
 *  1. the first merge of everything (plsync-district merge);
 *  2. the git CLI reference: ls-tree of every node tip into one index,
 *     write-tree, commit-tree with the node tips as parents — the ops part
 *     of the merge with no verification and no state;
 *  3. an incremental merge of one new 100-op batch on one node;
 *  4. the history of one record from the cache (what plsync-audit log reads).
 *
 * --scale N1,N2,... (issue 9, D6) instead builds, for each N, one node with
 * N one-op commits and times the first merge of them, a merge with
 * --rebuild-cache (which rebuilds the carry index commit by commit), and
 * beside them `git log --raw` over the same commits (git diffing each
 * commit against its parent: linear). The merged tree ids are printed.
 *
 * Timings are printed, never asserted.
 *
 *   build/bench/merge [--nodes N] [--ops M] | --scale 1000,2000,5000
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <git2.h>

#include "plsync/plsync.h"

#include "sigcost.h"
#include "plsync/merge.h"
#include "plsync/sync.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench/merge: %s: %s\n", what, pl_error_last()->message);
	exit(1);
}

struct chain {
	char     node[16];
	uint64_t seq;
	pl_oid   prev;
	uint64_t hlc;
	pl_key   key;      /* the node's key, enrolled: every commit is signed */
};

/* Append one op of `c` to buf; returns its id. */
static void add_op(unsigned char **buf, size_t *len, size_t *cap, struct chain *c, const char *rec,
                   int update, const pl_oid *base)
{
	pl_op op;
	unsigned char *enc;
	size_t n;
	json_t *f;

	memset(&op, 0, sizeof(op));
	op.v = PL_OP_VERSION;
	op.node = c->node;
	op.seq = ++c->seq;
	op.has_prev = op.seq > 1;
	op.prev = c->prev;
	op.hlc = (c->hlc += 1 << 16);
	op.actor = "Bench Teacher <bench@school.example>";
	op.kind = "pd_entry";
	op.rec = (char *)rec;
	op.type = PL_OP_PUT;
	if (update) {
		/* the life of a PD entry: two approvals, completion, evaluation */
		switch (update) {
		case 1: f = json_pack("{s{s{ssss}}}", "approvals", "supervisor", "by", "E200", "at", "2026-09-01"); break;
		case 2: f = json_pack("{s{s{ssss}}ss}", "approvals", "budget", "by", "E300", "at", "2026-09-02",
		                      "status", "approved"); break;
		case 3: f = json_pack("{sfss}", "hours", 2.5 + (double)(c->seq % 7), "status", "completed"); break;
		default: f = json_pack("{s{sisi}}", "evaluation", "reaction", 4, "learning", 5); break;
		}
		op.nbase = 1;
		op.base = (pl_oid *)base;
	} else {
		f = json_pack("{ss ss ss ss sf sI ss s[ss] ss}", "staff", "E100", "title", "Fractions workshop",
		              "type", "workshop", "start", "2026-09-14", "hours", 6.5, "cost_cents", (json_int_t)12000,
		              "funding", "local", "standards", "learning_designs", "implementation", "status", "approved");
	}
	op.fields = f;
	if (pl_op_encode(&enc, &n, &op))
		die("encode");
	pl_op_id(&c->prev, enc, n);
	json_decref(f);
	if (*len + n > *cap) {
		while (*len + n > *cap)
			*cap = *cap ? *cap * 2 : 1 << 20;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, enc, n);
	*len += n;
	free(enc);
}

/* Commit `buf` as one batch on refs/heads/nodes/<node> on top of its tip,
 * signed with the node's key as the agent signs (its cost summed in sc). */
static void commit_batch(git_repository *repo, struct chain *c, uint64_t first, const unsigned char *buf, size_t len,
                         struct sigcost *sc)
{
	char ref[64], path[256];
	git_oid blob, tree_id, commit_id, parent_id;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig;
	git_tree_update up;
	git_reference *r = NULL;

	snprintf(ref, sizeof(ref), "refs/heads/nodes/%s", c->node);
	pl_sync_blob_path(path, sizeof(path), c->node, first, c->seq);
	if (git_reference_name_to_id(&parent_id, repo, ref) == 0) {
		git_commit_lookup(&parent, repo, &parent_id);
		git_commit_tree(&base, parent);
	}
	git_blob_create_from_buffer(&blob, repo, buf, len);
	memset(&up, 0, sizeof(up));
	up.action = GIT_TREE_UPDATE_UPSERT;
	up.id = blob;
	up.filemode = GIT_FILEMODE_BLOB;
	up.path = path;
	git_tree_create_updated(&tree_id, repo, base, 1, &up);
	git_tree_lookup(&tree, repo, &tree_id);
	git_signature_now(&sig, "Bench", "bench@school.example");
	const git_commit *parents[1] = { parent };
	if (sc_commit_signed(&commit_id, repo, &c->key, sig, "bench batch\n", tree, parent ? 1 : 0, parents, sc))
		die("signed commit");
	git_reference_create(&r, repo, ref, &commit_id, 1, "bench");
	git_reference_free(r);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
}

/* A key for c, enrolled for its node in the district's keyring. */
static void enrol(const char *repo_path, struct chain *c)
{
	char comment[32], line[PL_KEY_LINE_MAX];

	snprintf(comment, sizeof(comment), "plsync:%s", c->node);
	if (pl_key_generate(&c->key, comment))
		die("key");
	pl_key_public_line(line, sizeof(line), &c->key);
	if (pl_keyring_enroll(repo_path, c->node, line, 0))
		die("enroll");
}

static void make_repo(const char *repo_path, int nodes, int ops, struct chain *chains, pl_oid *first_ids,
                      struct sigcost *sc)
{
	git_repository *repo;
	unsigned char *buf = NULL;
	size_t cap = 0;

	if (pl_district_init(repo_path))
		die("init");
	if (git_repository_open_bare(&repo, repo_path) < 0)
		die("open");
	for (int n = 0; n < nodes; n++) {
		struct chain *c = &chains[n];
		size_t len = 0;
		char rec[64];
		pl_oid last_of_rec = { { 0 } };

		snprintf(c->node, sizeof(c->node), "S%03d", n);
		c->hlc = (uint64_t)1790000000000 << 16;
		enrol(repo_path, c);
		for (int i = 0; i < ops; i++) {
			/* each entry: created, then four updates */
			if (i % 5) {
				add_op(&buf, &len, &cap, c, rec, i % 5, &last_of_rec);
			} else {
				snprintf(rec, sizeof(rec), "%s-%06d", c->node, i);
				add_op(&buf, &len, &cap, c, rec, 0, NULL);
			}
			last_of_rec = c->prev;
			if (n == 0 && i == 0)
				first_ids[0] = c->prev;
		}
		commit_batch(repo, c, 1, buf, len, sc);
	}
	free(buf);
	git_repository_free(repo);
}

typedef void (*phase_fn)(void *);

/* Run fn in a child; print its wall time and peak RSS. */
static double phase(const char *name, phase_fn fn, void *arg, double *rss_mib)
{
	struct rusage ru;
	int status;
	double t0 = now();
	pid_t pid;

	fflush(stdout);
	pid = fork();

	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	wait4(pid, &status, 0, &ru);
	double dt = now() - t0;
	*rss_mib = ru.ru_maxrss / 1024.0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench/merge: phase %s failed\n", name);
		exit(1);
	}
	return dt;
}

static void do_merge(void *arg)
{
	pl_merge_result r;
	pl_init();
	if (pl_merge(&r, arg, NULL))
		die("merge");
	printf("  phases: cache %.2f s, verify+apply %.2f s, state files %.2f s, tree %.2f s, pack %.2f s, commit %.2f s\n",
	       r.secs[PL_MERGE_T_CACHE], r.secs[PL_MERGE_T_VERIFY], r.secs[PL_MERGE_T_STATE],
	       r.secs[PL_MERGE_T_TREE], r.secs[PL_MERGE_T_PACK], r.secs[PL_MERGE_T_COMMIT]);
	if (json_array_size(r.findings)) {
		fprintf(stderr, "bench/merge: unexpected quarantine: %s\n",
		        json_string_value(json_object_get(json_array_get(r.findings, 0), "reason")));
		_exit(1);
	}
	pl_merge_result_clear(&r);
}

static void do_merge_scale(void *arg)
{
	pl_merge_options o = PL_MERGE_OPTIONS_INIT;
	const char *repo = arg;
	pl_merge_result r;

	pl_init();
	if (repo[0] == '!') {
		o.rebuild_cache = 1;
		repo++;
	}
	if (pl_merge(&r, repo, &o) || json_array_size(r.findings))
		die("merge");
	printf("    cache %.2f s, verify+apply %.2f s, tree %s\n", r.secs[PL_MERGE_T_CACHE], r.secs[PL_MERGE_T_VERIFY],
	       r.tree);
	pl_merge_result_clear(&r);
}

static void do_git_log(void *arg)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "git -C '%s' log --raw --no-renames --format=%%H refs/heads/nodes/S000 | wc -l > /dev/null",
	         (const char *)arg);
	if (system(cmd) != 0)
		_exit(1);
}

/* --scale: one node of n one-op commits per size. */
static void scale(const char *dir, const char *sizes, int keep)
{
	for (const char *p = sizes; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		int n = atoi(p);
		char repo[300], bang[302], cmd[400];
		git_repository *g;
		struct chain c;
		unsigned char *buf = NULL;
		size_t cap = 0;
		double t, rss, t1, t2, tg;

		if (n <= 0)
			continue;
		snprintf(repo, sizeof(repo), "%s/scale-%d.git", dir, n);
		if (pl_district_init(repo) || git_repository_open_bare(&g, repo) < 0)
			die("init");
		memset(&c, 0, sizeof(c));
		snprintf(c.node, sizeof(c.node), "S000");
		c.hlc = (uint64_t)1790000000000 << 16;
		enrol(repo, &c);
		struct sigcost sc = { 0 };
		t = now();
		for (int i = 0; i < n; i++) {
			size_t len = 0;
			char rec[64];
			snprintf(rec, sizeof(rec), "S000-%06d", i);
			add_op(&buf, &len, &cap, &c, rec, 0, NULL);
			commit_batch(g, &c, c.seq, buf, len, &sc);
		}
		free(buf);
		git_repository_free(g);
		printf("  %d one-op commits (built in %.1f s)\n", n, now() - t);
		t1 = phase("scale merge", do_merge_scale, repo, &rss);
		printf("    first merge          %8.2f s  %7.1f us/commit  peak RSS %6.1f MiB\n", t1, t1 / n * 1e6, rss);
		snprintf(bang, sizeof(bang), "!%s", repo);
		t2 = phase("scale rebuild", do_merge_scale, bang, &rss);
		printf("    merge --rebuild-cache %7.2f s  %7.1f us/commit  peak RSS %6.1f MiB\n", t2, t2 / n * 1e6, rss);
		tg = phase("git log --raw", do_git_log, repo, &rss);
		printf("    git log --raw (reference) %5.2f s  %7.1f us/commit\n", tg, tg / n * 1e6);
		if (git_repository_open_bare(&g, repo) < 0 || sc_check_ref(g, "refs/heads/nodes/S000", &sc, NULL))
			die("signatures");
		git_repository_free(g);
		sc_print("    ", &sc, t1);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", repo);
		if (keep)
			printf("    kept %s\n", repo);
		else if (system(cmd) != 0)
			fprintf(stderr, "bench/merge: could not remove %s\n", repo);
	}
}

static void do_git(void *arg)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && export GIT_INDEX_FILE=$PWD/bench.index && rm -f bench.index && "
	         "for r in $(git for-each-ref --format='%%(refname)' refs/heads/nodes/); do git ls-tree -r $r; done "
	         "| git update-index --index-info && t=$(git write-tree) && "
	         "p=$(git for-each-ref --format='-p %%(objectname)' refs/heads/nodes/ | tr '\\n' ' ') && "
	         "git commit-tree $t $p -m reference > /dev/null && rm -f bench.index",
	         (const char *)arg);
	if (system(cmd) != 0)
		_exit(1);
}

struct inc {
	const char *repo;
	struct chain *c;
};

static void do_add_batch(void *arg)
{
	struct inc *in = arg;
	git_repository *repo;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	uint64_t first = in->c->seq + 1;

	pl_init();
	git_repository_open_bare(&repo, in->repo);
	for (int i = 0; i < 100; i++) {
		char rec[64];
		snprintf(rec, sizeof(rec), "%s-new%03d", in->c->node, i);
		add_op(&buf, &len, &cap, in->c, rec, 0, NULL);
	}
	struct sigcost sc = { 0 };
	commit_batch(repo, in->c, first, buf, len, &sc);
	git_repository_free(repo);
	free(buf);
}

struct logq {
	const char *repo;
	const char *id;
	double secs;
	size_t n;
};

static int count_op(const pl_op *op, const pl_oid *id, void *payload)
{
	(void)op;
	(void)id;
	(*(size_t *)payload)++;
	return 0;
}

static void do_log(void *arg)
{
	struct logq *q = arg;
	pl_store *cache;
	size_t n = 0;
	pl_init();
	if (pl_merge_cache_open(&cache, q->repo))
		die("cache");
	double t0 = now();
	if (pl_store_log(cache, q->id, count_op, &n))
		die("log");
	double dt = now() - t0;
	printf("  history of %s: %zu ops read in %.2f ms (cache open excluded)\n", q->id, n, dt * 1000);
	pl_store_free(cache);
}

int main(int argc, char **argv)
{
	int nodes = 100, ops = 10000, keep = 0;
	char dir[] = "/tmp/plsync-bench-merge-XXXXXX", repo[256], cmd[512];
	struct chain *chains;
	pl_oid first[1];
	double rss, t;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--keep"))
			keep = 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--nodes"))
			nodes = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--ops"))
			ops = atoi(argv[i + 1]);
	}
	pl_init();
	if (!mkdtemp(dir))
		return 1;
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--scale")) {
			printf("bench/merge --scale: merge time against the number of one-op commits\n");
			scale(dir, argv[i + 1], keep);
			rmdir(dir);
			return 0;
		}
	snprintf(repo, sizeof(repo), "%s/district.git", dir);
	chains = calloc((size_t)nodes, sizeof(*chains));
	printf("bench/merge: %d nodes x %d ops = %d ops (%d cores)\n", nodes, ops, nodes * ops,
	       (int)sysconf(_SC_NPROCESSORS_ONLN));
	t = now();
	struct sigcost sc = { 0 };
	make_repo(repo, nodes, ops, chains, first, &sc);
	printf("  built the node refs in %.1f s (every node's key enrolled, every commit signed)\n", now() - t);

	t = phase("first merge", do_merge, repo, &rss);
	printf("  first merge (plsync-district)       %8.2f s   peak RSS %7.1f MiB   %8.0f ops/s\n", t, rss,
	       nodes * (double)ops / t);
	double tg = phase("git reference", do_git, repo, &rss);
	printf("  git CLI: ls-tree|update-index|write-tree|commit-tree of the same ops  %6.2f s   peak RSS %7.1f MiB\n",
	       tg, rss);
	printf("  ratio plsync / git CLI: %.2f (plsync also verifies every op and writes state/)\n", t / tg);
	{
		/* what signed history costs: the signatures made above, and the
		 * merge's check of each node commit measured alone */
		git_repository *g;
		char ref[64];
		if (git_repository_open_bare(&g, repo) < 0)
			die("open");
		for (int n = 0; n < nodes; n++) {
			snprintf(ref, sizeof(ref), "refs/heads/nodes/%s", chains[n].node);
			if (sc_check_ref(g, ref, &sc, NULL))
				die("signatures");
		}
		git_repository_free(g);
		printf("  signed history (beside the first merge's time):\n");
		sc_print("    ", &sc, t);
	}

	struct inc in = { repo, &chains[nodes / 2] };
	phase("batch", do_add_batch, &in, &rss);
	in.c->seq += 100; /* the child advanced its own copy */
	t = phase("incremental merge", do_merge, repo, &rss);
	printf("  incremental merge of one 100-op batch %6.3f s   peak RSS %7.1f MiB\n", t, rss);

	struct logq q = { repo, "S000-000000", 0, 0 };
	phase("log", do_log, &q, &rss);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (keep)
		printf("  kept %s\n", repo);
	else if (system(cmd) != 0)
		fprintf(stderr, "bench/merge: could not remove %s\n", dir);
	free(chains);
	return 0;
}
