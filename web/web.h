/*
 * web.h — the web app (`plsync serve`): the server, its sessions, forms
 * and pages. Program code, linked into plsync: it prints nothing and
 * exits never; library calls give the rules, the renderer
 * (plsync/render.h, pl_html_*) writes every value into a page.
 *
 *   server.c     libmicrohttpd daemon, routing, security headers, Host /
 *                Origin, body limit, the slow-client watchdog, the store lock
 *   session.c    sessions (random token cookie, CSRF token, expiry) and the
 *                login rate limits
 *   form.c       POST fields, the CSRF check, form markup
 *   page.c       the page frame (head, navigation, messages) and helpers
 *   page-*.c     one page (or one family of form posts) each
 *   assets.c     the embedded style sheet
 *
 * Threads: MHD runs a pool of threads; the store (one pl_store, not safe
 * for two threads at once) is used only under web_server's store lock, so
 * pages read and write one at a time (each is a few milliseconds).
 */
#ifndef PLSYNC_WEB_H
#define PLSYNC_WEB_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "plsync/errors.h"
#include "plsync/op.h"
#include "plsync/schema.h"
#include "plsync/store.h"

typedef struct web_server web_server;

typedef struct web_config {
	const char *dir;         /* the data dir (users file) */
	const char *listen;      /* "ADDR:PORT"; NULL = 127.0.0.1:8080 */
	const char *tls_cert;    /* PEM files; both or neither */
	const char *tls_key;
	const char *hosts;       /* more names the Host header may carry ("a,b"), or NULL */
	const char *school;      /* the school's name for the page titles */
	const char *today;       /* YYYY-MM-DD fixed for tests, or NULL (the clock) */
	unsigned    threads;     /* 0 = 4 */
	unsigned    timeout;     /* seconds a request may take to arrive, and idle
	                            connections live; 0 = 30 */
	size_t      body_max;    /* bytes of a request body; 0 = 64 KiB */
	size_t      upload_max;  /* bytes of a file upload (POST /import); 0 = 2 MiB */
	unsigned    login_user_max;  /* failed logins per account per 15 min; 0 = 5 */
	unsigned    login_addr_max;  /* failed logins per address per 15 min; 0 = 20 */
	/* The sync status line at the top of every page ("Offline since 10:42 —
	 * 14 changes saved on this computer ..."), or NULL for none: writes one
	 * sentence into buf. The background sync (issue 13 item 4, to come)
	 * gives it; it is called from any request thread, with or without the
	 * store lock, so it must keep its own state thread-safe. */
	void      (*status)(void *ctx, char *buf, size_t size);
	void       *status_ctx;
} web_config;

/*
 * Start serving store `st` (borrowed until web_stop). 0 or a PL_E* code
 * with the message set (PL_EUSAGE: a non-loopback address without TLS, a
 * bad address; PL_EOS: the port is taken...).
 */
int web_start(web_server **out, pl_store *st, const web_config *cfg);
/* "http://127.0.0.1:8080/" */
const char *web_url(const web_server *s);
/* Stop: no new connection, the running requests finish, then free. */
void web_stop(web_server *s);

/*
 * The store lock. Everything that uses the store while serving holds it:
 * the pages, and (to come) the background sync loop, which takes it for
 * each of its store steps. See "The web app" in docs/design.md.
 */
void web_store_lock(web_server *s);
void web_store_unlock(web_server *s);

/* ---- sessions (session.c) ---- */

#define WEB_TOKEN_HEX 64   /* 32 random bytes */

typedef struct web_user {
	char     staff[PL_ID_MAX + 1];
	char     name[128];
	char     actor[256];             /* for pl_store_write: "Name (ID) <email>" */
	unsigned roles;                  /* PL_USER_* */
	char     csrf[WEB_TOKEN_HEX + 1];
	char     token[WEB_TOKEN_HEX + 1];
} web_user;

typedef struct web_sessions web_sessions;

int  web_sessions_new(web_sessions **out, unsigned user_max, unsigned addr_max);
void web_sessions_free(web_sessions *ss);
/* A new session for u (its token and csrf filled in). 0 or -1. */
int  web_session_open(web_sessions *ss, web_user *u);
/* The live session of `token` into *u (its expiry pushed on). 0 or -1. */
int  web_session_find(web_sessions *ss, const char *token, web_user *u);
void web_session_close(web_sessions *ss, const char *token);
/* Seconds until `key` ("user:E100", "addr:127.0.0.1") may try again; 0 = now. */
unsigned web_login_wait(web_sessions *ss, const char *key);
void web_login_failed(web_sessions *ss, const char *key);
void web_login_cleared(web_sessions *ss, const char *key);
/* n random bytes as 2n hex digits into out (2n + 1 bytes). */
void web_random_hex(char *out, size_t n);

/* ---- one request (server.c fills it, pages answer it) ---- */

typedef struct web_req {
	web_server *srv;
	pl_store   *store;
	const web_config *cfg;
	const char *method;      /* "GET", "POST" */
	const char *path;        /* as decoded by MHD */
	json_t     *form;        /* POST fields (strings); GET: the query */
	void       *conn;        /* struct MHD_Connection */
	web_user    user;        /* the logged-in person (user.staff "" if none) */
	int         logged_in;
	char        addr[64];    /* the client's address */
	char        today[11];
	char        login_csrf[WEB_TOKEN_HEX + 1]; /* the login form's cookie (before a session) */
	const char *upload;      /* POST /import: the uploaded file's bytes (NUL after), or NULL */
	size_t      upload_len;
	int         uploaded;    /* a file part was sent (maybe empty) */
	/* the answer */
	int         status;
	FILE       *out;         /* the body (open_memstream) */
	char       *body;
	size_t      len;
	const char *ctype;
	char        location[600];
	char        cookie[2][300];
	int         tls;
} web_req;

/* Lookup a query or form field (NULL if absent). */
const char *web_arg(const web_req *r, const char *name);
/* Answer with a redirect (303) to `to`. */
int web_redirect(web_req *r, const char *to);
/* Answer with `status` and a page saying `msg` (escaped). */
int web_error(web_req *r, int status, const char *msg);
/* The session login and logout (server.c keeps the sessions). */
int web_login_session(web_req *r, const web_user *u);
void web_logout_session(web_req *r);
web_sessions *web_server_sessions(web_server *s);
unsigned web_login_limit_wait(web_req *r, const char *staff);
void web_login_result(web_req *r, const char *staff, int good);

/* ---- forms (form.c) ---- */

/* The POST's csrf field matches the session's. 1 or 0. */
int  web_csrf_ok(const web_req *r);
/* <form method=post action=ACTION> with the hidden csrf field. */
void web_form_begin(web_req *r, const char *action);
void web_form_end(web_req *r);
/* A labelled input: <label>LABEL <input name=NAME value=VALUE ...></label>. */
void web_input(web_req *r, const char *label, const char *name, const char *type, const char *value,
               int required);
/* A <select> of `options` (NULL-terminated value, label pairs). */
void web_select(web_req *r, const char *label, const char *name, const char *const *options,
                const char *selected);
void web_button(web_req *r, const char *label, const char *name, const char *value);

/* ---- forms of a record kind, from the schema (form-field.c) ---- */

/* The field a refused write names, and the library's message. */
typedef struct web_form_errors {
	char field[96];                  /* dotted path, or "" (not one field) */
	char message[PL_ERROR_MSG_MAX];
} web_form_errors;

/* The inputs of every field of kind k but `skip` (NULL-terminated names),
 * valued from `fields` (the record), or the POST when from_post; err's
 * message shown next to its field. */
void web_kind_fields(web_req *r, const pl_kind_def *k, const json_t *fields, int from_post,
                     const char *const *skip, const web_form_errors *err);
/* The POST's fields as a change (dotted paths -> strings, arrays, null to
 * unset) of what differs from `current` (NULL: a create). 0, or -1 with
 * err filled (a bad dollar amount). */
int web_kind_change(json_t **out, web_req *r, const pl_kind_def *k, const json_t *current,
                    const char *const *skip, web_form_errors *err);
/* The field the library's message names (err->field "" if none). */
void web_error_field(web_form_errors *err, const pl_kind_def *k, const char *message);
int web_field_is_money(const pl_field_def *f);
/* "250" or "250.50" (or "$250") dollars -> cents "25050"; -1 if not money. */
int web_dollars_to_cents(char out[32], const char *dollars);

/* ---- uploads for the import page (upload.c) ---- */

#define WEB_UPLOAD_ID 32   /* hex digits */

typedef struct web_upload {   /* a copy, the caller's (web_upload_done) */
	char    id[WEB_UPLOAD_ID + 1];
	char    kind[33];
	char    file[256];
	char   *data;
	size_t  len;
	json_t *map;              /* column -> field */
} web_upload;

/* Keep a file for this session under a new random id. 0 or -1 (memory). */
int  web_upload_put(const web_req *r, const char *kind, const char *file, const char *data, size_t len,
                    char id[WEB_UPLOAD_ID + 1]);
/* This session's upload `id` into *out. 0, or -1 if there is none. */
int  web_upload_get(const web_req *r, const char *id, web_upload *out);
void web_upload_done(web_upload *u);
int  web_upload_set_map(const web_req *r, const char *id, const json_t *map);
void web_upload_drop(const web_req *r, const char *id);

/* ---- the page frame (page.c) ---- */

void web_page_begin(web_req *r, const char *title);
void web_page_end(web_req *r);
/* Escaped text (pl_html_fputs) and printf'd markup, into the page. */
void web_text(web_req *r, const char *s);
void web_html(web_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A notice box: the error of a refused step (escaped). */
void web_notice(web_req *r, const char *cls, const char *msg);
/* <a href="/records/ID">ID</a> */
void web_record_link(web_req *r, const char *id, const char *text);
/* The staff member's name (from the store), or the id; into buf. */
const char *web_staff_name(web_req *r, const char *id, char *buf, size_t sz);
/* What a pd_entry waits for, in words ("waiting for the supervisor"). */
const char *web_next_step(const pl_record *e);
/* The user may see every record of the school: a clerk, coordinator or admin. */
int web_sees_all(const web_req *r);
/* The user may see staff member `staff`'s records: their own, everyone's
 * (web_sees_all), or an approver those whose recorded supervisor or budget
 * manager they are. */
int web_sees_staff(web_req *r, const char *staff);

/* ---- pages: each returns 0 (the answer is in r) ---- */

int page_login(web_req *r);          /* GET/POST /login */
int page_logout(web_req *r);         /* POST /logout */
int page_home(web_req *r);           /* GET / */
int page_record(web_req *r, const char *id);              /* GET /records/ID */
int page_record_action(web_req *r, const char *id, const char *action); /* POST /records/ID/ACTION */
int page_request_form(web_req *r);   /* GET /requests/new */
int page_request_post(web_req *r);   /* POST /requests */
int page_staff(web_req *r);          /* GET /staff */
int page_transcript(web_req *r);     /* GET /transcript */
int page_api_record(web_req *r, const char *id);          /* GET /api/v1/records/ID */
int page_new(web_req *r, const char *kind);               /* GET/POST /new/KIND */
int page_edit(web_req *r, const char *id);                /* GET/POST /edit/ID */
int page_search(web_req *r);         /* GET /search?q= */
int page_plans(web_req *r);          /* GET /plans */
int page_report(web_req *r);         /* GET /report?year=&for=board|coordinator */
int page_import(web_req *r, const char *rest);            /* GET/POST /import[/ID[/map|commit]|/undo] */
int page_conflicts(web_req *r);      /* GET /conflicts */
int page_conflict_resolve(web_req *r, const char *id);    /* POST /conflicts/ID */
int page_plan(web_req *r, const char *id);                /* GET /plans/ID */

/* ---- embedded assets (assets.c) ---- */

/* The asset at `path` ("/style.css"), or NULL. */
const char *web_asset(const char *path, const char **ctype, size_t *len);

#endif
