/*
 * cmd-remind.c — `plsync remind`: per person, what they should be reminded
 * of (plsync/remind.h), as text, or as one RFC 5322 message per person
 * written to a directory or handed to the configured sendmail (`-t -i`,
 * run directly, no shell). No mail is sent by plsync itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workflow.h"
#include "plsync/remind.h"

/* The message's Date: the day asked for (--today or $PLSYNC_TODAY) at
 * 00:00 UTC, so a test gets the same bytes; else now. */
static time_t message_time(const char *today, const char *day)
{
	struct tm tm = { 0 };

	if (!today && !getenv("PLSYNC_TODAY"))
		return time(NULL);
	tm.tm_year = atoi(day) - 1900;
	tm.tm_mon = atoi(day + 5) - 1;
	tm.tm_mday = atoi(day + 8);
	return timegm(&tm);
}

/* The message, made in memory first: nothing is written or run for a
 * person it cannot be made for. *buf malloc'd. */
static int render(char **buf, size_t *len, const json_t *p, const char *from, time_t when)
{
	FILE *f = open_memstream(buf, len);
	int rc;

	if (!f)
		return pl_error_from_errno("making the message");
	rc = pl_remind_eml(f, p, from, when);
	if (fclose(f) && !rc)
		rc = pl_error_from_errno("making the message");
	return rc;
}

static int write_file(const char *dir, const json_t *p, const char *msg, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s.eml", dir, json_string_value(json_object_get(p, "staff")));
	if (!(f = fopen(path, "w")))
		return pl_error_from_errno(path);
	if (fwrite(msg, 1, len, f) != len)
		rc = pl_error_from_errno(path);
	if (fclose(f) && !rc)
		rc = pl_error_from_errno(path);
	if (rc)
		unlink(path);
	return rc;
}

/* One message to `sendmail -t -i` through a pipe; its exit status checked. */
static int hand_to(const char *sendmail, const json_t *p, const char *msg, size_t len)
{
	int fd[2], status = 0, rc = 0;
	pid_t pid;

	if (pipe(fd))
		return pl_error_from_errno("pipe");
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return pl_error_from_errno("fork");
	}
	if (!pid) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		execl(sendmail, sendmail, "-t", "-i", (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	signal(SIGPIPE, SIG_IGN);
	for (size_t off = 0; off < len && !rc;) {
		ssize_t n = write(fd[1], msg + off, len - off);
		if (n < 0 && errno != EINTR)
			rc = pl_error_from_errno(sendmail);
		else if (n > 0)
			off += (size_t)n;
	}
	close(fd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status)))
		rc = pl_error_set(PL_ERROR, "%s -t -i failed (exit status %d) for staff %s", sendmail,
		                  WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		                  json_string_value(json_object_get(p, "staff")));
	return rc;
}

static int cmd_remind(cli *c, int argc, char **argv)
{
	const char *today = NULL, *days_s = NULL, *format = "text", *out = NULL;
	opt_spec specs[] = {
		{ "days", 1, &days_s, NULL }, { "format", 1, &format, NULL }, { "out", 1, &out, NULL },
		{ "today", 1, &today, NULL }, { "json", 0, NULL, NULL }, { NULL, 0, NULL, NULL }
	};
	pl_remind_options ro = PL_REMIND_OPTIONS_INIT;
	char **pos = NULL, day[11], actor[400], *from = NULL, *sendmail = NULL;
	json_t *ds = NULL, *rem = NULL, *p;
	int npos, rc, failed = 0, written = 0;
	size_t i;

	if ((rc = opts_parse(&cmd_remind_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos)
		rc = cli_usage(&cmd_remind_entry, "no arguments expected");
	else if (days_s && (strspn(days_s, "0123456789") != strlen(days_s) || !*days_s || strlen(days_s) > 5))
		rc = cli_usage(&cmd_remind_entry, "--days %s: give a whole number of days", days_s);
	else if (strcmp(format, "text") && strcmp(format, "eml") && strcmp(format, "json"))
		rc = cli_usage(&cmd_remind_entry, "--format %s: text, eml or json", format);
	else if (out && strcmp(format, "eml"))
		rc = cli_usage(&cmd_remind_entry, "--out is for --format eml");
	if (rc)
		goto cleanup;
	ro.today = day;
	ro.days = days_s ? (atoi(days_s) ? atoi(days_s) : -1) : 0;
	if (today_get(day, today) || dataset_load(&ds, c->store) || pl_remind(&rem, ds, &ro)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	if (!strcmp(format, "text")) {
		rc = pl_remind_write(stdout, rem, day) ? cli_fail(c) : EXIT_OK;
		goto cleanup;
	}
	if (!strcmp(format, "json")) {
		rc = pl_json_write(stdout, rem) ? cli_fail(c) : EXIT_OK;
		goto cleanup;
	}
	config_get(&from, c->dir, "remind.from");
	config_get(&sendmail, c->dir, "remind.sendmail");
	if (!out && (!sendmail || !*sendmail)) {
		rc = cli_usage(&cmd_remind_entry, "--format eml needs --out DIR, or remind.sendmail in the config");
		goto cleanup;
	}
	if (!from)
		config_actor(actor, sizeof(actor), c->dir);
	if (out && mkdir(out, 0700) && errno != EEXIST) {
		rc = cli_error(EXIT_FAIL, "%s: %s", out, strerror(errno));
		goto cleanup;
	}
	json_array_foreach(rem, i, p) {
		char *msg = NULL;
		size_t len = 0;
		int r = render(&msg, &len, p, from ? from : actor, message_time(today, day));

		if (!r)
			r = out ? write_file(out, p, msg, len) : hand_to(sendmail, p, msg, len);
		free(msg);
		if (r) {
			fprintf(stderr, "plsync: remind: %s; skipped\n", pl_error_last()->message);
			failed++;
		} else {
			written++;
		}
	}
	printf("%d message%s %s%s%s\n", written, written == 1 ? "" : "s", out ? "written to " : "handed to ",
	       out ? out : sendmail, failed ? "" : "");
	rc = failed ? cli_error(EXIT_FAIL, "%d %s not be reminded by mail (see above)", failed,
	                        failed == 1 ? "person could" : "people could") : EXIT_OK;
cleanup:
	free(from);
	free(sendmail);
	json_decref(rem);
	json_decref(ds);
	free(pos);
	return rc;
}

const cmd_entry cmd_remind_entry = {
	.name = "remind",
	.synopsis = "remind [--days N] [--format text|eml|json] [--out DIR] [--today DATE]",
	.summary = "reminders per person: licenses, approvals waiting, evaluations, trainings",
	.help =
	"Lists, for each person, what to remind them of: their license expiring within\n"
	"90 days (or expired); approvals waiting on them (the next step of a requested\n"
	"entry's approval chain) for more than N days since the request; their completed\n"
	"PD not evaluated yet; their required trainings due soon or overdue.\n"
	"\n"
	"With --format eml each person's reminders become one RFC 5322 message\n"
	"(text/plain, UTF-8, quoted-printable; names that are not plain ASCII are RFC\n"
	"2047-encoded, control characters in them made spaces), From remind.from (else\n"
	"user.name and user.email), To the staff record's email: written to DIR/ID.eml\n"
	"with --out DIR, or handed one by one to the program in remind.sendmail as\n"
	"`sendmail -t -i`. plsync has no SMTP client. People without an email are\n"
	"named on stderr and skipped, and the exit status is then 1.\n"
	"\n"
	"  --days N       approvals waiting more than N days (default 7; 0: any)\n"
	"  --format F     text (default), eml or json\n"
	"  --out DIR      with --format eml: the directory for the messages (made if needed)\n"
	"  --today DATE   what \"today\" is (also $PLSYNC_TODAY); the messages' Date is\n"
	"                 then that day, 00:00 UTC\n"
	"\n"
	"Examples:\n"
	"  plsync remind --days 14\n"
	"  plsync remind --format eml --out /var/spool/plsync-remind\n"
	"  git config -f DIR/config remind.sendmail /usr/sbin/sendmail && plsync remind --format eml\n",
	.needs_store = 1,
	.exec = cmd_remind,
};
