/*
 * sync-state.c — <dir>/sync-state: what the last syncs of a data dir did,
 * for `plsync status` and a monitor: last try, last success, last error,
 * failures in a row, and (while a loop runs) the next try and its backoff.
 *
 * A small JSON object, written whole: a temporary file in the data dir,
 * fsync'd, renamed over the old one, so a reader sees the old state or the
 * new, never half. It is local bookkeeping, never an op and never in git;
 * losing it loses nothing but the history it shows. Two writers (a loop and
 * a `plsync sync` by hand) may interleave: the last one's view wins.
 *
 * Whether a loop runs is not taken from the file (a killed loop cannot
 * clear it) but from the watch lock: <dir>/plsync-watch.lock, held with an
 * flock by the loop (sync-loop.c), which the kernel drops with the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sync-loop.h"

void sync_state_time(char *buf, size_t sz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) || !strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

static int64_t read_time(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return 0;
	return (int64_t)timegm(&tm);
}

/* The pid of the loop holding <dir>/plsync-watch.lock, or 0 if none does. */
static long watch_pid(const char *dir)
{
	char path[4096], buf[32] = "";
	long pid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/plsync-watch.lock", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) { /* nobody holds it */
		close(fd);
		return 0;
	}
	if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		pid = strtol(buf, NULL, 10);
	}
	close(fd);
	return pid > 0 ? pid : 1;
}

int sync_state_read(sync_state *s, const char *dir)
{
	char path[4096];
	json_error_t je;
	json_t *o;

	memset(s, 0, sizeof(*s));
	s->watch_pid = watch_pid(dir);
	snprintf(path, sizeof(path), "%s/sync-state", dir);
	if (!(o = json_load_file(path, 0, &je))) {
		if (access(path, F_OK) && errno == ENOENT)
			return 0;
		return pl_error_set(PL_ECORRUPT, "%s: %s (line %d): remove it, the next sync writes it again",
		                    path, je.text, je.line);
	}
	s->last_try = read_time(o, "last_try");
	s->last_ok = read_time(o, "last_ok");
	s->last_error_at = read_time(o, "last_error_at");
	s->next_try = s->watch_pid ? read_time(o, "next_try") : 0;
	s->failures = (unsigned)json_integer_value(json_object_get(o, "failures"));
	s->ceiling = s->watch_pid ? json_number_value(json_object_get(o, "backoff_ceiling")) : 0;
	snprintf(s->last_error, sizeof(s->last_error), "%s",
	         json_string_value(json_object_get(o, "last_error")) ? json_string_value(json_object_get(o, "last_error")) : "");
	json_decref(o);
	return 0;
}

static json_t *time_json(int64_t t)
{
	char buf[32];

	sync_state_time(buf, sizeof(buf), t);
	return buf[0] ? json_string(buf) : json_null();
}

int sync_state_write(const char *dir, const sync_state *s)
{
	char path[4096], tmp[4100];
	json_t *o = json_object();
	char *text = NULL;
	int fd = -1, rc = 0;
	size_t n;

	json_object_set_new(o, "last_try", time_json(s->last_try));
	json_object_set_new(o, "last_ok", time_json(s->last_ok));
	json_object_set_new(o, "failures", json_integer(s->failures));
	json_object_set_new(o, "last_error", s->last_error[0] ? json_string(s->last_error) : json_null());
	json_object_set_new(o, "last_error_at", time_json(s->last_error_at));
	json_object_set_new(o, "next_try", time_json(s->next_try));
	json_object_set_new(o, "backoff_ceiling", json_real(s->ceiling));
	text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	if (!text)
		return pl_error_set(PL_ERROR, "out of memory");
	snprintf(path, sizeof(path), "%s/sync-state", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = strlen(text);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, text, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd)) {
		rc = pl_error_from_errno(tmp);
		if (fd >= 0)
			unlink(tmp);
	} else if (rename(tmp, path)) {
		rc = pl_error_from_errno(path);
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

int sync_state_note(const char *dir, int rc, const char *error, time_t when)
{
	sync_state s;

	if (sync_state_read(&s, dir))
		memset(&s, 0, sizeof(s)); /* a damaged file is replaced */
	s.last_try = when;
	if (rc) {
		s.failures++;
		s.last_error_at = when;
		snprintf(s.last_error, sizeof(s.last_error), "%s", error ? error : "");
	} else {
		s.failures = 0;
		s.last_ok = when;
	}
	/* next_try and the ceiling are a running loop's to say */
	return sync_state_write(dir, &s);
}
