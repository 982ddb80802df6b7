/*
 * user.c — the web app's accounts (plsync/user.h): staff id, roles and an
 * Argon2id password hash, in the data dir's file `users`.
 *
 * Rules kept here:
 *  - the file is mode 0600 and replaced whole: written to users.tmp (0600,
 *    O_EXCL), fsynced, renamed over `users`, under an exclusive flock of
 *    users.lock, so two commands changing accounts at once do not lose one;
 *  - a file that others may read or write is refused, not used;
 *  - a password is never kept, only crypto_pwhash_str (Argon2id,
 *    interactive limits);
 *  - checking a password takes one hash whether the account exists or not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "plsync/errors.h"
#include "plsync/json.h"
#include "plsync/op.h"
#include "plsync/user.h"

static const char *const role_names[] = { "clerk", "teacher", "approver", "coordinator", "admin", NULL };

unsigned pl_user_role_parse(const char *name)
{
	for (unsigned i = 0; name && role_names[i]; i++)
		if (!strcmp(name, role_names[i]))
			return 1u << i;
	return 0;
}

const char *pl_user_role_name(unsigned bit)
{
	for (unsigned i = 0; role_names[i]; i++)
		if (bit == 1u << i)
			return role_names[i];
	return NULL;
}

void pl_user_roles_text(char *buf, size_t size, unsigned roles)
{
	size_t n = 0;

	if (size)
		buf[0] = 0;
	for (unsigned i = 0; role_names[i] && size; i++)
		if (roles & (1u << i)) {
			int k = snprintf(buf + n, size - n, "%s%s", n ? "," : "", role_names[i]);
			if (k < 0 || (size_t)k >= size - n)
				return;
			n += (size_t)k;
		}
}

static int crypto_ready(void)
{
	if (sodium_init() < 0)
		return pl_error_set(PL_ERROR, "libsodium could not be initialised");
	return 0;
}

static int staff_check(const char *staff)
{
	size_t n = staff ? strlen(staff) : 0;

	if (!n || n > PL_ID_MAX)
		return pl_error_set(PL_EUSAGE, "a staff id of 1 to %d characters is needed", PL_ID_MAX);
	for (const char *p = staff; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return pl_error_set(PL_EUSAGE, "staff id '%.*s': only letters, digits, '-' and '_'",
			                    PL_ID_MAX, staff);
	return 0;
}

static int password_check(const char *password)
{
	if (!password || strlen(password) < PL_USER_PASSWORD_MIN)
		return pl_error_set(PL_EUSAGE, "a password of at least %d characters is needed",
		                    PL_USER_PASSWORD_MIN);
	return 0;
}

static void path_of(char *buf, size_t sz, const char *dir, const char *name)
{
	snprintf(buf, sz, "%s/%s", dir, name);
}

/* Read the users file: {"version":1,"users":{ID:{"roles":[..],"hash":".."}}}. */
static int users_read(json_t **out, const char *dir)
{
	char path[4096];
	struct stat sb;
	json_error_t je;
	json_t *doc;

	*out = NULL;
	path_of(path, sizeof(path), dir, "users");
	if (stat(path, &sb)) {
		if (errno != ENOENT)
			return pl_error_from_errno(path);
		*out = json_pack("{si s{}}", "version", 1, "users");
		return *out ? 0 : pl_error_set(PL_ERROR, "out of memory");
	}
	if (sb.st_mode & 077)
		return pl_error_set(PL_EINVALID, "%s may be read or written by others (mode %04o); it holds "
		                    "password hashes: make it mode 0600", path, (unsigned)(sb.st_mode & 07777));
	if (!(doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je)))
		return pl_error_set(PL_ECORRUPT, "%s line %d column %d: %s", path, je.line, je.column, je.text);
	if (!json_is_object(json_object_get(doc, "users")) ||
	    json_integer_value(json_object_get(doc, "version")) != 1) {
		json_decref(doc);
		return pl_error_set(PL_ECORRUPT, "%s: not a plsync users file of version 1", path);
	}
	*out = doc;
	return 0;
}

static int users_write(const char *dir, const json_t *doc)
{
	char path[4096], tmp[4096];
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	size_t len, off = 0;
	int fd, rc = 0;

	if (!text)
		return pl_error_set(PL_ERROR, "out of memory");
	path_of(path, sizeof(path), dir, "users");
	path_of(tmp, sizeof(tmp), dir, "users.tmp");
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = pl_error_from_errno(tmp);
		goto out;
	}
	len = strlen(text);
	while (off < len && !rc) {
		ssize_t k = write(fd, text + off, len - off);
		if (k < 0 && errno != EINTR)
			rc = pl_error_from_errno(tmp);
		else if (k > 0)
			off += (size_t)k;
	}
	if (!rc && (write(fd, "\n", 1) != 1 || fsync(fd)))
		rc = pl_error_from_errno(tmp);
	if (close(fd) && !rc)
		rc = pl_error_from_errno(tmp);
	if (!rc && rename(tmp, path))
		rc = pl_error_from_errno(path);
	if (rc)
		unlink(tmp);
out:
	free(text);
	return rc;
}

/* Hold users.lock exclusively (the fd to close), for read-modify-write. */
static int lock_take(int *fd, const char *dir)
{
	char path[4096];

	path_of(path, sizeof(path), dir, "users.lock");
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return pl_error_from_errno(path);
	while (flock(*fd, LOCK_EX))
		if (errno != EINTR) {
			int rc = pl_error_from_errno(path);
			close(*fd);
			return rc;
		}
	return 0;
}

static int hash_make(char out[crypto_pwhash_STRBYTES], const char *password)
{
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return pl_error_set(PL_ERROR, "out of memory hashing the password (Argon2id takes 64 MiB)");
	return 0;
}

static json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (unsigned i = 0; role_names[i]; i++)
		if (roles & (1u << i))
			json_array_append_new(a, json_string(role_names[i]));
	return a;
}

static unsigned roles_of(const json_t *user)
{
	unsigned roles = 0;
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(user, "roles"), i, v)
		roles |= pl_user_role_parse(json_string_value(v));
	return roles;
}

enum change { ADD, PASSWD, ROLES, RM };

static int change(const char *dir, const char *staff, enum change what, unsigned roles,
                  const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	json_t *doc = NULL, *users, *user;
	int fd = -1, rc;

	if ((rc = staff_check(staff)) || (rc = crypto_ready()))
		return rc;
	if ((what == ADD || what == ROLES) && !(roles & PL_USER_ROLES_ALL))
		return pl_error_set(PL_EUSAGE, "an account needs at least one role: clerk, teacher, "
		                    "approver, coordinator or admin");
	if ((what == ADD || what == PASSWD) && ((rc = password_check(password)) || (rc = hash_make(hash, password))))
		return rc;
	if ((rc = lock_take(&fd, dir)) || (rc = users_read(&doc, dir)))
		goto out;
	users = json_object_get(doc, "users");
	user = json_object_get(users, staff);
	if (what == ADD && user) {
		rc = pl_error_set(PL_EEXISTS, "there is an account for %s already", staff);
		goto out;
	}
	if (what != ADD && !user) {
		rc = pl_error_set(PL_ENOTFOUND, "there is no account for %s", staff);
		goto out;
	}
	switch (what) {
	case ADD:
		json_object_set_new(users, staff, json_pack("{so ss}", "roles", roles_json(roles), "hash", hash));
		break;
	case PASSWD:
		json_object_set_new(user, "hash", json_string(hash));
		break;
	case ROLES:
		json_object_set_new(user, "roles", roles_json(roles));
		break;
	case RM:
		json_object_del(users, staff);
		break;
	}
	rc = users_write(dir, doc);
out:
	sodium_memzero(hash, sizeof(hash));
	json_decref(doc);
	if (fd >= 0)
		close(fd);
	return rc;
}

int pl_user_add(const char *dir, const char *staff, unsigned roles, const char *password)
{
	return change(dir, staff, ADD, roles, password);
}

int pl_user_passwd(const char *dir, const char *staff, const char *password)
{
	return change(dir, staff, PASSWD, 0, password);
}

int pl_user_set_roles(const char *dir, const char *staff, unsigned roles)
{
	return change(dir, staff, ROLES, roles, NULL);
}

int pl_user_rm(const char *dir, const char *staff)
{
	return change(dir, staff, RM, 0, NULL);
}

int pl_user_list(json_t **out, const char *dir)
{
	json_t *doc = NULL, *list, *users;
	const char **keys;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = users_read(&doc, dir)))
		return rc;
	users = json_object_get(doc, "users");
	keys = pl_json_keys(users, &n);
	list = json_array();
	for (size_t i = 0; keys && i < n; i++)
		json_array_append_new(list, json_pack("{ss so}", "staff", keys[i], "roles",
		                                      roles_json(roles_of(json_object_get(users, keys[i])))));
	free(keys);
	json_decref(doc);
	*out = list;
	return 0;
}

int pl_user_check(unsigned *roles, const char *dir, const char *staff, const char *password)
{
	/* checked against when there is no such account, so both take one hash
	 * of the same cost (the hash of a password nobody types, made once) */
	static const char dummy[crypto_pwhash_STRBYTES] =
		"$argon2id$v=19$m=65536,t=2,p=1$TfOpg+b3UMJTAYG9j9WnBA$s6F9mATeTuJDC4i8SOorID9TPqRsGIgUHKmLx6cVGZ4";
	json_t *doc = NULL, *user;
	const char *hash;
	int rc, good;

	*roles = 0;
	if ((rc = crypto_ready()) || (rc = users_read(&doc, dir)))
		return rc;
	user = staff ? json_object_get(json_object_get(doc, "users"), staff) : NULL;
	hash = json_string_value(json_object_get(user, "hash"));
	if (!password)
		password = "";
	good = crypto_pwhash_str_verify(hash ? hash : dummy, password, strlen(password)) == 0 && hash;
	if (good)
		*roles = roles_of(user);
	json_decref(doc);
	return good ? 0 : pl_error_set(PL_EAUTH, "wrong staff id or password");
}
