/*
 * clockshift.c — an LD_PRELOAD shim for tests: CLOCK_REALTIME read through
 * clock_gettime moves by $PLSYNC_TEST_SHIFT seconds (a school laptop whose
 * date is decades off). Only the HLC reads it that way; git's commit times
 * come from time(). Built by the shell test that uses it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	const char *shift = getenv("PLSYNC_TEST_SHIFT");
	int rc;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	rc = real(id, ts);
	if (rc == 0 && id == CLOCK_REALTIME && shift)
		ts->tv_sec += (time_t)atoll(shift);
	return rc;
}
