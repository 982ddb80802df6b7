/*
 * error.c — the per-thread last error.
 *
 * A failure sets its message once, where it starts; codes travel up
 * unchanged. Foreign codes (LMDB, libgit2, errno) are translated here, at the
 * boundary, into the few PL_E* codes a caller can act on. The message buffer
 * is thread-local: the only state this library keeps outside its handles.
 * A message never shows a secret: the password and query values of any URL
 * in it are hidden as it is set. A hint (what the program may tell the user
 * to run next) rides along as a code, never as text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <git2.h>
#include <lmdb.h>

#include "plsync/errors.h"
#include "plsync/text.h"

static _Thread_local pl_error last_error;

/* No message shows a URL's password or query values, whoever wrote it (we,
 * or libgit2 quoting the remote URL): msg is copied into the last error
 * redacted. */
static void set_message(const char *msg)
{
	if (strstr(msg, "://"))
		pl_text_redact(last_error.message, sizeof(last_error.message), msg);
	else
		snprintf(last_error.message, sizeof(last_error.message), "%s", msg);
}

int pl_error_vset(int code, const char *fmt, va_list ap)
{
	char msg[4 * PL_ERROR_MSG_MAX]; /* cut after redacting, never a URL before its '@' */

	last_error.code = code;
	last_error.hint = PL_HINT_NONE;
	last_error.hint_arg[0] = '\0';
	vsnprintf(msg, sizeof(msg), fmt, ap);
	set_message(msg);
	return code;
}

int pl_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pl_error_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int pl_error_prefix(const char *fmt, ...)
{
	char prefix[512], msg[PL_ERROR_MSG_MAX + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s: %s", prefix, last_error.message);
	set_message(msg);
	return last_error.code;
}

int pl_error_hint(enum pl_hint hint, const char *arg)
{
	last_error.hint = hint;
	if (arg && strstr(arg, "://"))
		pl_text_redact(last_error.hint_arg, sizeof(last_error.hint_arg), arg);
	else
		snprintf(last_error.hint_arg, sizeof(last_error.hint_arg), "%s", arg ? arg : "");
	return last_error.code;
}

const pl_error *pl_error_last(void)
{
	return &last_error;
}

void pl_error_clear(void)
{
	last_error.code = 0;
	last_error.message[0] = '\0';
	last_error.hint = PL_HINT_NONE;
	last_error.hint_arg[0] = '\0';
}

const char *pl_error_name(int code)
{
	switch (code) {
	case PL_OK:        return "ok";
	case PL_ENOTFOUND: return "not-found";
	case PL_EEXISTS:   return "exists";
	case PL_EINVALID:  return "invalid";
	case PL_ECONFLICT: return "conflict";
	case PL_ECORRUPT:  return "corrupt";
	case PL_EFULL:     return "full";
	case PL_ENET:      return "network";
	case PL_EAUTH:     return "auth";
	case PL_EUSER:     return "cancelled";
	case PL_EOS:       return "os";
	case PL_EUSAGE:    return "usage";
	default:           return "error";
	}
}

int pl_error_from_mdb(int rc, const char *what)
{
	int code = PL_ERROR;

	switch (rc) {
	case MDB_NOTFOUND:      code = PL_ENOTFOUND; break;
	case MDB_KEYEXIST:      code = PL_EEXISTS; break;
	case MDB_MAP_FULL:      code = PL_EFULL; break;
	case ENOSPC:
	case EDQUOT:            code = PL_EFULL; break;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH: code = PL_ECORRUPT; break;
	default:
		if (rc > 0)
			code = PL_EOS;
	}
	if (rc == ENOSPC || rc == EDQUOT)
		return pl_error_disk_full(what);
	return pl_error_set(code, "%s: %s", what, mdb_strerror(rc));
}

int pl_error_from_git(int rc, const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown libgit2 error";
	int code = PL_ERROR;

	if (rc == GIT_ENOTFOUND)
		code = PL_ENOTFOUND;
	else if (rc == GIT_EEXISTS)
		code = PL_EEXISTS;
	else if (rc == GIT_EUSER)
		code = PL_EUSER;
	else if (rc == GIT_EAUTH || rc == GIT_ECERTIFICATE)
		code = PL_EAUTH;
	else if (strstr(msg, "No space left on device") || strstr(msg, "Disk quota exceeded"))
		return pl_error_disk_full(what);
	else if (e && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_SSH ||
	               e->klass == GIT_ERROR_HTTP || e->klass == GIT_ERROR_SSL))
		code = PL_ENET;
	return pl_error_set(code, "%s: %s", what, msg);
}

int pl_error_from_errno(const char *what)
{
	int e = errno;
	if (e == ENOSPC || e == EDQUOT)
		return pl_error_disk_full(what);
	return pl_error_set(PL_EOS, "%s: %s", what, strerror(e));
}

int pl_error_disk_full(const char *where)
{
	return pl_error_set(PL_EFULL, "the disk is full (%s): free space and run it again; nothing was written",
	                    where);
}
