/*
 * hlc.c — the hybrid logical clock.
 *
 * 48 bits of unix milliseconds, 16 bits of counter. A local write takes
 * max(wall, last) and, if that did not move past `last`, last + 1; receiving
 * an op moves the clock to at least the op's, but no further than a day
 * past the wall clock (pl_hlc_recv_bounded): an op from a clock years ahead
 * is accepted and reported, and pins only the record it is on, whose next
 * local change the store stamps past that record's newest clock.
 */
#include <stdio.h>
#include <time.h>

#include "plsync/op.h"

uint64_t pl_hlc_next(uint64_t last, uint64_t wall_ms)
{
	uint64_t wall = wall_ms << 16;
	if (wall > last)
		return wall;
	return last == UINT64_MAX ? last : last + 1; /* saturate, never wrap to 0 */
}

uint64_t pl_hlc_recv(uint64_t last, uint64_t remote)
{
	return remote > last ? remote : last;
}

uint64_t pl_hlc_recv_bounded(uint64_t last, uint64_t remote, uint64_t wall_ms)
{
	uint64_t bound = (wall_ms + PL_HLC_AHEAD_MS) << 16;
	return pl_hlc_recv(last, remote < bound ? remote : bound);
}

uint64_t pl_hlc_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void pl_hlc_fmt(char out[32], uint64_t hlc)
{
	uint64_t ms = hlc >> 16;
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (unsigned)(ms % 1000));
}
