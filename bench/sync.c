/*
 * sync.c — how fast `plsync sync` moves ops into git, next to the git CLI
 * doing the same work in the same run, and how an incremental sync's cost
 * depends on the history behind it.
 *
 *  1. First sync of N ops (default 100,000: a school, a staff member and
 *     N-2 pd_entry rows imported from a CSV) to an empty bare repository
 *     reached by path: `plsync sync`, which reads the ops from LMDB, builds
 *     the batch blobs, commits them in the agent's mirror and pushes.
 *     Beside it, the git CLI does the same work: the same blobs at the same
 *     paths as files in a work tree (written beforehand, not timed), then
 *     `git add -A`, `git commit`, `git push` to another empty bare
 *     repository. The two trees are compared: the content is identical.
 *  2. Incremental sync of one new op after a history of H ops (default
 *     1,000,000) and after 1,000, each history made by `plsync import` and a
 *     first sync (not timed); only the last sync is timed.
 *
 * Every measured command runs as its own child process: wall time from the
 * monotonic clock, peak RSS from wait4's ru_maxrss (for plsync that includes
 * the pages of the LMDB file it maps while reading the ops). Figures are
 * printed, never asserted.
 *
 *   build/bench/sync [--ops N] [--history H] [--small S] [--keep]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
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

#include "sigcost.h"

#define IMPORT_CHUNK 250000  /* rows per `plsync import` (each one transaction) */

typedef struct run {
	double secs;
	double rss_mib;
	int    status;     /* exit status, or 128 + signal */
} run;

static char plsync[PATH_MAX], district[PATH_MAX], root[PATH_MAX];

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("bench/sync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run argv (NULL-terminated) in dir (or here), stdout+stderr to log; measure it. */
static run spawn(const char *dir, const char *log, char *const argv[])
{
	run r = { 0 };
	struct rusage ru;
	int status;
	double t0 = now();
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (dir && chdir(dir))
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4: %s", strerror(errno));
	r.secs = now() - t0;
	r.rss_mib = ru.ru_maxrss / 1024.0;
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return r;
}

/* spawn, and stop the bench if the command failed */
static run must(const char *dir, char *const argv[])
{
	char log[PATH_MAX + 16];
	run r;

	snprintf(log, sizeof(log), "%s/commands.log", root);
	r = spawn(dir, log, argv);
	if (r.status) {
		fprintf(stderr, "bench/sync: '%s %s %s' failed (exit %d); see %s\n", argv[0], argv[1] ? argv[1] : "",
		        argv[1] && argv[2] ? argv[2] : "", r.status, log);
		exit(1);
	}
	return r;
}

static run sh(const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	return must(NULL, argv);
}

/* pd_entry rows for staff E1, numbered from first */
static void write_csv(const char *path, size_t first, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("%s: %s", path, strerror(errno));
	fputs("staff,title,type,start,hours,cost_cents,funding,standards,notes\n", f);
	for (size_t i = first; i < first + n; i++)
		fprintf(f, "E1,Workshop %zu: fractions and ratios in grade 4,workshop,2026-%02zu-%02zu,%zu.5,%zu,"
		        "local,\"learning_designs,implementation\",imported row %zu\n",
		        i, i % 12 + 1, i % 28 + 1, i % 7, i * 10 % 50000, i);
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

/* An agent LIN01 in root/name with nops ops; its remote a new bare repository. */
static void make_agent(const char *name, size_t nops, char *dirbuf, char *repobuf)
{
	char csv[PATH_MAX + 32];
	size_t rows = nops > 2 ? nops - 2 : 0;

	snprintf(dirbuf, PATH_MAX, "%s/%s", root, name);
	snprintf(repobuf, PATH_MAX, "%s/%s.git", root, name);
	snprintf(csv, sizeof(csv), "%s/rows.csv", root);
	{
		char *a[] = { district, "init", repobuf, NULL };
		must(NULL, a);
	}
	{
		char *a[] = { plsync, "--dir", dirbuf, "init", "--node", "LIN01", "--user",
		              "Ann Lee <ann@lincoln.example>", "--remote", repobuf, NULL };
		must(NULL, a);
	}
	{
		char *a[] = { plsync, "--dir", dirbuf, "add", "school", "--id", "LIN01", "code=LIN01",
		              "name=Lincoln Elementary", "level=elementary", NULL };
		must(NULL, a);
	}
	{
		char *a[] = { plsync, "--dir", dirbuf, "add", "staff", "--id", "E1", "name=Ann Lee",
		              "category=certified", "school=LIN01", NULL };
		must(NULL, a);
	}
	for (size_t done = 0; done < rows;) {
		size_t n = rows - done < IMPORT_CHUNK ? rows - done : IMPORT_CHUNK;
		char *a[] = { plsync, "--dir", dirbuf, "import", "pd_entry", csv, NULL };
		write_csv(csv, done + 1, n);
		must(NULL, a);
		done += n;
	}
	unlink(csv);
}

static run plsync_sync(const char *dir)
{
	char *a[] = { plsync, "--dir", (char *)dir, "sync", "--quiet", NULL };
	return must(NULL, a);
}

static void usage(void)
{
	fprintf(stderr, "usage: build/bench/sync [--ops N] [--history H] [--small S] [--keep]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t nops = 100000, history = 1000000, small = 1000;
	int keep = 0;
	char dir[PATH_MAX], repo[PATH_MAX], cmd[4 * PATH_MAX + 256], wt[PATH_MAX + 8], bare[PATH_MAX + 16];
	const char *tmp = getenv("TMPDIR");
	char *slash;
	run ps, ga, gc, gp, inc_small, inc_big, first_small, first_big;
	struct sigcost sigs = { 0 };

	pl_init(); /* libgit2, for the signature check */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else if (i + 1 < argc && !strcmp(argv[i], "--ops"))
			nops = strtoull(argv[++i], NULL, 10);
		else if (i + 1 < argc && !strcmp(argv[i], "--history"))
			history = strtoull(argv[++i], NULL, 10);
		else if (i + 1 < argc && !strcmp(argv[i], "--small"))
			small = strtoull(argv[++i], NULL, 10);
		else
			usage();
	}
	if (nops < 3 || history < 3 || small < 3)
		usage();
	/* build/bench/sync -> build/bin/plsync */
	if (!realpath(argv[0], plsync))
		die("cannot find myself (%s)", argv[0]);
	if ((slash = strrchr(plsync, '/')))
		*slash = '\0';
	if ((slash = strrchr(plsync, '/')))
		*slash = '\0';
	snprintf(district, sizeof(district), "%s/bin/plsync-district", plsync);
	strncat(plsync, "/bin/plsync", sizeof(plsync) - strlen(plsync) - 1);
	if (access(plsync, X_OK) || access(district, X_OK))
		die("%s or %s is missing: run make first", plsync, district);
	snprintf(root, sizeof(root), "%s/plsync-bench-sync-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		die("mkdtemp: %s", strerror(errno));
	setenv("GIT_AUTHOR_NAME", "Ann Lee", 1);
	setenv("GIT_AUTHOR_EMAIL", "ann@lincoln.example", 1);
	setenv("GIT_COMMITTER_NAME", "Ann Lee", 1);
	setenv("GIT_COMMITTER_EMAIL", "ann@lincoln.example", 1);

	printf("plsync bench/sync: first sync of %zu ops; incremental sync after %zu and %zu ops; in %s\n\n",
	       nops, small, history, root);
	fflush(stdout);

	/* 1. first sync vs git add + commit + push */
	make_agent("first", nops, dir, repo);
	ps = plsync_sync(dir);
	snprintf(wt, sizeof(wt), "%s/wt", root);
	snprintf(bare, sizeof(bare), "%s/git-cli.git", root);
	/* git gets the pack setting plsync gives its mirror: no delta search on big batch blobs */
	snprintf(cmd, sizeof(cmd), "git init -q '%s' && git init -q --bare '%s' && "
	         "git -C '%s' config core.bigFileThreshold 1m && "
	         "git -C '%s/git' archive --format=tar refs/heads/nodes/LIN01 | tar -x -C '%s'",
	         wt, bare, wt, dir, wt);
	sh(cmd);
	{
		char *a[] = { "git", "add", "-A", NULL };
		ga = must(wt, a);
	}
	{
		char *a[] = { "git", "commit", "-q", "-m", "LIN01: the same ops as files", NULL };
		gc = must(wt, a);
	}
	{
		char *a[] = { "git", "push", "-q", bare, "HEAD:refs/heads/nodes/LIN01", NULL };
		gp = must(wt, a);
	}
	snprintf(cmd, sizeof(cmd), "test \"$(git -C '%s' rev-parse refs/heads/nodes/LIN01^{tree})\" = "
	         "\"$(git -C '%s' rev-parse refs/heads/nodes/LIN01^{tree})\"", repo, bare);
	{
		char *a[] = { "sh", "-c", cmd, NULL };
		run same = spawn(NULL, NULL, a);
		double git_secs = ga.secs + gc.secs + gp.secs;
		double git_rss = ga.rss_mib > gc.rss_mib ? ga.rss_mib : gc.rss_mib;
		git_rss = gp.rss_mib > git_rss ? gp.rss_mib : git_rss;

		printf("first sync of %zu ops to a bare repository (same tree: %s)\n", nops,
		       same.status ? "NO" : "yes");
		printf("  %-44s %9.3f s   peak RSS %7.1f MiB\n", "plsync sync (read LMDB, commit, push)", ps.secs,
		       ps.rss_mib);
		printf("  %-44s %9.3f s   peak RSS %7.1f MiB\n", "git add -A + commit + push (files ready)", git_secs,
		       git_rss);
		printf("    %-42s %9.3f s   %7.1f MiB\n", "git add -A", ga.secs, ga.rss_mib);
		printf("    %-42s %9.3f s   %7.1f MiB\n", "git commit", gc.secs, gc.rss_mib);
		printf("    %-42s %9.3f s   %7.1f MiB\n", "git push", gp.secs, gp.rss_mib);
		printf("  ratio plsync / git CLI: %.2f\n", git_secs > 0 ? ps.secs / git_secs : 0);
		printf("  (both with core.bigFileThreshold 1m: no delta search between batch blobs; peak RSS is\n"
		       "  ru_maxrss, which for plsync includes the LMDB file pages it maps, clean page cache)\n");
		/* signed history: every node commit the sync made is signed; check
		 * each signature and sign its content again, timed */
		git_repository *g;
		pl_key scratch;
		if (git_repository_open_bare(&g, repo) < 0 || pl_key_generate(&scratch, "plsync:bench"))
			die("signature check: cannot open %s", repo);
		if (sc_check_ref(g, "refs/heads/nodes/LIN01", &sigs, &scratch))
			die("signature check: a node commit of %s is not validly signed", repo);
		git_repository_free(g);
		pl_key_clear(&scratch);
		printf("  signed history (beside the sync's time):\n");
		sc_print("    ", &sigs, ps.secs);
		printf("\n");
		fflush(stdout);
	}
	if (!keep) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s/first' '%s/first.git' '%s' '%s'", root, root, wt, bare);
		sh(cmd);
	}

	/* 2. one new op after a small and a big history */
	make_agent("small", small, dir, repo);
	first_small = plsync_sync(dir);
	{
		char *a[] = { plsync, "--dir", dir, "add", "pd_entry", "staff=E1", "title=One more", "type=coaching", NULL };
		must(NULL, a);
	}
	inc_small = plsync_sync(dir);
	make_agent("big", history, dir, repo);
	first_big = plsync_sync(dir);
	{
		char *a[] = { plsync, "--dir", dir, "add", "pd_entry", "staff=E1", "title=One more", "type=coaching", NULL };
		must(NULL, a);
	}
	inc_big = plsync_sync(dir);
	printf("incremental sync of 1 op (only the last sync is timed)\n");
	printf("  after %-38zu %9.3f s   peak RSS %7.1f MiB   (its first sync: %.2f s, %.1f MiB)\n", small,
	       inc_small.secs, inc_small.rss_mib, first_small.secs, first_small.rss_mib);
	printf("  after %-38zu %9.3f s   peak RSS %7.1f MiB   (its first sync: %.2f s, %.1f MiB)\n", history,
	       inc_big.secs, inc_big.rss_mib, first_big.secs, first_big.rss_mib);
	printf("  ratio %zu / %zu: %.2f\n", history, small, inc_small.secs > 0 ? inc_big.secs / inc_small.secs : 0);
	if (!keep) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		sh(cmd);
	} else {
		printf("\nkept %s\n", root);
	}
	return 0;
}
