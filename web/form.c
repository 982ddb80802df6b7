/*
 * form.c — the forms of the web app: the CSRF check every POST passes, and
 * the markup of forms, with every value through the HTML renderer.
 *
 * Every form carries the hidden field `csrf`: the session's CSRF token, or
 * before a session (the login form) the random value of the `plsync_login`
 * cookie set with the form (a double-submit token: another site can make
 * the browser send the cookie, never read it to put it in the form).
 */
#include <string.h>

#include <sodium.h>

#include "plsync/render.h"
#include "web.h"

int web_csrf_ok(const web_req *r)
{
	const char *got = web_arg(r, "csrf");
	const char *want = r->logged_in ? r->user.csrf : r->login_csrf;

	if (!got || strlen(want) != WEB_TOKEN_HEX || strlen(got) != WEB_TOKEN_HEX)
		return 0;
	return sodium_memcmp(got, want, WEB_TOKEN_HEX) == 0;
}

void web_form_begin(web_req *r, const char *action)
{
	web_html(r, "<form method=\"post\" action=\"");
	web_text(r, action);
	web_html(r, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
	web_text(r, r->logged_in ? r->user.csrf : r->login_csrf);
	web_html(r, "\">\n");
}

void web_form_end(web_req *r)
{
	web_html(r, "</form>\n");
}

void web_input(web_req *r, const char *label, const char *name, const char *type, const char *value,
               int required)
{
	web_html(r, "<label>");
	web_text(r, label);
	if (!strcmp(type, "textarea")) {
		web_html(r, " <textarea name=\"");
		web_text(r, name);
		web_html(r, "\"%s>", required ? " required" : "");
		web_text(r, value);
		web_html(r, "</textarea></label>\n");
		return;
	}
	web_html(r, " <input type=\"");
	web_text(r, type);
	web_html(r, "\" name=\"");
	web_text(r, name);
	web_html(r, "\" value=\"");
	web_text(r, value);
	web_html(r, "\"%s%s></label>\n", required ? " required" : "",
	         !strcmp(type, "number") ? " step=\"any\" min=\"0\"" : "");
}

void web_select(web_req *r, const char *label, const char *name, const char *const *options,
                const char *selected)
{
	web_html(r, "<label>");
	web_text(r, label);
	web_html(r, " <select name=\"");
	web_text(r, name);
	web_html(r, "\">");
	for (size_t i = 0; options[i] && options[i + 1]; i += 2) {
		web_html(r, "<option value=\"");
		web_text(r, options[i]);
		web_html(r, "\"%s>", selected && !strcmp(selected, options[i]) ? " selected" : "");
		web_text(r, options[i + 1]);
		web_html(r, "</option>");
	}
	web_html(r, "</select></label>\n");
}

void web_button(web_req *r, const char *label, const char *name, const char *value)
{
	web_html(r, "<button type=\"submit\"");
	if (name) {
		web_html(r, " name=\"");
		web_text(r, name);
		web_html(r, "\" value=\"");
		web_text(r, value);
		web_html(r, "\"");
	}
	web_html(r, ">");
	web_text(r, label);
	web_html(r, "</button>\n");
}
