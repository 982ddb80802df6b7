/*
 * bench.h — what every in-process benchmark of bench/ shares: the monotonic
 * clock, the machine's load (it is shared: figures are noisy, so each run
 * says how loaded it was), and the temporary directory a run makes and
 * removes. Include it once, in the benchmark's one source file, after
 * defining BENCH_NAME ("bench/write") for its messages.
 */
#ifndef PLSYNC_BENCH_H
#define PLSYNC_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench.h"
#endif

/* The run's temporary directory ("" until made). */
static char bench_root[4096];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Remove the run's temporary directory, if made. */
static void remove_root(void)
{
	char cmd[4200];

	if (!bench_root[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bench_root);
	if (system(cmd) != 0)
		fprintf(stderr, BENCH_NAME ": could not remove %s\n", bench_root);
	bench_root[0] = '\0';
}

/* The machine's load, as uptime says it. */
static void print_load(const char *when)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double l1 = 0, l5 = 0, l15 = 0;
	if (f && fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) == 3)
		printf("  load average %s: %.2f %.2f %.2f (%ld cpus)\n", when, l1, l5, l15,
		       sysconf(_SC_NPROCESSORS_ONLN));
	if (f)
		fclose(f);
}

#endif
