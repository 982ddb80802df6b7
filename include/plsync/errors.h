/*
 * plsync/errors.h — error codes and the per-thread error message.
 *
 * Every library function returns 0 on success or one of the negative PL_E*
 * codes below, and on failure sets a message once, where the error starts,
 * with pl_error_set(). Callers pass the code up unchanged; only programs
 * (agent/, tools/) print pl_error_last()->message and exit.
 *
 * A message says what went wrong, and what to do in words, but never names a
 * program's command or option: where the next step is one, the library adds
 * a hint code (pl_error_hint) and each program renders it in its own words
 * (the command-line programs in cli/hints.c).
 */
#ifndef PLSYNC_ERRORS_H
#define PLSYNC_ERRORS_H

#include <stdarg.h>

enum {
	PL_OK        =   0,
	PL_ERROR     =  -1, /* generic failure: read the message */
	PL_ENOTFOUND =  -2, /* the record, op, file or key does not exist */
	PL_EEXISTS   =  -3, /* it exists already (record id, data dir) */
	PL_EINVALID  =  -4, /* a value breaks the schema: fix the input */
	PL_ECONFLICT =  -5, /* concurrent changes to one field */
	PL_ECORRUPT  =  -6, /* stored or received bytes are malformed or forged */
	PL_EFULL     =  -7, /* disk or map full and cannot grow */
	PL_ENET      =  -8, /* network unreachable or dropped: retry later */
	PL_EAUTH     =  -9, /* credentials or certificate refused */
	PL_EUSER     = -10, /* a callback asked to stop */
	PL_EOS       = -11, /* an operating-system call failed (errno in the message) */
	PL_EUSAGE    = -12  /* a bad argument from the caller */
};

#define PL_ERROR_MSG_MAX 1024
#define PL_HINT_ARG_MAX  256

/*
 * The next step a program can offer after the message: a command to run.
 * Each comment says what the step is; the text is the program's.
 */
enum pl_hint {
	PL_HINT_NONE = 0,
	PL_HINT_INIT,           /* no store in the data dir: make one (init) */
	PL_HINT_SYNC,           /* what is missing comes with a sync: sync, then retry */
	PL_HINT_SYNC_RETRY,     /* the link dropped, nothing lost: sync again later */
	PL_HINT_SYNC_BUSY,      /* another sync holds the lock: wait, sync again */
	PL_HINT_NEW_MIRROR,     /* the mirror was moved away: a sync makes a new one */
	PL_HINT_SET_FIELD,      /* the record exists: change it (arg: the id) */
	PL_HINT_CHECK,          /* stored state is damaged: check the store */
	PL_HINT_DISTRICT_INIT,  /* no district repository: make it (arg: the path) */
	PL_HINT_REMOTE_INIT,    /* no repository at the remote path: fix the URL
	                           or make it (arg: the path) */
	PL_HINT_REMOTE_URL,     /* no remote: name one, or configure it */
	PL_HINT_REBUILD_CACHE,  /* the district merge cache is damaged: rebuild it */
	PL_HINT_AUDIT_VERIFY,   /* the district main itself is damaged: verify it */
	PL_HINT_BUNDLE_SINCE,   /* a bundle would be too big: split it by op range */
	PL_HINT_BUNDLE_CREATE,  /* not a bundle: say how bundles are made */
	PL_HINT_DISTRICT_TRANSCRIPT /* one store's transcript may miss other schools'
	                               PL: the district's covers them (arg: staff id) */
};

typedef struct pl_error {
	int  code;                      /* the PL_E* code of the last failure */
	char message[PL_ERROR_MSG_MAX]; /* one line, no trailing newline */
	enum pl_hint hint;              /* PL_HINT_NONE unless pl_error_hint set one */
	char hint_arg[PL_HINT_ARG_MAX]; /* the hint's argument (an id, a path), or "" */
} pl_error;

/*
 * Set this thread's last error and return `code`, so that a failing path can
 * read `return pl_error_set(PL_EINVALID, "...", ...);`. Clears the hint. The password and
 * query values of any URL in the message are replaced by "***"
 * (pl_text_redact), so a message may quote a remote URL as it was given.
 */
int pl_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pl_error_vset(int code, const char *fmt, va_list ap);

/*
 * Prefix the current message with "what: " (for adding context such as a
 * file name and line on the way up) and return the current code. The hint
 * is kept.
 */
int pl_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Attach a hint (and its argument, NULL for none; cut to PL_HINT_ARG_MAX) to
 * the error just set, and return the current code, so that a failing path
 * can read `return pl_error_hint(PL_HINT_SYNC, NULL);` right after
 * pl_error_set. The message stays a sentence without the command: the
 * program appends its own text for the hint.
 */
int pl_error_hint(enum pl_hint hint, const char *arg);

/* This thread's last error. Never NULL; message is "" if nothing failed. */
const pl_error *pl_error_last(void);

void pl_error_clear(void);

/* Short name of a code ("invalid", "corrupt"...), for --json output. */
const char *pl_error_name(int code);

/* Translate an LMDB return code (MDB_*, errno) at the boundary. */
int pl_error_from_mdb(int rc, const char *what);

/* Translate a libgit2 return code; reads git_error_last(), which may be NULL. */
int pl_error_from_git(int rc, const char *what);

/* Translate errno after a failed system call on `what` (usually a path). */
int pl_error_from_errno(const char *what);

/*
 * PL_EFULL with the one message for a full disk (or quota): "the disk is
 * full (WHERE): free space and run it again; nothing was written". Every
 * translator above uses it for ENOSPC and EDQUOT; the caller's guarantee
 * (one transaction, a temporary file renamed last) is what makes the
 * "nothing was written" true.
 */
int pl_error_disk_full(const char *where);

#endif
