/*
 * cmd-offering.c — `plsync offering`: publish an offering, show it with its
 * registrations, and print its sessions' sign-in codes.
 *
 * The library keeps the rules (plsync/offering.h): sessions parse, hours
 * default to the sessions' total, the sign-in key is made at publication.
 * An offering published by DISTRICT reaches every school with its sync.
 */
#include <stdlib.h>
#include <string.h>

#include "workflow.h"
#include "plsync/offering.h"

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int offering_get(pl_record **out, cli *c, const char *id)
{
	if (pl_store_get_state(out, c->store, id))
		return cli_fail(c);
	if ((*out)->deleted || strcmp((*out)->kind, "offering")) {
		fputs("plsync offering: ", stderr);
		pl_term_fputs(stderr, id);
		fputs(" is not an offering\n", stderr);
		pl_record_free(*out);
		*out = NULL;
		return EXIT_FAIL;
	}
	return 0;
}

static int offering_add(cli *c, int argc, char **argv)
{
	const char *id = NULL;
	opt_spec specs[] = { { "id", 1, &id, NULL }, { NULL, 0, NULL, NULL } };
	json_t *fields = NULL;
	char **pos = NULL, made[PL_ID_MAX + 1];
	int npos, rc;

	if ((rc = opts_parse(&cmd_offering_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (!npos)
		rc = cli_usage(&cmd_offering_entry, "give the offering's fields: title=TEXT type=TYPE sessions=...");
	else if (fields_parse(&fields, npos, pos) || pl_offering_create(c->store, c->actor, id, fields, made))
		rc = cli_fail(c);
	else {
		printf("%s\n", made);
		rc = EXIT_OK;
	}
	json_decref(fields);
	free(pos);
	return rc;
}

static int offering_codes(cli *c, const char *id)
{
	pl_record *r = NULL;
	pl_session *ss = NULL;
	size_t n = 0;
	int rc;

	if ((rc = offering_get(&r, c, id)))
		return rc;
	if (pl_offering_sessions(&ss, &n, r->fields)) {
		rc = cli_fail(c);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		char code[PL_SIGNIN_CODE_SIZE];
		if (pl_offering_code(code, r->id, r->fields, i + 1)) {
			rc = cli_fail(c);
			goto cleanup;
		}
		printf("session %zu  %s %s-%s  %s  ", i + 1, ss[i].date, ss[i].start, ss[i].end, code);
		pl_term_fputs(stdout, ss[i].place);
		putchar('\n');
	}
	if (!n)
		puts("(no sessions)");
cleanup:
	free(ss);
	pl_record_free(r);
	return rc;
}

struct regs {
	size_t n;
};

static int show_reg(const pl_record *r, void *payload)
{
	struct regs *g = payload;
	const char *s = sget(r->fields, "registration");
	const json_t *att = json_object_get(r->fields, "sessions_attended");

	if (!s)
		return 0;
	g->n++;
	fputs("  ", stdout);
	pl_term_fputs(stdout, r->id);
	fputs("  ", stdout);
	pl_term_fputs(stdout, sget(r->fields, "staff"));
	printf("  %s  %s  requested %s  sessions attended:", s, sget(r->fields, "status") ? sget(r->fields, "status") : "-",
	       sget(r->fields, "requested_at") ? sget(r->fields, "requested_at") : "-");
	for (size_t i = 0; i < json_array_size(att); i++) {
		putchar(' ');
		pl_term_fputs(stdout, json_string_value(json_array_get(att, i)));
	}
	if (!json_array_size(att))
		fputs(" none", stdout);
	putchar('\n');
	return 0;
}

static int offering_show(cli *c, const char *id)
{
	pl_record *r = NULL;
	pl_session *ss = NULL;
	struct regs g = { 0 };
	size_t n = 0;
	char buf[32];
	int rc;

	if ((rc = offering_get(&r, c, id)))
		return rc;
	pl_term_fputs(stdout, r->id);
	fputs("  ", stdout);
	pl_term_fputs(stdout, sget(r->fields, "title"));
	printf("  (owner %s)\n", r->owner);
	pl_json_number(buf, json_object_get(r->fields, "hours"));
	printf("  hours %s, capacity %lld, registration %s to %s\n", json_object_get(r->fields, "hours") ? buf : "-",
	       (long long)json_integer_value(json_object_get(r->fields, "capacity")),
	       sget(r->fields, "registration_opens") ? sget(r->fields, "registration_opens") : "-",
	       sget(r->fields, "registration_closes") ? sget(r->fields, "registration_closes") : "-");
	if (pl_offering_sessions(&ss, &n, r->fields))
		rc = cli_fail(c);
	for (size_t i = 0; !rc && i < n; i++) {
		printf("  session %zu  %s %s-%s  ", i + 1, ss[i].date, ss[i].start, ss[i].end);
		pl_term_fputs(stdout, ss[i].place);
		putchar('\n');
	}
	puts("registrations:");
	if (!rc && pl_store_foreach(c->store, "pd_entry", "offering", r->id, show_reg, &g))
		rc = cli_fail(c);
	if (!rc && !g.n)
		puts("  none");
	if (!rc) {
		json_t *res = NULL;
		if (pl_offering_results(&res, c->store, r->id)) {
			rc = cli_fail(c);
		} else {
			json_t *lv = json_object_get(res, "levels");
			printf("results: %lld registered, %lld waitlisted, %lld cancelled, %lld completed, %lld evaluated\n",
			       (long long)json_integer_value(json_object_get(res, "registered")),
			       (long long)json_integer_value(json_object_get(res, "waitlisted")),
			       (long long)json_integer_value(json_object_get(res, "cancelled")),
			       (long long)json_integer_value(json_object_get(res, "completed")),
			       (long long)json_integer_value(json_object_get(res, "evaluations")));
			for (size_t i = 0; i < json_array_size(lv); i++) {
				json_t *l = json_array_get(lv, i), *m = json_object_get(l, "mean");
				printf("  level %lld %-48s ", (long long)json_integer_value(json_object_get(l, "level")),
				       sget(l, "title"));
				if (json_is_number(m))
					printf("mean %.2f of %lld\n", json_number_value(m),
					       (long long)json_integer_value(json_object_get(l, "n")));
				else
					puts("not rated");
			}
		}
		json_decref(res);
	}
	free(ss);
	pl_record_free(r);
	return rc;
}

static int cmd_offering(cli *c, int argc, char **argv)
{
	if (argc < 1)
		return cli_usage(&cmd_offering_entry, "which? add, show or codes");
	if (!strcmp(argv[0], "add"))
		return offering_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "codes")) {
		if (argc != 2)
			return cli_usage(&cmd_offering_entry, "%s takes one offering id", argv[0]);
		return !strcmp(argv[0], "show") ? offering_show(c, argv[1]) : offering_codes(c, argv[1]);
	}
	return cli_usage(&cmd_offering_entry, "unknown subcommand '%s': add, show or codes", argv[0]);
}

const cmd_entry cmd_offering_entry = {
	.name = "offering",
	.synopsis = "offering add [--id ID] title=TEXT type=TYPE sessions=S[,S...] [field=value...] | "
	            "offering show ID | offering codes ID",
	.summary = "publish a PD offering staff register for; show it; print its sign-in codes",
	.help =
	"add    publishes an offering (kind `offering`, see `plsync help add`) and prints\n"
	"       its id. Each session is \"YYYY-MM-DD HH:MM-HH:MM PLACE\", sessions comma-\n"
	"       separated; hours default to the sessions' total. Published by\n"
	"       DISTRICT it reaches every school with the next sync. Presenters are\n"
	"       staff ids (PL provided by staff, Rule 4370.2).\n"
	"show   the offering, its sessions, its registrations, and its results: how many\n"
	"       completed, and their Guskey evaluation level by level.\n"
	"codes  the sign-in code of each session, for the presenter to show: an\n"
	"       attendee signs in with `plsync attend` (or the web app), and every\n"
	"       node checks the code offline.\n"
	"\n"
	"Example:\n"
	"  plsync offering add --id OFF-MATH title='Math routines' type=workshop capacity=25 \\\n"
	"      sessions='2026-10-05 15:30-17:30 Room 4,2026-10-12 15:30-17:00 Room 4' \\\n"
	"      presenters=E200 standards=learning_designs registration_closes=2026-10-01\n"
	"  plsync offering codes OFF-MATH\n",
	.needs_store = 1,
	.exec = cmd_offering,
};
