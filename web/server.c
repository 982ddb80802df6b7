/*
 * server.c — the web app's HTTP server on libmicrohttpd (MHD): the
 * daemon, the checks every request passes before a page sees it, routing,
 * and the answer with its security headers.
 *
 * Rules kept here:
 *  - HTTP is MHD's (its internal thread pool); nothing here parses HTTP;
 *    form bodies go through MHD's post processor;
 *  - listening on an address other than loopback needs TLS (MHD with
 *    GnuTLS): refused without --tls-cert/--tls-key;
 *  - the Host header must name this server (the listen address; localhost
 *    for a loopback one; the loopback names and this computer's name for
 *    0.0.0.0 or [::]; a name given with --host), and an Origin header, when
 *    sent, the same: a DNS-rebinding page cannot talk to it;
 *  - only GET, HEAD and POST; a POST is a form (urlencoded) of at most
 *    body_max bytes: 413 when its Content-Length is more, the connection
 *    dropped when a chunked body grows past it;
 *  - a request must arrive whole within `timeout` seconds of its first
 *    byte: MHD's own timeout is for idle connections only, so a watchdog
 *    thread shuts down a connection still reading after that (a client
 *    sending one byte a second is dropped);
 *  - every answer carries Content-Security-Policy default-src 'self' (with
 *    frame-ancestors 'none'), X-Content-Type-Options nosniff,
 *    X-Frame-Options DENY, Referrer-Policy same-origin and Cache-Control
 *    no-store; only the embedded assets and the routes below exist, any
 *    other path (and any with a "." or ".." segment) is 404;
 *  - every page runs under the store lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "plsync/errors.h"
#include "plsync/calendar.h"
#include "web.h"

#define HOSTS_MAX 16

struct track {
	int           fd;
	time_t        start;
	int           reading;
	struct track *next, *prev;
};

struct web_server {
	struct MHD_Daemon *d;
	pl_store          *st;
	web_config         cfg;
	pthread_mutex_t    store_mu;
	web_sessions      *sessions;
	char               url[320];
	char               hosts[HOSTS_MAX][300];
	size_t             nhosts;
	int                tls;
	char              *cert, *key;
	/* the slow-client watchdog */
	pthread_mutex_t    conn_mu;
	pthread_cond_t     conn_cv;
	struct track      *conns;
	pthread_t          watchdog;
	int                watching, stopping;
};

/* One request while it arrives. */
struct req_ctx {
	struct MHD_PostProcessor *pp;
	json_t *form;
	size_t  got, max;    /* bytes of body so far, and the limit */
	int     too_big, dup;
	char   *file;        /* a multipart upload's file (POST /import only) */
	size_t  file_len;
	int     files;
};

void web_store_lock(web_server *s)
{
	pthread_mutex_lock(&s->store_mu);
}

void web_store_unlock(web_server *s)
{
	pthread_mutex_unlock(&s->store_mu);
}

const char *web_url(const web_server *s)
{
	return s->url;
}

web_sessions *web_server_sessions(web_server *s)
{
	return s->sessions;
}

/* ---- answers ---- */

const char *web_arg(const web_req *r, const char *name)
{
	return json_string_value(json_object_get(r->form, name));
}

int web_redirect(web_req *r, const char *to)
{
	r->status = 303;
	snprintf(r->location, sizeof(r->location), "%s", to);
	web_page_begin(r, "See other");
	web_html(r, "<p><a href=\"");
	web_text(r, to);
	web_html(r, "\">Continue</a></p>");
	web_page_end(r);
	return 0;
}

int web_error(web_req *r, int status, const char *msg)
{
	char title[64];

	r->status = status;
	snprintf(title, sizeof(title), "%s",
	         status == 404 ? "Not found" : status == 403 ? "Refused" : status == 413 ? "Too large" :
	         status == 429 ? "Too many attempts" : status == 400 ? "Bad request" : "Error");
	web_page_begin(r, title);
	web_notice(r, "error", msg);
	web_page_end(r);
	return 0;
}

int web_login_session(web_req *r, const web_user *u)
{
	web_user copy = *u;

	if (web_session_open(r->srv->sessions, &copy))
		return -1;
	r->user = copy;
	r->logged_in = 1;
	snprintf(r->cookie[0], sizeof(r->cookie[0]),
	         "plsync_session=%s; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict%s", copy.token,
	         r->tls ? "; Secure" : "");
	return 0;
}

void web_logout_session(web_req *r)
{
	web_session_close(r->srv->sessions, r->user.token);
	r->logged_in = 0;
	snprintf(r->cookie[0], sizeof(r->cookie[0]),
	         "plsync_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", r->tls ? "; Secure" : "");
}

unsigned web_login_limit_wait(web_req *r, const char *staff)
{
	char key[96];
	unsigned a, u;

	snprintf(key, sizeof(key), "addr:%s", r->addr);
	a = web_login_wait(r->srv->sessions, key);
	snprintf(key, sizeof(key), "user:%.64s", staff ? staff : "");
	u = web_login_wait(r->srv->sessions, key);
	return a > u ? a : u;
}

void web_login_result(web_req *r, const char *staff, int good)
{
	char key[96];

	snprintf(key, sizeof(key), "user:%.64s", staff ? staff : "");
	if (good) {
		web_login_cleared(r->srv->sessions, key);
		return;
	}
	web_login_failed(r->srv->sessions, key);
	snprintf(key, sizeof(key), "addr:%s", r->addr);
	web_login_failed(r->srv->sessions, key);
}

static void headers_add(struct MHD_Response *resp, const web_req *r, const char *ctype)
{
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r && r->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

/* A short plain answer before any page runs (refused checks). */
static enum MHD_Result answer_plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg,
	                                                            MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	headers_add(resp, NULL, "text/plain; charset=utf-8");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- the checks before a page ---- */

/* Host (and Origin, if any) name this server. */
static int host_ok(const web_server *s, const char *host)
{
	for (size_t i = 0; host && i < s->nhosts; i++)
		if (!strcasecmp(host, s->hosts[i]))
			return 1;
	return 0;
}

static int origin_ok(const web_server *s, const char *origin)
{
	const char *scheme = s->tls ? "https://" : "http://";
	size_t n = strlen(scheme);

	if (!origin)
		return 1;
	return !strncasecmp(origin, scheme, n) && host_ok(s, origin + n);
}

/* No "." or ".." segment, no empty segment inside, no backslash. */
static int path_ok(const char *p)
{
	if (p[0] != '/' || strchr(p, '\\'))
		return 0;
	for (const char *seg = p + 1; *seg;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.') || (n == 0 && end))
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)seg[i] < 0x20 || seg[i] == 0x7f)
				return 0;
		if (!end)
			break;
		seg = end + 1;
	}
	return 1;
}

static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *ctype, const char *enc,
                                  const char *data, uint64_t off, size_t size)
{
	struct req_ctx *x = cls;
	json_t *old = json_object_get(x->form, key);
	char *val;

	if (filename) {   /* the uploaded file: its bytes as they are, one file */
		char *grown;
		if (off == 0 && x->files++) {
			x->dup = 1;
			return MHD_YES;
		}
		if (!(grown = realloc(x->file, x->file_len + size + 1)))
			return MHD_NO;
		x->file = grown;
		memcpy(x->file + x->file_len, data, size);
		x->file_len += size;
		x->file[x->file_len] = 0;
		if (off == 0) {
			json_t *name = json_string(filename);
			json_object_set_new(x->form, "file.name", name ? name : json_string("upload"));
		}
		return MHD_YES;
	}

	if (off == 0 && old) {
		/* NAME[] (a multi-select, checkboxes): the values joined by newlines */
		size_t kn = strlen(key);
		if (kn > 2 && !strcmp(key + kn - 2, "[]") && (!data || !memchr(data, '\n', size))) {
			if (!(val = malloc(strlen(json_string_value(old)) + size + 2)))
				return MHD_NO;
			sprintf(val, "%s\n", json_string_value(old));
			strncat(val, data ? data : "", size);
			json_object_set_new(x->form, key, json_stringn(val, strlen(val)));
			free(val);
			return MHD_YES;
		}
		x->dup = 1;
		return MHD_YES;
	}
	if (off && !old)
		return MHD_YES;
	if (!(val = malloc((off ? strlen(json_string_value(old)) : 0) + size + 1)))
		return MHD_NO;
	val[0] = 0;
	if (off)
		strcpy(val, json_string_value(old));
	strncat(val, data ? data : "", size);
	json_object_set_new(x->form, key, json_stringn(val, strlen(val)));
	free(val);
	return MHD_YES;
}

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	json_t *form = cls;

	if (key && !json_object_get(form, key))
		json_object_set_new(form, key, json_string(value ? value : ""));
	return MHD_YES;
}

/* ---- routing ---- */

/* "/records/ID" or "/records/ID/ACTION": the id and action into the buffers. */
static int split_record(const char *rest, char id[PL_ID_MAX + 1], char action[32])
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

	action[0] = 0;
	if (!n || n > PL_ID_MAX)
		return -1;
	memcpy(id, rest, n);
	id[n] = 0;
	if (slash) {
		if (strlen(slash + 1) >= 32 || strchr(slash + 1, '/') || !slash[1])
			return -1;
		strcpy(action, slash + 1);
	}
	return 0;
}

static int route(web_req *r)
{
	const char *p = r->path, *ctype;
	int get = strcmp(r->method, "POST") != 0, rc;
	char id[PL_ID_MAX + 1], action[32];
	const char *asset;
	size_t len;

	if (!path_ok(p))
		return web_error(r, 404, "There is no such page.");
	if (get && !strcmp(p, "/healthz")) {
		r->ctype = "text/plain; charset=utf-8";
		fputs("ok\n", r->out);
		return 0;
	}
	if (get && (asset = web_asset(p, &ctype, &len))) {
		r->ctype = ctype;
		fwrite(asset, 1, len, r->out);
		return 0;
	}
	if (!strcmp(p, "/login"))
		return page_login(r);
	if (!strncmp(p, "/api/", 5) && !r->logged_in) {
		r->status = 401;
		r->ctype = "application/json";
		fputs("{\"error\":\"log in first (POST /login)\"}\n", r->out);
		return 0;
	}
	if (!r->logged_in)
		return get ? web_redirect(r, "/login") : web_error(r, 403, "Log in first.");
	if (!get && !web_csrf_ok(r))
		return web_error(r, 403, "This form has expired or did not come from this site "
		                 "(its security token is missing or wrong). Go back, reload the page and try again.");
	web_store_lock(r->srv);
	if (!get && !strcmp(p, "/logout"))
		rc = page_logout(r);
	else if (get && !strcmp(p, "/"))
		rc = page_home(r);
	else if (get && !strcmp(p, "/requests/new"))
		rc = page_request_form(r);
	else if (!get && !strcmp(p, "/requests"))
		rc = page_request_post(r);
	else if (get && !strcmp(p, "/staff"))
		rc = page_staff(r);
	else if (get && !strcmp(p, "/transcript"))
		rc = page_transcript(r);
	else if (!strncmp(p, "/records/", 9) && !split_record(p + 9, id, action) && get == !*action)
		rc = get ? page_record(r, id) : page_record_action(r, id, action);
	else if (!strcmp(p, "/new") || !strncmp(p, "/new/", 5))
		rc = page_new(r, p[4] ? p + 5 : "");
	else if (!strncmp(p, "/edit/", 6) && !split_record(p + 6, id, action) && !*action)
		rc = page_edit(r, id);
	else if (get && !strcmp(p, "/search"))
		rc = page_search(r);
	else if (!strcmp(p, "/import") || !strncmp(p, "/import/", 8))
		rc = page_import(r, p[7] ? p + 8 : "");
	else if (get && !strcmp(p, "/report"))
		rc = page_report(r);
	else if (get && !strcmp(p, "/conflicts"))
		rc = page_conflicts(r);
	else if (!get && !strncmp(p, "/conflicts/", 11) && !split_record(p + 11, id, action) && !*action)
		rc = page_conflict_resolve(r, id);
	else if (get && !strcmp(p, "/plans"))
		rc = page_plans(r);
	else if (get && !strncmp(p, "/plans/", 7) && !split_record(p + 7, id, action) && !*action)
		rc = page_plan(r, id);
	else if (get && !strncmp(p, "/api/v1/records/", 16) && !split_record(p + 16, id, action) && !*action)
		rc = page_api_record(r, id);
	else
		rc = web_error(r, 404, "There is no such page.");
	web_store_unlock(r->srv);
	return rc;
}

/* ---- the connection watchdog ---- */

static struct track *track_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void track_reading(web_server *s, struct MHD_Connection *c, int reading)
{
	struct track *t = track_of(c);

	if (!t)
		return;
	pthread_mutex_lock(&s->conn_mu);
	t->reading = reading;
	t->start = time(NULL);
	pthread_mutex_unlock(&s->conn_mu);
}

static void notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe)
{
	web_server *s = cls;
	struct track *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&s->conn_mu);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci && (t = calloc(1, sizeof(*t)))) {
			t->fd = ci->connect_fd;
			t->start = time(NULL);
			t->reading = 1;
			t->next = s->conns;
			if (s->conns)
				s->conns->prev = t;
			s->conns = t;
			*socket_context = t;
		}
	} else if (t) {
		if (t->prev)
			t->prev->next = t->next;
		else
			s->conns = t->next;
		if (t->next)
			t->next->prev = t->prev;
		free(t);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&s->conn_mu);
}

static void *watchdog_main(void *arg)
{
	web_server *s = arg;
	struct timespec ts;

	pthread_mutex_lock(&s->conn_mu);
	while (!s->stopping) {
		time_t now = time(NULL);
		for (struct track *t = s->conns; t; t = t->next)
			if (t->reading && now - t->start >= (time_t)s->cfg.timeout) {
				shutdown(t->fd, SHUT_RDWR);
				t->reading = 0;
			}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->conn_cv, &s->conn_mu, &ts);
	}
	pthread_mutex_unlock(&s->conn_mu);
	return NULL;
}

/* ---- MHD's callbacks ---- */

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *x = *con_cls;

	if (x) {
		if (x->pp)
			MHD_destroy_post_processor(x->pp);
		json_decref(x->form);
		free(x->file);
		free(x);
		*con_cls = NULL;
	}
	track_reading(cls, c, 1);
}

static void client_addr(char *buf, size_t sz, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, sz, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)sz);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)sz);
}

static enum MHD_Result respond(web_server *s, struct MHD_Connection *c, const char *url,
                               const char *method, struct req_ctx *x)
{
	web_req r = { 0 };
	const char *token, *login;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	r.srv = s;
	r.store = s->st;
	r.cfg = &s->cfg;
	r.method = !strcmp(method, "HEAD") ? "GET" : method;
	r.path = url;
	r.conn = c;
	r.upload = x->file;
	r.upload_len = x->file_len;
	r.uploaded = x->files > 0;
	r.tls = s->tls;
	r.status = 200;
	r.ctype = "text/html; charset=utf-8";
	client_addr(r.addr, sizeof(r.addr), c);
	if (pl_date_today(r.today, s->cfg.today))
		pl_date_today(r.today, NULL);
	if (x->form) {
		r.form = json_incref(x->form);
	} else {
		r.form = json_object();
		MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, r.form);
	}
	token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "plsync_session");
	if (token && !web_session_find(s->sessions, token, &r.user))
		r.logged_in = 1;
	login = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "plsync_login");
	if (login && strlen(login) == WEB_TOKEN_HEX)
		snprintf(r.login_csrf, sizeof(r.login_csrf), "%s", login);
	if (!(r.out = open_memstream(&r.body, &r.len))) {
		json_decref(r.form);
		return MHD_NO;
	}
	if (x->dup)
		web_error(&r, 400, "A form field was sent twice.");
	else
		route(&r);
	fclose(r.out);
	json_decref(r.form);
	resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r.body);
		return MHD_NO;
	}
	headers_add(resp, &r, r.ctype);
	if (*r.location)
		MHD_add_response_header(resp, "Location", r.location);
	for (int i = 0; i < 2; i++)
		if (*r.cookie[i])
			MHD_add_response_header(resp, "Set-Cookie", r.cookie[i]);
	ret = MHD_queue_response(c, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size,
                              void **con_cls)
{
	web_server *s = cls;
	struct req_ctx *x = *con_cls;
	const char *v;

	if (!x) {
		int post = !strcmp(method, "POST"), multipart;
		if (!(x = calloc(1, sizeof(*x))))
			return MHD_NO;
		*con_cls = x;
		if (strcmp(method, "GET") && strcmp(method, "HEAD") && !post)
			return answer_plain(c, 405, "only GET, HEAD and POST\n");
		if (!host_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
			return answer_plain(c, 421, "this server does not answer for that Host\n");
		if (!origin_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin")))
			return answer_plain(c, 403, "a request from another site (Origin) is refused\n");
		/* a file upload (multipart) only to POST /import, up to upload_max */
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
		multipart = post && v && !strcmp(url, "/import") &&
		            !strncasecmp(v, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
		                         strlen(MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA));
		x->max = multipart ? s->cfg.upload_max : s->cfg.body_max;
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (v && strtoull(v, NULL, 10) > x->max)
			return answer_plain(c, 413, "the request body is larger than this server takes\n");
		if (post) {
			v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
			if (v && !multipart && strncasecmp(v, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
			                     strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)))
				return answer_plain(c, 415, "a form is sent as application/x-www-form-urlencoded\n");
			x->form = json_object();
			if (v && !(x->pp = MHD_create_post_processor(c, 4096, post_field, x)))
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (*upload_size) {
		x->got += *upload_size;
		if (x->got > x->max)
			return MHD_NO;   /* a chunked body past the limit: dropped */
		if (x->pp && MHD_post_process(x->pp, upload, *upload_size) != MHD_YES)
			x->dup = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	track_reading(s, c, 0);
	return respond(s, c, url, method, x);
}

/* ---- start and stop ---- */

static int file_read(char **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	long sz;

	*out = NULL;
	if (!f)
		return pl_error_from_errno(path);
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || sz > (1 << 20) || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)sz + 1))) {
		fclose(f);
		return pl_error_set(PL_EINVALID, "%s: not a readable PEM file of at most 1 MiB", path);
	}
	n = fread(buf, 1, (size_t)sz, f);
	fclose(f);
	buf[n] = 0;
	*out = buf;
	return 0;
}

static void host_add(web_server *s, const char *name, unsigned port)
{
	if (s->nhosts < HOSTS_MAX)
		snprintf(s->hosts[s->nhosts++], sizeof(s->hosts[0]), "%s:%u", name, port);
	if (s->nhosts < HOSTS_MAX && port == (s->tls ? 443u : 80u))
		snprintf(s->hosts[s->nhosts++], sizeof(s->hosts[0]), "%s", name);
}

/* Parse "ADDR:PORT" / "[V6]:PORT" into a socket address. */
static int listen_parse(struct sockaddr_storage *ss, int *v6, int *loopback, char *host, size_t hsz,
                        const char *listen)
{
	const char *colon = strrchr(listen, ':');
	char addr[64];
	char *end;
	unsigned long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (!colon || !colon[1])
		return pl_error_set(PL_EUSAGE, "listen address '%s': give ADDRESS:PORT (127.0.0.1:8080)", listen);
	port = strtoul(colon + 1, &end, 10);
	n = (size_t)(colon - listen);
	if (*end || port > 65535 || n == 0 || n >= sizeof(addr))
		return pl_error_set(PL_EUSAGE, "listen address '%s': give ADDRESS:PORT (127.0.0.1:8080)", listen);
	memcpy(addr, listen, n);
	addr[n] = 0;
	if (addr[0] == '[' && addr[n - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		addr[n - 1] = 0;
		if (inet_pton(AF_INET6, addr + 1, &a->sin6_addr) != 1)
			return pl_error_set(PL_EUSAGE, "listen address '%s': not an IPv6 address", listen);
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*v6 = 1;
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		snprintf(host, hsz, "[%s]", addr + 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		if (!strcmp(addr, "localhost"))
			strcpy(addr, "127.0.0.1");
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			return pl_error_set(PL_EUSAGE, "listen address '%s': not an IPv4 address", listen);
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*v6 = 0;
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		snprintf(host, hsz, "%s", addr);
	}
	return 0;
}

int web_start(web_server **out, pl_store *st, const web_config *cfg)
{
	web_server *s;
	struct sockaddr_storage ss;
	char host[80];
	int v6 = 0, loopback = 0, wildcard, rc;
	unsigned port, flags;
	const union MHD_DaemonInfo *di;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return pl_error_set(PL_ERROR, "out of memory");
	s->st = st;
	s->cfg = *cfg;
	if (!s->cfg.listen)
		s->cfg.listen = "127.0.0.1:8080";
	if (!s->cfg.threads)
		s->cfg.threads = 4;
	if (!s->cfg.timeout)
		s->cfg.timeout = 30;
	if (!s->cfg.body_max)
		s->cfg.body_max = 64 << 10;
	if (!s->cfg.upload_max)
		s->cfg.upload_max = 2 << 20;
	pthread_mutex_init(&s->store_mu, NULL);
	pthread_mutex_init(&s->conn_mu, NULL);
	pthread_cond_init(&s->conn_cv, NULL);
	if ((rc = listen_parse(&ss, &v6, &loopback, host, sizeof(host), s->cfg.listen)))
		goto fail;
	wildcard = !strcmp(host, "0.0.0.0") || !strcmp(host, "[::]");
	if (!cfg->tls_cert != !cfg->tls_key) {
		rc = pl_error_set(PL_EUSAGE, "TLS needs both the certificate and its key");
		goto fail;
	}
	s->tls = cfg->tls_cert != NULL;
	if (!loopback && !s->tls) {
		rc = pl_error_set(PL_EUSAGE, "%s is not a loopback address: other computers would send "
		                  "passwords to it in the clear, so listening there needs TLS (a certificate "
		                  "and its key)", s->cfg.listen);
		goto fail;
	}
	if (s->tls && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		rc = pl_error_set(PL_EUSAGE, "this libmicrohttpd is built without TLS");
		goto fail;
	}
	if (s->tls && ((rc = file_read(&s->cert, cfg->tls_cert)) || (rc = file_read(&s->key, cfg->tls_key))))
		goto fail;
	if (web_sessions_new(&s->sessions, cfg->login_user_max, cfg->login_addr_max)) {
		rc = pl_error_set(PL_ERROR, "out of memory (sessions)");
		goto fail;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | (v6 ? MHD_USE_IPv6 : 0) |
	        (s->tls ? MHD_USE_TLS : 0);
	if (s->tls)
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s,
		                        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		                        MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
		                        MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout,
		                        MHD_OPTION_CONNECTION_LIMIT, 256u,
		                        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
		                        MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
		                        MHD_OPTION_NOTIFY_CONNECTION, notify_conn, s,
		                        MHD_OPTION_HTTPS_MEM_CERT, s->cert,
		                        MHD_OPTION_HTTPS_MEM_KEY, s->key,
		                        MHD_OPTION_END);
	else
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s,
		                        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		                        MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
		                        MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout,
		                        MHD_OPTION_CONNECTION_LIMIT, 256u,
		                        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
		                        MHD_OPTION_NOTIFY_COMPLETED, request_done, s,
		                        MHD_OPTION_NOTIFY_CONNECTION, notify_conn, s,
		                        MHD_OPTION_END);
	if (!s->d) {
		rc = pl_error_set(PL_EOS, "could not listen on %s (is the port taken, or the certificate "
		                  "or key not PEM?)", s->cfg.listen);
		goto fail;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	port = di ? di->port : 0;
	if (wildcard) {
		/* every address of this computer: its own name (the URL) and the loopback names */
		char self[64] = "";
		if (gethostname(self, sizeof(self) - 1) || !*self)
			strcpy(self, "127.0.0.1");
		snprintf(host, sizeof(host), "%s", self);
		host_add(s, host, port);
		host_add(s, "127.0.0.1", port);
	} else {
		host_add(s, host, port);
	}
	if (loopback || wildcard) {
		host_add(s, "localhost", port);
		host_add(s, v6 || wildcard ? "127.0.0.1" : "[::1]", port);
	}
	if (cfg->hosts) {
		char buf[1024], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", cfg->hosts);
		for (char *h = strtok_r(buf, ", ", &save); h; h = strtok_r(NULL, ", ", &save))
			host_add(s, h, port);
	}
	snprintf(s->url, sizeof(s->url), "%s://%s:%u/", s->tls ? "https" : "http", host, port);
	if (pthread_create(&s->watchdog, NULL, watchdog_main, s) == 0)
		s->watching = 1;
	*out = s;
	return 0;
fail:
	web_stop(s);
	return rc;
}

void web_stop(web_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	if (s->watching) {
		pthread_mutex_lock(&s->conn_mu);
		s->stopping = 1;
		pthread_cond_signal(&s->conn_cv);
		pthread_mutex_unlock(&s->conn_mu);
		pthread_join(s->watchdog, NULL);
	}
	web_sessions_free(s->sessions);
	free(s->cert);
	if (s->key) {
		memset(s->key, 0, strlen(s->key));
		free(s->key);
	}
	pthread_cond_destroy(&s->conn_cv);
	pthread_mutex_destroy(&s->conn_mu);
	pthread_mutex_destroy(&s->store_mu);
	free(s);
}
