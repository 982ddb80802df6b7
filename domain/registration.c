/*
 * registration.c — registering staff for an offering, with capacity and
 * a waitlist (plsync/registration.h).
 *
 * The offering is read with pl_write_get and the registrations counted
 * inside the write that makes or cancels one (pl_store_foreach on the
 * pd_entry.offering index: with the write lock held it sees everything
 * committed, and this write has changed nothing yet when it counts), so two
 * registrations made at once at one school cannot both take the last seat.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plsync/errors.h"
#include "plsync/offering.h"
#include "plsync/registration.h"
#include "plsync/workflow.h"

struct reg {
	const pl_registration_options *o;
	pl_registration_result        *out;
	const char                    *stamp;
};

/* One live registration, for counting and for the waitlist's order. */
struct seat {
	char *id, *staff, *at, *state;
};

struct seats {
	struct seat *v;
	size_t       n, cap;
};

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int collect(const pl_record *r, void *payload)
{
	struct seats *s = payload;
	const char *state = sget(r->fields, "registration"), *status = sget(r->fields, "status");

	if (!state || !strcmp(state, "cancelled") || (status && (!strcmp(status, "cancelled") ||
	                                                          !strcmp(status, "rejected"))))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct seat *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return pl_error_set(PL_ERROR, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].id = strdup(r->id);
	s->v[s->n].staff = strdup(sget(r->fields, "staff") ? sget(r->fields, "staff") : "");
	s->v[s->n].at = strdup(sget(r->fields, "requested_at") ? sget(r->fields, "requested_at") : "");
	s->v[s->n].state = strdup(state);
	if (!s->v[s->n].id || !s->v[s->n].staff || !s->v[s->n].at || !s->v[s->n].state) {
		free(s->v[s->n].id), free(s->v[s->n].staff), free(s->v[s->n].at), free(s->v[s->n].state);
		return pl_error_set(PL_ERROR, "out of memory");
	}
	s->n++;
	return 0;
}

static void seats_clear(struct seats *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].id), free(s->v[i].staff), free(s->v[i].at), free(s->v[i].state);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int cmp_seat(const void *a, const void *b)
{
	const struct seat *p = a, *q = b;
	int c = strcmp(p->at, q->at);
	return c ? c : strcmp(p->id, q->id);
}

static size_t count(const struct seats *s, const char *state)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += !strcmp(s->v[i].state, state);
	return n;
}

/* The offering's fields copied into a request's. */
static json_t *entry_fields(const pl_record *off, const char *staff, const char *state)
{
	static const char *const copied[] = {
		"title", "type", "provider", "location", "delivery", "hours", "credits", "standards",
		"funding", "cost_cents", "goal", "activity", NULL
	};
	json_t *f = json_pack("{ss ss ss}", "staff", staff, "offering", off->id, "registration", state);
	pl_session *ss = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	for (int i = 0; copied[i]; i++) {
		json_t *v = json_object_get(off->fields, copied[i]);
		if (v)
			json_object_set(f, copied[i], v);
	}
	if (!pl_offering_sessions(&ss, &n, off->fields) && n) {
		json_object_set_new(f, "start", json_string(ss[0].date));
		json_object_set_new(f, "end", json_string(ss[n - 1].date));
	}
	free(ss);
	return f;
}

static int offering_in(pl_record **out, pl_write *w, const char *id)
{
	int rc = pl_write_get(out, w, id);

	if (rc == PL_ENOTFOUND)
		return pl_error_set(PL_ENOTFOUND, "no offering %s here (a district offering arrives with a sync)", id);
	if (rc)
		return rc;
	if ((*out)->deleted || strcmp((*out)->kind, "offering")) {
		rc = pl_error_set(PL_EINVALID, "%s is %s, not an offering", id,
		                  (*out)->deleted ? "deleted" : (*out)->kind);
		pl_record_free(*out);
		*out = NULL;
	}
	return rc;
}

static int do_register(struct reg *g, pl_write *w, const pl_record *off, struct seats *s)
{
	const pl_registration_options *o = g->o;
	pl_workflow_options wo = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result wr;
	const char *opens = sget(off->fields, "registration_opens"), *closes = sget(off->fields, "registration_closes");
	long long cap = json_integer_value(json_object_get(off->fields, "capacity"));
	size_t taken = count(s, "registered");
	const char *state;
	char note[300];
	int rc;

	if (opens && strcmp(o->today, opens) < 0)
		return pl_error_set(PL_EINVALID, "registration for offering %s opens on %s (today is %s)",
		                    off->id, opens, o->today);
	if (closes && strcmp(o->today, closes) > 0)
		return pl_error_set(PL_EINVALID, "registration for offering %s closed on %s (today is %s)",
		                    off->id, closes, o->today);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].staff, o->staff)) {
			snprintf(g->out->entry, sizeof(g->out->entry), "%s", s->v[i].id);
			return pl_error_set(PL_EEXISTS, "%s is already %s for offering %s (pd_entry %s)",
			                    o->staff, s->v[i].state, off->id, s->v[i].id);
		}
	state = cap > 0 && taken >= (size_t)cap ? "waitlisted" : "registered";
	if (!(wo.fields = entry_fields(off, o->staff, state)))
		return pl_error_set(PL_ERROR, "out of memory");
	snprintf(note, sizeof(note), "%s for offering %s%s", state, off->id,
	         !strcmp(state, "waitlisted") ? " (all seats taken)" : "");
	wo.note = o->note ? o->note : note;
	wo.stamp = g->stamp;
	rc = pl_workflow_request_in(w, &wo, &wr);
	json_decref(wo.fields);
	if (rc)
		return rc;
	snprintf(g->out->entry, sizeof(g->out->entry), "%s", wr.id);
	snprintf(g->out->registration, sizeof(g->out->registration), "%s", state);
	g->out->registered = taken + !strcmp(state, "registered");
	g->out->waitlisted = count(s, "waitlisted") + !strcmp(state, "waitlisted");
	return 0;
}

static int set_state(pl_write *w, const char *id, json_t *fields, const char *note)
{
	pl_change ch = { PL_CHANGE_SET, "pd_entry", id, fields, note };
	int rc = fields ? pl_write_change(w, &ch, NULL) : pl_error_set(PL_ERROR, "out of memory");
	json_decref(fields);
	return rc;
}

static int do_cancel(struct reg *g, pl_write *w, const pl_record *off, struct seats *s)
{
	const pl_registration_options *o = g->o;
	long long cap = json_integer_value(json_object_get(off->fields, "capacity"));
	struct seat *mine = NULL;
	char note[300];
	int rc, was_registered;

	for (size_t i = 0; i < s->n && !mine; i++)
		if (!strcmp(s->v[i].staff, o->staff))
			mine = &s->v[i];
	if (!mine)
		return pl_error_set(PL_ENOTFOUND, "%s has no registration for offering %s to cancel",
		                    o->staff, off->id);
	was_registered = !strcmp(mine->state, "registered");
	snprintf(note, sizeof(note), "registration for offering %s cancelled", off->id);
	if ((rc = set_state(w, mine->id, json_pack("{ss ss}", "registration", "cancelled", "status", "cancelled"),
	                    o->note ? o->note : note)))
		return rc;
	snprintf(g->out->entry, sizeof(g->out->entry), "%s", mine->id);
	snprintf(g->out->registration, sizeof(g->out->registration), "cancelled");
	free(mine->state);
	if (!(mine->state = strdup("cancelled")))
		return pl_error_set(PL_ERROR, "out of memory");
	if (was_registered && (cap <= 0 || count(s, "registered") < (size_t)cap)) {
		for (size_t i = 0; i < s->n; i++) {
			if (strcmp(s->v[i].state, "waitlisted"))
				continue;
			snprintf(note, sizeof(note), "moved up from the waitlist of offering %s (%s cancelled)",
			         off->id, mine->id);
			if ((rc = set_state(w, s->v[i].id, json_pack("{ss}", "registration", "registered"), note)))
				return rc;
			snprintf(g->out->promoted, sizeof(g->out->promoted), "%s", s->v[i].id);
			free(s->v[i].state);
			if (!(s->v[i].state = strdup("registered")))
				return pl_error_set(PL_ERROR, "out of memory");
			break;
		}
	}
	g->out->registered = count(s, "registered");
	g->out->waitlisted = count(s, "waitlisted");
	return 0;
}

static int register_fn(pl_write *w, void *payload)
{
	struct reg *g = payload;
	struct seats s = { 0 };
	pl_record *off = NULL;
	int rc;

	memset(g->out, 0, sizeof(*g->out));   /* a replayed write starts again */
	if ((rc = offering_in(&off, w, g->o->offering)))
		return rc;
	g->out->capacity = json_integer_value(json_object_get(off->fields, "capacity"));
	if (!(rc = pl_store_foreach(pl_write_store(w), "pd_entry", "offering", off->id, collect, &s))) {
		if (s.n)
			qsort(s.v, s.n, sizeof(*s.v), cmp_seat);
		rc = g->o->cancel ? do_cancel(g, w, off, &s) : do_register(g, w, off, &s);
	}
	seats_clear(&s);
	pl_record_free(off);
	return rc;
}

int pl_registration_register(pl_store *st, const char *actor, const pl_registration_options *o,
                             pl_registration_result *out)
{
	pl_registration_result scratch;
	struct reg g = { o, out ? out : &scratch };
	char now[32];

	if (!o || o->version != PL_REGISTRATION_OPTIONS_VERSION)
		return pl_error_set(PL_EUSAGE, "registration options of version %u; this library takes %u",
		                    o ? o->version : 0, PL_REGISTRATION_OPTIONS_VERSION);
	if (!o->offering || !*o->offering || !o->staff || !*o->staff)
		return pl_error_set(PL_EUSAGE, "a registration needs the offering and the staff member");
	if (!o->today || !*o->today)
		return pl_error_set(PL_EUSAGE, "a registration needs today's date (for its window)");
	g.stamp = o->stamp;
	if (!g.stamp || !*g.stamp) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		g.stamp = now;
	}
	return pl_store_write(st, actor, register_fn, &g);
}
