/*
 * page-login.c — GET /login (the form), POST /login (fields `user`, the
 * staff id, and `password`), POST /logout.
 *
 * A failed login counts against the account and the client's address
 * (session.c); past either limit the answer is 429 with the wait, and the
 * password is not even checked. A good login makes a new session (a new
 * token: one from before the login is never taken over) whose actor, for
 * every op made through it, is "Name (STAFF) <email>" from the staff record.
 */
#include <string.h>

#include "plsync/errors.h"
#include "plsync/user.h"
#include "web.h"

static void login_form(web_req *r, const char *user, const char *msg)
{
	if (!*r->login_csrf) {
		web_random_hex(r->login_csrf, 32);
		snprintf(r->cookie[1], sizeof(r->cookie[1]),
		         "plsync_login=%s; Path=/login; HttpOnly; SameSite=Strict%s", r->login_csrf,
		         r->tls ? "; Secure" : "");
	}
	web_page_begin(r, "Log in");
	if (msg)
		web_notice(r, "error", msg);
	web_form_begin(r, "/login");
	web_input(r, "Staff id", "user", "text", user, 1);
	web_input(r, "Password", "password", "password", "", 1);
	web_button(r, "Log in", NULL, NULL);
	web_form_end(r);
	web_html(r, "<p class=\"muted\">No account yet? The school's administrator makes one "
	         "(plsync user add).</p>");
	web_page_end(r);
}

/* Name and actor of staff member u->staff, from the store. */
static void user_fill(web_req *r, web_user *u)
{
	pl_record *rec = NULL;
	const char *name = NULL, *email = NULL;

	web_store_lock(r->srv);
	if (!pl_store_get_state(&rec, r->store, u->staff) && !rec->deleted) {
		name = json_string_value(json_object_get(rec->fields, "name"));
		email = json_string_value(json_object_get(rec->fields, "email"));
	}
	snprintf(u->name, sizeof(u->name), "%s", name ? name : u->staff);
	if (email)
		snprintf(u->actor, sizeof(u->actor), "%.100s (%s) <%.80s>", u->name, u->staff, email);
	else
		snprintf(u->actor, sizeof(u->actor), "%.100s (%s)", u->name, u->staff);
	pl_record_free(rec);
	web_store_unlock(r->srv);
}

int page_login(web_req *r)
{
	const char *user = web_arg(r, "user"), *pw = web_arg(r, "password");
	web_user u = { 0 };
	unsigned wait;
	char msg[160];
	int was = r->logged_in, ok, rc;

	if (strcmp(r->method, "POST")) {
		if (r->logged_in)
			return web_redirect(r, "/");
		login_form(r, "", NULL);
		return 0;
	}
	r->logged_in = 0;           /* the login form carries the login cookie's token */
	ok = web_csrf_ok(r);
	r->logged_in = was;
	if (!ok) {
		r->status = 403;
		*r->login_csrf = 0;
		login_form(r, user, "This form has expired or did not come from this site. Try again.");
		return 0;
	}
	if (!user || !*user || !pw) {
		r->status = 400;
		login_form(r, user, "Give your staff id and your password.");
		return 0;
	}
	if ((wait = web_login_limit_wait(r, user))) {
		r->status = 429;
		snprintf(msg, sizeof(msg), "Too many failed logins. Try again in %u minute%s.",
		         (wait + 59) / 60, (wait + 59) / 60 == 1 ? "" : "s");
		login_form(r, user, msg);
		return 0;
	}
	rc = pl_user_check(&u.roles, r->cfg->dir, user, pw);
	web_login_result(r, user, rc == 0);
	if (rc) {
		r->status = rc == PL_EAUTH ? 401 : 500;
		login_form(r, user, rc == PL_EAUTH ? "Wrong staff id or password." : pl_error_last()->message);
		return 0;
	}
	if (was)
		web_logout_session(r);
	snprintf(u.staff, sizeof(u.staff), "%s", user);
	user_fill(r, &u);
	if (web_login_session(r, &u))
		return web_error(r, 503, "Too many people are logged in; try again later.");
	snprintf(r->cookie[1], sizeof(r->cookie[1]), "plsync_login=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict");
	return web_redirect(r, "/");
}

int page_logout(web_req *r)
{
	web_logout_session(r);
	return web_redirect(r, "/login");
}
