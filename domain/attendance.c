/*
 * attendance.c — signing in to an offering's sessions
 * (plsync/attendance.h).
 *
 * Rules kept here: only a live registration signs in; a code must be the
 * session's; a session is counted once; the hours completed are those of
 * the sessions attended (hundredths, summed), never the offering's total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/offering.h"
#include "plsync/attendance.h"

struct mark {
	const pl_attendance_options *o;
	pl_attendance_result        *out;
	char                         end[11];   /* the last attended session's date */
};

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

struct find {
	const char *staff;
	char        id[PL_ID_MAX + 1];
	char        state[16];
};

static int find_cb(const pl_record *r, void *payload)
{
	struct find *f = payload;
	const char *state = sget(r->fields, "registration");

	if (!state || strcmp(sget(r->fields, "staff") ? sget(r->fields, "staff") : "", f->staff))
		return 0;
	/* a live registration wins over a cancelled one */
	if (!f->id[0] || strcmp(state, "cancelled")) {
		snprintf(f->id, sizeof(f->id), "%s", r->id);
		snprintf(f->state, sizeof(f->state), "%s", state);
	}
	return 0;
}

static int has_session(const json_t *list, size_t k)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%zu", k);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (!strcmp(json_string_value(json_array_get(list, i)) ? json_string_value(json_array_get(list, i)) : "", buf))
			return 1;
	return 0;
}

static int mark_fn(pl_write *w, void *payload)
{
	struct mark *m = payload;
	const pl_attendance_options *o = m->o;
	pl_record *off = NULL, *e = NULL;
	pl_session *ss = NULL;
	struct find f = { o->staff };
	json_t *list = NULL;
	long long centi = 0;
	size_t n = 0;
	int rc;

	memset(m->out, 0, sizeof(*m->out));
	m->end[0] = '\0';
	if ((rc = pl_write_get(&off, w, o->offering))) {
		if (rc == PL_ENOTFOUND)
			rc = pl_error_set(PL_ENOTFOUND, "no offering %s here", o->offering);
		goto cleanup;
	}
	if (off->deleted || strcmp(off->kind, "offering")) {
		rc = pl_error_set(PL_EINVALID, "%s is not an offering", o->offering);
		goto cleanup;
	}
	if ((rc = pl_offering_sessions(&ss, &n, off->fields)))
		goto cleanup;
	m->out->sessions = n;
	if (o->session < 1 || o->session > n) {
		rc = pl_error_set(PL_EINVALID, "offering %s has %zu session%s; there is no session %zu",
		                  off->id, n, n == 1 ? "" : "s", o->session);
		goto cleanup;
	}
	if (strcmp(o->today, ss[o->session - 1].date) < 0) {
		rc = pl_error_set(PL_EINVALID, "session %zu of offering %s is on %s; nobody attended it yet "
		                  "(today is %s)", o->session, off->id, ss[o->session - 1].date, o->today);
		goto cleanup;
	}
	if (o->code && !pl_offering_code_ok(off->id, off->fields, o->session, o->code)) {
		rc = pl_error_set(PL_EINVALID, "that is not the sign-in code of session %zu of offering %s",
		                  o->session, off->id);
		goto cleanup;
	}
	if ((rc = pl_store_foreach(pl_write_store(w), "pd_entry", "offering", off->id, find_cb, &f)))
		goto cleanup;
	if (!f.id[0]) {
		rc = pl_error_set(PL_ENOTFOUND, "%s is not registered for offering %s", o->staff, off->id);
		goto cleanup;
	}
	if (strcmp(f.state, "registered")) {
		rc = pl_error_set(PL_EINVALID, "%s's registration for offering %s is %s (pd_entry %s), so "
		                  "there is no seat to sign in to", o->staff, off->id, f.state, f.id);
		goto cleanup;
	}
	snprintf(m->out->entry, sizeof(m->out->entry), "%s", f.id);
	if ((rc = pl_write_get(&e, w, f.id)))
		goto cleanup;
	list = json_deep_copy(json_object_get(e->fields, "sessions_attended"));
	if (!list)
		list = json_array();
	if (!list) {
		rc = pl_error_set(PL_ERROR, "out of memory");
		goto cleanup;
	}
	if (has_session(list, o->session)) {
		m->out->already = 1;
	} else {
		char num[24], note[200];
		json_t *fields;
		pl_change ch = { PL_CHANGE_SET, "pd_entry", f.id, NULL, note };

		snprintf(num, sizeof(num), "%zu", o->session);
		json_array_append_new(list, json_string(num));
		snprintf(note, sizeof(note), "attended session %zu of offering %s (%s)", o->session, off->id,
		         o->code ? "sign-in code" : "roster");
		if (!(fields = json_pack("{sO}", "sessions_attended", list))) {
			rc = pl_error_set(PL_ERROR, "out of memory");
			goto cleanup;
		}
		ch.fields = fields;
		rc = pl_write_change(w, &ch, NULL);
		json_decref(fields);
		if (rc)
			goto cleanup;
	}
	for (size_t k = 1; k <= n; k++)
		if (has_session(list, k)) {
			m->out->attended++;
			centi += pl_session_centi(&ss[k - 1]);
			if (strcmp(ss[k - 1].date, m->end) > 0)
				snprintf(m->end, sizeof(m->end), "%s", ss[k - 1].date);
		}
	snprintf(m->out->hours, sizeof(m->out->hours), "%lld.%02lld", centi / 100, centi % 100);
cleanup:
	json_decref(list);
	free(ss);
	pl_record_free(e);
	pl_record_free(off);
	return rc;
}

int pl_attendance_mark(pl_store *st, const char *actor, const pl_attendance_options *o,
                       pl_attendance_result *out)
{
	pl_attendance_result scratch;
	struct mark m = { o, out ? out : &scratch };
	pl_workflow_options wo = PL_WORKFLOW_OPTIONS_INIT;
	pl_workflow_result wr;
	char note[200];
	int rc;

	if (!o || o->version != PL_ATTENDANCE_OPTIONS_VERSION)
		return pl_error_set(PL_EUSAGE, "attendance options of version %u; this library takes %u",
		                    o ? o->version : 0, PL_ATTENDANCE_OPTIONS_VERSION);
	if (!o->offering || !o->staff || !o->session || !o->today)
		return pl_error_set(PL_EUSAGE, "attendance needs the offering, the staff member, the session "
		                    "and today's date");
	if ((rc = pl_store_write(st, actor, mark_fn, &m)))
		return rc;
	if (m.out->attended < m.out->sessions && !o->finish)
		return 0;
	if (!m.out->attended)
		return 0;
	{
		pl_record *e = NULL;
		const char *status;
		if ((rc = pl_store_get_state(&e, st, m.out->entry)))
			return rc;
		status = json_string_value(json_object_get(e->fields, "status"));
		rc = status && !strcmp(status, "completed");
		pl_record_free(e);
		if (rc)
			return 0;   /* completed before (a repeated sign-in) */
	}
	wo.id = m.out->entry;
	wo.hours = m.out->hours;
	wo.today = o->today;
	wo.end = m.end;
	snprintf(note, sizeof(note), "%zu of %zu sessions attended", m.out->attended, m.out->sessions);
	wo.note = note;
	if (pl_workflow_complete(st, actor, &wo, &wr)) {
		m.out->complete_reason = wr.reason;
		snprintf(m.out->why, sizeof(m.out->why), "%s", pl_error_last()->message);
		return 0;
	}
	m.out->completed = 1;
	return 0;
}
