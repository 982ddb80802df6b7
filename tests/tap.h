/*
 * tap.h — a tiny TAP producer for plsync's C tests.
 *
 *   plan(n)                      announce n tests (or call done_testing())
 *   ok(cond, fmt, ...)           one test; returns cond
 *   is_int(got, want, fmt, ...)  integers equal (got first, then want)
 *   is_str(got, want, fmt, ...)  strings equal (NULL-safe; got first)
 *   diag(fmt, ...)               a "# ..." comment on stderr
 *   skip(n, why)                 mark n tests skipped (only for a missing
 *                                optional tool, never for a failure)
 *   bail(fmt, ...)               "Bail out!" and exit 255
 *   done_testing()               print the plan if none was given; returns
 *                                the exit code: 0 if all passed
 *
 * Test names read as sentences about behaviour.
 */
#ifndef PLSYNC_TESTS_TAP_H
#define PLSYNC_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static inline void tap_vline(int pass, const char *fmt, va_list ap)
{
	printf("%sok %d - ", pass ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	if (!pass)
		tap_failed++;
}

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline int ok(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int pass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vline(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static inline void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "# ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static inline int is_int(long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;
	va_start(ap, fmt);
	tap_vline(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("     got: %lld\n#   expected: %lld", got, want);
	return pass;
}

static inline int is_str(const char *got, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline int is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int pass = (got && want) ? strcmp(got, want) == 0 : got == want;
	va_start(ap, fmt);
	tap_vline(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("     got: '%s'\n#   expected: '%s'", got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static inline void skip(int n, const char *why)
{
	for (int i = 0; i < n; i++)
		printf("ok %d # skip %s\n", ++tap_n, why);
	fflush(stdout);
}

static inline void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void bail(const char *fmt, ...)
{
	va_list ap;
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(255);
}

static inline int done_testing(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	fflush(stdout);
	if (tap_planned && tap_planned != tap_n)
		return 255;
	return tap_failed ? 1 : 0;
}

#endif
