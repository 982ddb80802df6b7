/*
 * health.c — what `status --check` and `status --prometheus` share in the
 * three programs: durations, the thresholds --warn and --crit, the
 * Nagios plugin states (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and the
 * one line a check prints (see cli.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_duration(int *out, const char *text)
{
	char *end;
	long v, mult = 1;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || v < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	if (v > 366L * 86400 / mult)
		return -1;
	*out = (int)(v * mult);
	return 0;
}

int cli_check_args(const cmd_entry *e, cli_check *ck, const char *warn, const char *crit)
{
	ck->warn = 86400;
	ck->crit = 3 * 86400;
	if (warn && cli_duration(&ck->warn, warn))
		return cli_usage(e, "--warn %s: give a duration (seconds, or a number with s, m, h or d)", warn);
	if (crit && cli_duration(&ck->crit, crit))
		return cli_usage(e, "--crit %s: give a duration (seconds, or a number with s, m, h or d)", crit);
	if (ck->warn > ck->crit)
		return cli_usage(e, "--warn (%d s) must not be longer than --crit (%d s)", ck->warn, ck->crit);
	return 0;
}

int cli_check_age(const cli_check *ck, int64_t age)
{
	return age >= ck->crit ? CLI_CRITICAL : age >= ck->warn ? CLI_WARNING : CLI_OK;
}

const char *cli_check_name(int state)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	return state >= 0 && state <= 3 ? names[state] : "UNKNOWN";
}

int64_t cli_time_parse(const char *text)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if (!text || !(end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	return (int64_t)timegm(&tm);
}

void cli_age_text(char *buf, size_t sz, int64_t age)
{
	if (age < 0)
		age = 0;
	if (age < 120)
		snprintf(buf, sz, "%llds", (long long)age);
	else if (age < 7200)
		snprintf(buf, sz, "%lldm", (long long)(age / 60));
	else if (age < 2 * 86400)
		snprintf(buf, sz, "%lldh", (long long)(age / 3600));
	else
		snprintf(buf, sz, "%lldd", (long long)(age / 86400));
}
