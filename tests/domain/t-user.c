/*
 * The web app's accounts (plsync/user.h) in a real data dir: an account is
 * added with its roles and an Argon2id hash (never the password), checked
 * with the right password and refused with a wrong one or for an unknown
 * account (the same error); roles parse, print and change; the file is mode
 * 0600 and one others may read is refused; passwd, rm and the errors for a
 * missing or a second account, a short password, a bad id and no role; a
 * damaged file is an error naming it, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plsync/plsync.h"
#include "plsync/user.h"
#include "../tap.h"
#include "../testlib.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 16);

	if (f && buf)
		buf[fread(buf, 1, (1 << 16) - 1, f)] = 0;
	if (f)
		fclose(f);
	return buf;
}

int main(void)
{
	char dir[] = "/tmp/plsync-t-user.XXXXXX", path[256], text[128];
	unsigned roles = 0;
	struct stat sb;
	json_t *list = NULL;
	char *file;
	FILE *f;

	plan(38);
	tl_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/users", dir);

	/* roles */
	is_int(pl_user_role_parse("clerk"), PL_USER_CLERK, "clerk parses");
	is_int(pl_user_role_parse("approver"), PL_USER_APPROVER, "approver parses");
	is_int(pl_user_role_parse("principal"), 0, "an unknown role is 0");
	pl_user_roles_text(text, sizeof(text), PL_USER_TEACHER | PL_USER_ADMIN | PL_USER_CLERK);
	is_str(text, "clerk,teacher,admin", "a role set prints in order");

	/* no file yet */
	ok(pl_user_list(&list, dir) == 0 && json_array_size(list) == 0, "no users file: no accounts");
	json_decref(list);
	ok(pl_user_check(&roles, dir, "E100", "password-1") == PL_EAUTH, "no users file: every login is refused");

	/* add */
	ok(pl_user_add(dir, "E100", PL_USER_TEACHER, "correct horse") == 0, "an account is added");
	ok(pl_user_add(dir, "E200", PL_USER_APPROVER | PL_USER_COORDINATOR, "battery staple") == 0, "a second one");
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the users file is mode 0600 (%04o)",
	   (unsigned)(sb.st_mode & 0777));
	file = slurp(path);
	ok(file && !strstr(file, "correct horse") && !strstr(file, "battery staple"), "no password is in the file");
	ok(file && strstr(file, "$argon2id$") != NULL, "the hashes are Argon2id");
	free(file);

	/* check */
	ok(pl_user_check(&roles, dir, "E100", "correct horse") == 0, "the right password is taken");
	is_int(roles, PL_USER_TEACHER, "with the account's roles");
	ok(pl_user_check(&roles, dir, "E100", "correct horsE") == PL_EAUTH, "a wrong password is refused");
	is_int(roles, 0, "and gives no role");
	is_str(pl_error_last()->message, "wrong staff id or password", "the message does not say which");
	ok(pl_user_check(&roles, dir, "E999", "correct horse") == PL_EAUTH, "an unknown account is refused");
	is_str(pl_error_last()->message, "wrong staff id or password", "with the same message");
	ok(pl_user_check(&roles, dir, "E200", "battery staple") == 0 &&
	   roles == (PL_USER_APPROVER | PL_USER_COORDINATOR), "the second account has both its roles");
	ok(pl_user_check(&roles, dir, "E100", "") == PL_EAUTH, "an empty password is refused");

	/* errors */
	ok(pl_user_add(dir, "E100", PL_USER_CLERK, "another password") == PL_EEXISTS, "a second account for one id is refused");
	ok(pl_user_add(dir, "E300", PL_USER_CLERK, "short") == PL_EUSAGE, "a short password is refused");
	ok(strstr(pl_error_last()->message, "at least 8") != NULL, "saying how long it must be");
	ok(pl_user_add(dir, "E300", 0, "long enough pw") == PL_EUSAGE, "an account with no role is refused");
	ok(pl_user_add(dir, "E3/../x", PL_USER_CLERK, "long enough pw") == PL_EUSAGE, "a bad staff id is refused");
	ok(pl_user_passwd(dir, "E999", "long enough pw") == PL_ENOTFOUND, "passwd of a missing account");
	ok(pl_user_rm(dir, "E999") == PL_ENOTFOUND, "rm of a missing account");

	/* passwd, roles, rm */
	ok(pl_user_passwd(dir, "E100", "new password 1") == 0, "passwd");
	ok(pl_user_check(&roles, dir, "E100", "correct horse") == PL_EAUTH, "the old password no longer works");
	ok(pl_user_check(&roles, dir, "E100", "new password 1") == 0, "the new one does");
	ok(pl_user_set_roles(dir, "E100", PL_USER_TEACHER | PL_USER_CLERK) == 0 &&
	   pl_user_check(&roles, dir, "E100", "new password 1") == 0 && roles == (PL_USER_TEACHER | PL_USER_CLERK),
	   "roles are changed");
	ok(pl_user_rm(dir, "E200") == 0, "rm");
	ok(pl_user_check(&roles, dir, "E200", "battery staple") == PL_EAUTH, "a removed account cannot log in");
	ok(pl_user_list(&list, dir) == 0 && json_array_size(list) == 1 &&
	   !strcmp(json_string_value(json_object_get(json_array_get(list, 0), "staff")), "E100") &&
	   !json_object_get(json_array_get(list, 0), "hash"), "the list has the one account left, without its hash");
	json_decref(list);
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "still mode 0600 after the rewrites");

	/* a file others may read, a damaged file */
	chmod(path, 0644);
	ok(pl_user_check(&roles, dir, "E100", "new password 1") == PL_EINVALID &&
	   strstr(pl_error_last()->message, "mode 0644") != NULL, "a users file others may read is refused, naming its mode");
	chmod(path, 0600);
	if ((f = fopen(path, "w"))) {
		fputs("{\"version\":1,\"users\":{\"E100\":", f);
		fclose(f);
	}
	ok(pl_user_check(&roles, dir, "E100", "new password 1") == PL_ECORRUPT &&
	   strstr(pl_error_last()->message, "users line 1") != NULL, "a damaged file is an error naming file and line");
	if ((f = fopen(path, "w"))) {
		fputs("[1,2]", f);
		fclose(f);
	}
	ok(pl_user_add(dir, "E500", PL_USER_CLERK, "long enough pw") == PL_ECORRUPT, "a file of another shape is refused");

	tl_rm_rf(dir);
	return done_testing();
}
