/*
 * cmd-add.c — `plsync add`: create one record; prints its id.
 */
#include <string.h>

#include "agent.h"

void schema_help(FILE *out)
{
	const pl_kind_def *const *kinds = pl_schema_kinds();

	fprintf(out, "\nKinds and fields (* = required):\n");
	for (int i = 0; kinds[i]; i++) {
		fprintf(out, "\n  %s — %s\n", kinds[i]->name, kinds[i]->help);
		for (const pl_field_def *f = kinds[i]->fields; f->name; f++) {
			fprintf(out, "    %c%-24s %s (%s", f->required ? '*' : ' ', f->name, f->help,
			        pl_schema_type_name(f));
			if (f->type == PL_T_ENUM) {
				fprintf(out, ":");
				for (const char *const *e = f->enums; *e; e++)
					fprintf(out, " %s", *e);
			}
			fprintf(out, ")\n");
			if (f->type == PL_T_MAP) {
				for (const pl_field_def *s = f->sub; s->name; s++) {
					if (s->type == PL_T_MAP) {
						for (const pl_field_def *t = s->sub; t->name; t++)
							fprintf(out, "     %s.%s.%s  %s\n", f->name, s->name, t->name, t->help);
					} else {
						fprintf(out, "     %s.%s  %s (%s)\n", f->name, s->name, s->help,
						        pl_schema_type_name(s));
					}
				}
			}
		}
	}
	fprintf(out, "\nStandards (Learning Forward) 2011:");
	for (const char *const *s = pl_standard_codes(2011); *s; s++)
		fprintf(out, " %s", *s);
	fprintf(out, "\nStandards (Learning Forward) 2022:");
	for (const char *const *s = pl_standard_codes(2022); *s; s++)
		fprintf(out, " %s", *s);
	fprintf(out, "\n");
}

static int cmd_add(cli *c, int argc, char **argv)
{
	const char *id = NULL, *note = NULL;
	opt_spec specs[] = { { "id", 1, &id, NULL }, { "note", 1, &note, NULL }, { NULL, 0, NULL, NULL } };
	char **pos, out[PL_ID_MAX + 1];
	json_t *fields = NULL;
	int npos, rc;

	if ((rc = opts_parse(&cmd_add_entry, argc, argv, specs, &pos, &npos)))
		return rc;
	if (npos < 1) {
		free(pos);
		char names[256];
		return cli_usage(&cmd_add_entry, "which kind? (%s)", pl_schema_kind_names(names, sizeof(names)));
	}
	if (!pl_schema_kind(pos[0])) {
		rc = kind_unknown(pos[0]);
		free(pos);
		return rc;
	}
	if (fields_parse(&fields, npos - 1, pos + 1)) {
		free(pos);
		return cli_fail(c);
	}
	pl_change ch = { PL_CHANGE_CREATE, pos[0], id, fields, note };
	rc = pl_store_change(c->store, c->actor, &ch, out);
	json_decref(fields);
	free(pos);
	if (rc)
		return cli_fail(c);
	printf("%s\n", out);
	return EXIT_OK;
}

const cmd_entry cmd_add_entry = {
	.name = "add",
	.synopsis = "add KIND [--id ID] [--note TEXT] field=value...",
	.summary = "add a record and print its id",
	.help =
	"Adds one record of KIND. Every field is checked against the schema: types,\n"
	"dates (YYYY-MM-DD), enums, non-negative hours and money, and references to\n"
	"records that must exist. A bad value is refused and nothing is written.\n"
	"\n"
	"  field=value        set a field; nested fields with dots\n"
	"                     (approvals.supervisor.by=E100), lists comma-separated\n"
	"                     (standards=learning_designs,implementation)\n"
	"  --id ID            use a natural key (an employee number) instead of a\n"
	"                     generated id like LIN01-7K3Q2\n"
	"  --note TEXT        a reason, kept with the change\n"
	"\n"
	"Money is in integer cents (cost_cents=12000 is $120.00).\n"
	"\n"
	"Examples:\n"
	"  plsync add staff --id E100 name=\"Ann Lee\" category=certified school=LIN01\n"
	"  plsync add pd_entry staff=E100 title=\"Math Institute\" type=institute \\\n"
	"         start=2026-08-10 hours=12 standards=learning_designs,implementation\n",
	.needs_store = 1,
	.exec = cmd_add,
	.help_extra = schema_help,
};
