/*
 * plsync/user.h — the people who log in to the web app (`plsync serve`):
 * each is a staff id with roles and an Argon2id password hash.
 *
 * The accounts are kept in the data dir, in the file `users` (mode 0600,
 * JSON, replaced whole by rename under a lock file `users.lock`): never in
 * the store's op log, never in git, never synced. A password is stored only
 * as libsodium's crypto_pwhash_str (Argon2id, the "interactive" limits:
 * 2 passes over 64 MiB), which carries its own salt and parameters.
 *
 * Roles (a bit set):
 *   clerk        records for others (requests for anyone, completions)
 *   teacher      requests and evaluates their own PD
 *   approver     decides the requests of the staff whose recorded
 *                supervisor or budget manager they are (the rule itself is
 *                pl_workflow_approve's)
 *   coordinator  sees everything of the school
 *   admin        manages the accounts
 *
 * Functions return 0 or a PL_E* code with the message set.
 */
#ifndef PLSYNC_USER_H
#define PLSYNC_USER_H

#include <stddef.h>

#include <jansson.h>

enum pl_user_role {
	PL_USER_CLERK       = 1u << 0,
	PL_USER_TEACHER     = 1u << 1,
	PL_USER_APPROVER    = 1u << 2,
	PL_USER_COORDINATOR = 1u << 3,
	PL_USER_ADMIN       = 1u << 4
};
#define PL_USER_ROLES_ALL 0x1fu

/* A password's shortest length, in bytes. */
#define PL_USER_PASSWORD_MIN 8

/* "clerk" -> PL_USER_CLERK ...; 0 for anything else (or NULL). */
unsigned pl_user_role_parse(const char *name);
/* The name of one role bit ("clerk"), NULL for anything else. */
const char *pl_user_role_name(unsigned bit);
/* "clerk,teacher" for a bit set, into buf (always terminated). */
void pl_user_roles_text(char *buf, size_t size, unsigned roles);

/*
 * Add the account of staff id `staff` (a record id: letters, digits, '-',
 * '_', at most PL_ID_MAX) in data dir `dir` with `roles` (not 0) and
 * `password` (at least PL_USER_PASSWORD_MIN bytes, no NUL). Errors:
 * PL_EEXISTS (an account of that id), PL_EUSAGE (bad id, no role, short
 * password), PL_EOS, PL_ECORRUPT (the users file is damaged).
 */
int pl_user_add(const char *dir, const char *staff, unsigned roles, const char *password);
/* Set a new password. PL_ENOTFOUND if there is no such account. */
int pl_user_passwd(const char *dir, const char *staff, const char *password);
/* Replace the roles (not 0). PL_ENOTFOUND if there is no such account. */
int pl_user_set_roles(const char *dir, const char *staff, unsigned roles);
/* Remove the account. PL_ENOTFOUND if there is none. */
int pl_user_rm(const char *dir, const char *staff);

/*
 * The accounts, in staff id order: *out a new array (the caller's) of
 * {"staff": ID, "roles": ["clerk", ...]} (no hashes). No users file: [].
 */
int pl_user_list(json_t **out, const char *dir);

/*
 * Check `password` for `staff`: 0 with *roles set when it is right;
 * PL_EAUTH ("wrong staff id or password", the same whether the account
 * exists or not, and a hash is computed either way, so the time taken does
 * not tell). Other errors: PL_EOS, PL_ECORRUPT.
 */
int pl_user_check(unsigned *roles, const char *dir, const char *staff, const char *password);

#endif
