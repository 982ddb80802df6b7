/*
 * A write commits whole or not at all, even when the process dies in the
 * middle: a child imports 50,000 PD entries in one pl_store_write and is
 * killed with SIGKILL at different moments (5, 50 and 200 ms in, half-way,
 * and after the commit). Reopened, the store verifies, holds either none or all of the
 * entries, keeps what was written before, and takes new writes.
 * Durability is LMDB's default here (no_sync 0).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plsync/plsync.h"
#include "../tap.h"
#include "../testlib.h"

#define NENTRIES 50000
#define PD_KIND  5   /* index of pd_entry in pl_schema_kinds() */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct import {
	int fd;          /* tells the parent when the write starts */
	int started;
};

static int import_fn(pl_write *w, void *payload)
{
	struct import *im = payload;
	int rc = 0;

	if (!im->started) {
		im->started = 1;
		if (write(im->fd, "S", 1) != 1)
			return PL_EOS;
	}
	for (int i = 0; i < NENTRIES && rc == 0; i++) {
		char title[64];
		snprintf(title, sizeof(title), "Imported workshop %d", i);
		json_t *f = json_pack("{ss ss ss ss ss ss}", "staff", "E1", "title", title, "type", "workshop",
		                      "start", "2026-10-01", "hours", "3.5", "funding", "local");
		pl_change c = { PL_CHANGE_CREATE, "pd_entry", NULL, f, NULL };
		rc = pl_write_change(w, &c, NULL);
		json_decref(f);
	}
	return rc;
}

/* The child: open, import in one write, say so, wait to be killed. */
static void child(const char *dir, int fd)
{
	pl_store *st = NULL;
	struct import im = { fd, 0 };

	if (pl_store_open(&st, dir, NULL) || pl_store_write(st, "Importer <imp@example.org>", import_fn, &im)) {
		if (write(fd, "F", 1) != 1)
			_exit(3);
		_exit(2);
	}
	if (write(fd, "D", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* Read one byte within timeout_ms; 0 on timeout or EOF. */
static char read_byte(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c = 0;
	if (poll(&p, 1, timeout_ms) == 1 && read(fd, &c, 1) == 1)
		return c;
	return 0;
}

static void fresh_store(const char *dir)
{
	pl_store *st = NULL;
	json_t *f = json_pack("{ss ss}", "name", "Tess Teacher", "category", "certified");
	pl_change c = { PL_CHANGE_CREATE, "staff", "E1", f, NULL };

	if (pl_store_create(dir, "CRASH1", NULL) || pl_store_open(&st, dir, NULL) ||
	    pl_store_change(st, "Clerk <c@example.org>", &c, NULL))
		bail("setup: %s", pl_error_last()->message);
	json_decref(f);
	pl_store_free(st);
}

/*
 * One round: kill the child `delay_ms` after its write starts (or, with
 * delay_ms < 0, right after it reports the commit). Returns the time the
 * child had been writing when killed.
 */
static double round_at(const char *base, int n, double delay_ms)
{
	char dir[600], what[80];
	int fds[2], status = 0;
	pid_t pid;
	double t0, killed_after;
	char c;
	int done = 0;

	if (delay_ms < 0)
		snprintf(what, sizeof(what), "killed after the commit");
	else
		snprintf(what, sizeof(what), "killed %.0f ms into the write", delay_ms);
	snprintf(dir, sizeof(dir), "%s/r%d", base, n);
	fresh_store(dir);
	if (pipe(fds))
		bail("pipe");
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		bail("fork");
	if (pid == 0) {
		close(fds[0]);
		child(dir, fds[1]);
	}
	close(fds[1]);
	c = read_byte(fds[0], 30000);
	t0 = now_ms();
	if (c != 'S') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		bail("child did not start its write (%c)", c ? c : '-');
	}
	if (delay_ms < 0) {
		c = read_byte(fds[0], 300000);
		if (c != 'D') {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			bail("child's import failed (%c)", c ? c : '-');
		}
		done = 1;
	} else {
		struct timespec ts = { (time_t)(delay_ms / 1000), (long)((delay_ms - 1000 * (long)(delay_ms / 1000)) * 1e6) };
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	killed_after = now_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!done && read_byte(fds[0], 0) == 'D')
		done = 1;
	close(fds[0]);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s: the child died by SIGKILL after %.0f ms%s", what,
	   killed_after, done ? ", its write committed" : "");

	{
		pl_store *st = NULL;
		pl_store_stats s;
		pl_record *r = NULL;
		uint64_t nops = 0, nrec = 0;
		int rc = pl_store_open(&st, dir, NULL);
		if (!is_int(rc, 0, "%s: the store reopens", what))
			bail("%s", pl_error_last()->message);
		rc = pl_store_verify(st, &nops, &nrec);
		if (!is_int(rc, 0, "%s: pl_store_verify passes", what))
			diag("%s", pl_error_last()->message);
		pl_store_stats_get(&s, st);
		if (done)
			is_int((long long)s.by_kind[PD_KIND], NENTRIES, "%s: all %d entries are there", what, NENTRIES);
		else
			ok(s.by_kind[PD_KIND] == 0 || s.by_kind[PD_KIND] == NENTRIES,
			   "%s: the store holds 0 or %d entries, nothing between (%llu)", what, NENTRIES,
			   (unsigned long long)s.by_kind[PD_KIND]);
		ok(s.seq == 1 + s.by_kind[PD_KIND] && nops == s.seq && nrec == 1 + s.by_kind[PD_KIND],
		   "%s: seq, log and records agree (seq %llu)", what, (unsigned long long)s.seq);
		rc = pl_store_get(&r, st, "E1");
		ok(rc == 0 && r && !strcmp(json_string_value(json_object_get(r->fields, "name")), "Tess Teacher"),
		   "%s: the staff record written before is still there", what);
		pl_record_free(r);
		{
			json_t *f = json_pack("{ss ss ss}", "staff", "E1", "title", "After the crash", "type", "coaching");
			pl_change ch = { PL_CHANGE_CREATE, "pd_entry", NULL, f, NULL };
			rc = pl_store_change(st, "Clerk <c@example.org>", &ch, NULL);
			if (!is_int(rc, 0, "%s: a new write goes in (the dead writer's lock is released)", what))
				diag("%s", pl_error_last()->message);
			json_decref(f);
		}
		pl_store_free(st);
	}
	tl_rm_rf(dir);
	return killed_after;
}

int main(void)
{
	char base[] = "/tmp/plsync-t-crash-XXXXXX";
	double full;

	pl_init();
	tl_tmpdir(base);
	/* first let one import finish, to learn how long it takes here */
	full = round_at(base, 0, -1);
	diag("a full import of %d entries took %.0f ms", NENTRIES, full);
	round_at(base, 1, 5);
	round_at(base, 2, 50);
	round_at(base, 3, 200);
	round_at(base, 4, full / 2);
	tl_rm_rf(base);
	pl_shutdown();
	return done_testing();
}
