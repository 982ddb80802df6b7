/*
 * merge-lock.c — one merge at a time: the merge, and every check or rebuild
 * of the cache by a reader, hold an flock of <repo>/plsync-merge.lock; and a
 * refs/heads/main.lock left by a merge that died is cleared under it. A
 * reader's own cache (merge-reader.c) takes the same kind of lock beside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/merge.h"
#include "plsync/op.h"
#include "merge-int.h"

/*
 * An flock, like sync's plsync-sync.lock: the kernel drops it when the file
 * is closed, which a process that dies (kill -9 included) always does, so it
 * can never be stale and needs no clearing. flock rather than fcntl's POSIX
 * locks: those are per process, so a second pl_merge in the same process
 * (bench, a server) would not be excluded. The text "pid N since TIME" is
 * written by the holder for the message of the one that waits, never read
 * as the truth. The file is never removed (removing it races the next open).
 */
#define LOCK_POLL_MS 100

static void lock_holder(char *buf, size_t sz, int fd)
{
	ssize_t n = pread(fd, buf, sz - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pl_utf8_scrub(buf);
	if (!buf[0])
		snprintf(buf, sz, "holder unknown");
}

int pl_merge__lock(int *fd, const char *repo_path, int wait_secs, const char *what)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/plsync-merge.lock", repo_path);
	return pl_merge__lock_at(fd, path, repo_path, wait_secs, what);
}

int pl_merge__lock_at(int *fd, const char *path, const char *repo_path, int wait_secs, const char *what)
{
	char text[160], when[32];
	long waited = 0;
	int r;

	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return pl_error_from_errno(path);
	while ((r = flock(*fd, wait_secs < 0 ? LOCK_EX : LOCK_EX | LOCK_NB)) != 0) {
		struct timespec ts = { 0, LOCK_POLL_MS * 1000000L };
		int err = errno;
		if (err == EINTR)
			continue;
		if (err != EWOULDBLOCK || waited >= (long)wait_secs * 1000) {
			if (err == EWOULDBLOCK)
				lock_holder(text, sizeof(text), *fd);
			close(*fd);
			*fd = -1;
			if (err == EWOULDBLOCK)
				return pl_error_set(PL_ECONFLICT, "another merge of %s is running (%s)%s", repo_path, text,
				                    wait_secs > 0 ? ", still after the wait" : "");
			errno = err;
			return pl_error_from_errno(path);
		}
		nanosleep(&ts, NULL);
		waited += LOCK_POLL_MS;
	}
	pl_hlc_fmt(when, (uint64_t)time(NULL) * 1000 << 16);
	snprintf(text, sizeof(text), "pid %ld since %s, %s\n", (long)getpid(), when, what);
	/* the text is only for a waiting merge's message: not writing it fails nothing */
	if (ftruncate(*fd, 0) == 0)
		(void)!pwrite(*fd, text, strlen(text), 0);
	return 0;
}

void pl_merge__unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * refs/heads/main.lock, git's lock of main, under our merge lock: only a
 * merge writes main, so one that stays is a dead merge's. It is given
 * MAIN_LOCK_STALE seconds (by its age, waiting if younger) in case a git
 * process (pack-refs during gc, or a push that should not be there) holds it
 * for its usual instant, then removed; otherwise one kill at the wrong moment
 * would make every later merge fail.
 */
#define MAIN_LOCK_STALE 10

int pl_merge__clear_main_lock(pl_merge_result *res, const char *repo_path)
{
	char path[4096];
	struct stat st;
	long age = 0;

	snprintf(path, sizeof(path), "%s/refs/heads/main.lock", repo_path);
	for (int i = 0;; i++) {
		struct timespec ts = { 0, 200 * 1000000L };
		if (lstat(path, &st) < 0)
			return errno == ENOENT ? 0 : pl_error_from_errno(path);
		age = (long)(time(NULL) - st.st_mtime);
		if (age >= MAIN_LOCK_STALE || i >= MAIN_LOCK_STALE * 5) /* *5: 200 ms steps; a clock skew ends too */
			break;
		nanosleep(&ts, NULL);
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return pl_error_from_errno(path);
	res->lock_cleared = 1;
	res->lock_age = age;
	return 0;
}
