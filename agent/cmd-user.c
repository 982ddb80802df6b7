/*
 * cmd-user.c — `plsync user add|passwd|rm|ls`: the accounts of the web app
 * (`plsync serve`). The accounts and their rules are the library's
 * (plsync/user.h, domain/user.c); this file reads the password (from a
 * terminal with echo off, or one line of stdin with --password-stdin),
 * calls, and prints.
 */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "agent.h"
#include "plsync/user.h"

extern const cmd_entry cmd_user_entry;

/* One line of f without its newline, into buf; 0, or -1 at end of input. */
static int line_read(char *buf, size_t sz, FILE *f)
{
	size_t n;

	if (!fgets(buf, (int)sz, f))
		return -1;
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	return 0;
}

static int prompt(char *buf, size_t sz, const char *what)
{
	struct termios old, quiet;
	int rc;

	fprintf(stderr, "%s", what);
	fflush(stderr);
	if (tcgetattr(0, &old))
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(0, TCSAFLUSH, &quiet);
	rc = line_read(buf, sz, stdin);
	tcsetattr(0, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* The new password: stdin's first line, or asked twice on the terminal. */
static int password_get(const cmd_entry *e, char *buf, size_t sz, int from_stdin, const char *staff)
{
	char again[512], what[128];

	if (from_stdin) {
		if (line_read(buf, sz, stdin))
			return cli_usage(e, "--password-stdin: no password on standard input");
		return 0;
	}
	if (!isatty(0))
		return cli_usage(e, "standard input is not a terminal: give the password with --password-stdin");
	snprintf(what, sizeof(what), "New password for %s: ", staff);
	if (prompt(buf, sz, what) || prompt(again, sizeof(again), "The same again: "))
		return cli_error(EXIT_FAIL, "no password read");
	if (strcmp(buf, again))
		return cli_error(EXIT_FAIL, "the two passwords differ; nothing changed");
	return 0;
}

/* "clerk,teacher" -> bits; 0 and the usage printed for an unknown one. */
static unsigned roles_get(const cmd_entry *e, const char *list, int *rc)
{
	char buf[256], *save = NULL, *w;
	unsigned roles = 0, bit;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		if (!(bit = pl_user_role_parse(w))) {
			*rc = cli_usage(e, "--role %s: the roles are clerk, teacher, approver, coordinator and admin", w);
			return 0;
		}
		roles |= bit;
	}
	if (!roles)
		*rc = cli_usage(e, "give the account's roles: --role ROLE[,ROLE...]");
	return roles;
}

static int user_add(cli *c, const cmd_entry *e, const char *staff, const char *role_list, int from_stdin)
{
	char pw[512];
	pl_record *r = NULL;
	unsigned roles;
	int rc = 0;

	if (!(roles = roles_get(e, role_list, &rc)))
		return rc;
	if (pl_store_get_state(&r, c->store, staff) || r->deleted || strcmp(r->kind, "staff")) {
		pl_record_free(r);
		return cli_error(EXIT_FAIL, "%s is not a staff record of this store; add it first: "
		                 "plsync add staff --id %s name=...", staff, staff);
	}
	pl_record_free(r);
	if ((rc = password_get(e, pw, sizeof(pw), from_stdin, staff)))
		return rc;
	rc = pl_user_add(c->dir, staff, roles, pw) ? cli_fail(c) : EXIT_OK;
	memset(pw, 0, sizeof(pw));
	if (!rc) {
		char text[128];
		pl_user_roles_text(text, sizeof(text), roles);
		printf("%s: account added (%s)\n", staff, text);
	}
	return rc;
}

static int cmd_user(cli *c, int argc, char **argv)
{
	const cmd_entry *e = &cmd_user_entry;
	const char *role = NULL;
	int from_stdin = 0, npos, rc;
	opt_spec specs[] = {
		{ "role", 1, &role, NULL }, { "password-stdin", 0, NULL, &from_stdin }, { NULL, 0, NULL, NULL }
	};
	char **pos = NULL, pw[512];

	if ((rc = opts_parse(e, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 1) {
		rc = cli_usage(e, "which? add, passwd, rm or ls");
	} else if (!strcmp(pos[0], "ls")) {
		json_t *list = NULL, *u, *r;
		size_t i, k;
		if (npos != 1) {
			rc = cli_usage(e, "user ls takes no argument");
		} else if (pl_user_list(&list, c->dir)) {
			rc = cli_fail(c);
		} else {
			json_array_foreach(list, i, u) {
				pl_term_fputs(stdout, json_string_value(json_object_get(u, "staff")));
				json_array_foreach(json_object_get(u, "roles"), k, r)
					printf("%s%s", k ? "," : "\t", json_string_value(r));
				putchar('\n');
			}
			json_decref(list);
		}
	} else if (npos != 2) {
		rc = cli_usage(e, "user %s STAFF_ID: one staff id", pos[0]);
	} else if (!strcmp(pos[0], "add")) {
		rc = user_add(c, e, pos[1], role, from_stdin);
	} else if (!strcmp(pos[0], "passwd")) {
		if (!(rc = password_get(e, pw, sizeof(pw), from_stdin, pos[1])))
			rc = pl_user_passwd(c->dir, pos[1], pw) ? cli_fail(c) : EXIT_OK;
		memset(pw, 0, sizeof(pw));
		if (!rc)
			printf("%s: password changed\n", pos[1]);
	} else if (!strcmp(pos[0], "roles")) {
		unsigned roles = roles_get(e, role, &rc);
		if (roles)
			rc = pl_user_set_roles(c->dir, pos[1], roles) ? cli_fail(c) : EXIT_OK;
		if (roles && !rc)
			printf("%s: roles changed\n", pos[1]);
	} else if (!strcmp(pos[0], "rm")) {
		rc = pl_user_rm(c->dir, pos[1]) ? cli_fail(c) : EXIT_OK;
		if (!rc)
			printf("%s: account removed (the staff record and its history stay)\n", pos[1]);
	} else {
		rc = cli_usage(e, "user %s: the subcommands are add, passwd, roles, rm and ls", pos[0]);
	}
	free(pos);
	return rc;
}

const cmd_entry cmd_user_entry = {
	.name = "user",
	.synopsis = "user add STAFF --role ROLE[,ROLE...] [--password-stdin] | passwd STAFF [--password-stdin]"
	            " | roles STAFF --role ROLE[,ROLE...] | rm STAFF | ls",
	.summary = "manage the web app's accounts (who logs in to plsync serve)",
	.help =
	"The people who log in to the web app (`plsync serve`) as themselves. An\n"
	"account is a staff id of this store with roles and a password; it is kept\n"
	"in the data dir's file `users` (mode 0600), never in the op log or git.\n"
	"Passwords are stored as Argon2id hashes (libsodium crypto_pwhash).\n"
	"\n"
	"Roles:\n"
	"  clerk        records for others: requests for anyone, completions\n"
	"  teacher      requests and evaluates their own PD\n"
	"  approver     decides the requests of the staff whose recorded supervisor\n"
	"               or budget manager they are\n"
	"  coordinator  sees everything of the school\n"
	"  admin        manages the accounts\n"
	"\n"
	"The password is asked twice on the terminal (not shown), or read as the\n"
	"first line of standard input with --password-stdin (for scripts). At least\n"
	"8 characters.\n"
	"\n"
	"Examples:\n"
	"  plsync user add E100 --role teacher\n"
	"  printf '%s\\n' \"$PW\" | plsync user add E200 --role approver,coordinator --password-stdin\n"
	"  plsync user passwd E100\n"
	"  plsync user roles E100 --role teacher,clerk\n"
	"  plsync user rm E100\n"
	"  plsync user ls\n",
	.needs_store = 1,
	.exec = cmd_user,
};
