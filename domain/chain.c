/*
 * chain.c — the approval chain of a pd_entry (plsync/chain.h): Rule
 * 4370.1's supervisor and budget manager, then the steps the district's
 * approval_rule records add. A pure function of the records given: the
 * workflow calls it inside its write, findings over a dataset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/chain.h"
#include "plsync/errors.h"

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && *s ? s : NULL;
}

/* Only the district's rules count: a school's copy of one is not a rule. */
static int district_rule(const char *id)
{
	return !strncmp(id, "DISTRICT-", 9);
}

static int rule_applies(const json_t *rule, const json_t *entry)
{
	const char *when = str(rule, "when"), *funding = str(entry, "funding");

	if (!when)
		return 0;
	if (!strcmp(when, "always"))
		return 1;
	if (!strcmp(when, "out_of_district"))
		return str(entry, "location") && !strcmp(str(entry, "location"), "out_of_district");
	if (!strcmp(when, "federal_funds"))
		return funding && !strncmp(funding, "federal:", 8);
	if (!strcmp(when, "cost_over")) {
		json_t *c = json_object_get(entry, "cost_cents"), *lim = json_object_get(rule, "cost_over_cents");
		return json_is_integer(c) && json_integer_value(c) > (json_is_integer(lim) ? json_integer_value(lim) : 0);
	}
	return 0;
}

/* The rule's steps: a list (as stored) or, from an older writer, one text
 * "a,b". Calls back for each step name. */
static int each_step(const json_t *rule, const char *id, pl_role *out, size_t *n, size_t max)
{
	json_t *steps = json_object_get(rule, "steps"), *v;
	size_t i;

	json_array_foreach(steps, i, v) {
		const char *name = json_string_value(v);
		pl_role r = pl_role_parse(name);
		if (r == PL_ROLE_NONE)
			return pl_error_set(PL_EINVALID, "approval_rule %s: steps: '%s' is not a chain step (principal, "
			                    "federal_programs, district_pd, superintendent, supervisor, budget)", id,
			                    name ? name : "?");
		if (*n < max)
			out[(*n)++] = r;
	}
	return 0;
}

int pl_chain_of(pl_chain *out, const json_t *rules, const json_t *entry, const json_t *staff)
{
	const char *holder[PL_ROLE_COUNT_] = { 0 }, *from[PL_ROLE_COUNT_] = { 0 };
	int in[PL_ROLE_COUNT_] = { 0 };
	const char **ids = NULL;
	size_t nids = 0, k = 0;
	const char *id;
	json_t *rule;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	in[PL_ROLE_SUPERVISOR] = in[PL_ROLE_BUDGET] = 1;
	holder[PL_ROLE_SUPERVISOR] = str(staff, "supervisor");
	holder[PL_ROLE_BUDGET] = str(staff, "budget_manager");
	/* the rules in id order, so "the first rule naming an approver" is stable */
	if (json_object_size(rules) && !(ids = calloc(json_object_size(rules), sizeof(*ids))))
		return pl_error_set(PL_ERROR, "out of memory");
	json_object_foreach((json_t *)rules, id, rule)
		if (district_rule(id))
			ids[nids++] = id;
	for (size_t i = 1; i < nids; i++)
		for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			const char *t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	for (size_t i = 0; i < nids; i++) {
		pl_role steps[PL_CHAIN_MAX];
		size_t n = 0;

		rule = json_object_get(rules, ids[i]);
		if (!rule_applies(rule, entry))
			continue;
		if ((rc = each_step(rule, ids[i], steps, &n, PL_CHAIN_MAX)))
			goto cleanup;
		for (size_t s = 0; s < n; s++) {
			pl_role r = steps[s];
			if (!in[r])
				from[r] = ids[i];
			in[r] = 1;
			if (!holder[r] && r > PL_ROLE_BUDGET)
				holder[r] = str(json_object_get(rule, "approvers"), pl_role_key(r));
		}
	}
	for (int r = PL_ROLE_SUPERVISOR; r < PL_ROLE_COUNT_ && k < PL_CHAIN_MAX; r++)
		if (in[r]) {
			out->step[k] = (pl_role)r;
			out->holder[k] = holder[r];
			out->rule[k] = from[r];
			k++;
		}
	out->n = k;
cleanup:
	free(ids);
	return rc;
}

int pl_chain_step_done(const json_t *entry, pl_role role)
{
	const json_t *a = json_object_get(json_object_get(entry, "approvals"), pl_role_key(role));
	const char *dec = str(a, "decision");

	if (dec)
		return !strcmp(dec, "approved");
	return str(a, "by") != NULL;
}

int pl_chain_find(const pl_chain *c, pl_role role)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->step[i] == role)
			return (int)i;
	return -1;
}

pl_role pl_chain_next(const pl_chain *c, const json_t *entry)
{
	for (size_t i = 0; i < c->n; i++)
		if (!pl_chain_step_done(entry, c->step[i]))
			return c->step[i];
	return PL_ROLE_NONE;
}

void pl_chain_missing_text(char *out, size_t sz, const pl_chain *c, const json_t *entry)
{
	size_t m = 0, done = 0, n = 0;

	for (size_t i = 0; i < c->n; i++)
		m += !entry || !pl_chain_step_done(entry, c->step[i]);
	out[0] = '\0';
	for (size_t i = 0; i < c->n && n < sz; i++) {
		if (entry && pl_chain_step_done(entry, c->step[i]))
			continue;
		done++;
		n += (size_t)snprintf(out + n, sz - n, "%sthe %s", done == 1 ? "" : done == m ? " and " : ", ",
		                      pl_role_title(c->step[i]));
	}
}
