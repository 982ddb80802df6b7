/*
 * findings-print.c — the findings as text for people, one renderer for
 * every program that shows them (`plsync findings`, `plsync-district
 * findings`).
 *
 * A finding is three lines: the rule, the record and who and where it is
 * about, then why, then the next step (the program's command for it when
 * the program gives one, else the step in words); a last line counts them. Everything quoted from a
 * record may come from another node and goes through the terminal
 * renderer.
 */
#include <string.h>

#include "plsync/errors.h"
#include "plsync/findings.h"
#include "plsync/render.h"

static const char *str(const json_t *f, const char *key)
{
	return json_string_value(json_object_get(f, key));
}

static void write_one(FILE *f, const json_t *fd, pl_finding_next_fn *next, void *arg)
{
	pl_finding_action act = pl_finding_action_of(fd);
	const char *kind = str(fd, "kind"), *staff = str(fd, "staff"), *school = str(fd, "school");

	fprintf(f, "%s: ", str(fd, "rule"));
	pl_term_fputs(f, kind);
	fputc(' ', f);
	pl_term_fputs(f, str(fd, "record"));
	if (kind && !strcmp(kind, "staff"))
		staff = NULL; /* the record is the staff member */
	if (staff || school) {
		fputs(staff ? " (staff " : " (", f);
		pl_term_fputs(f, staff);
		fputs(staff && school ? ", " : "", f);
		fputs(school ? "school " : "", f);
		pl_term_fputs(f, school);
		fputc(')', f);
	}
	fputs("\n    ", f);
	pl_term_fputs(f, str(fd, "why"));
	fputc('\n', f);
	if (act == PL_ACTION_NONE)
		return;
	fputs("    next: ", f);
	if (next)
		next(f, fd, arg);
	else
		fputs(pl_finding_next_step(act), f);
	fputc('\n', f);
}

int pl_findings_write(FILE *f, const json_t *findings, const char *today, const char *year,
                      pl_finding_next_fn *next, void *arg)
{
	size_t n = json_array_size(findings);

	for (size_t i = 0; i < n; i++)
		write_one(f, json_array_get(findings, i), next, arg);
	if (n)
		fprintf(f, "%zu finding%s as of %s", n, n == 1 ? "" : "s", today);
	else
		fprintf(f, "no findings as of %s", today);
	fprintf(f, "%s%s\n", year ? " for " : "", year ? year : "");
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the findings");
	return 0;
}

int pl_finding_rules_write(FILE *f)
{
	const pl_finding_rule *r = pl_finding_rules();

	fputs("\nRules:\n", f);
	for (int i = 0; r[i].name; i++)
		fprintf(f, "  %-22s %s\n", r[i].name, r[i].title);
	if (fflush(f) || ferror(f))
		return pl_error_from_errno("writing the rules");
	return 0;
}
