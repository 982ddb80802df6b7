/*
 * Transcripts total per credit type (plsync/credit.h): 24 contact hours
 * (three completed entries and a PLC meeting) are 2.4 CEU; a graduate
 * course's 3 credits count as graduate credits and are not converted; the
 * district's PDP type (1 unit per 2 hours) converts every row, except an
 * entry of that type that gives its own credits; credits without a type
 * stay "credits". The text and Markdown transcripts print the totals.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/dataset.h"
#include "plsync/json.h"
#include "plsync/transcript.h"
#include "../tap.h"

static void put(json_t *ds, const char *kind, const char *id, const char *json)
{
	json_t *f = json_loads(json, 0, NULL);

	if (!f || pl_dataset_put(ds, kind, id, f))
		bail("put %s %s", kind, id);
	json_decref(f);
}

/* The total of credit type `type` in transcript t, x 100; -1 when absent. */
static long long total(const json_t *t, const char *type)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(t, "credit_totals"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "type")), type))
			return llround(json_number_value(json_object_get(c, "total")) * 100);
	return -1;
}

int main(void)
{
	json_t *ds = pl_dataset_new(), *t = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	put(ds, "staff", "E100", "{\"name\":\"Ann Lee\",\"category\":\"certified\"}");
	put(ds, "credit_type", "DISTRICT-PDP", "{\"code\":\"pdp\",\"name\":\"PD points\",\"hours_per_unit\":2}");
	put(ds, "pd_entry", "P1", "{\"staff\":\"E100\",\"title\":\"Fractions\",\"type\":\"workshop\",\"end\":\"2026-09-10\","
	    "\"hours\":6,\"status\":\"completed\"}");
	put(ds, "pd_entry", "P2", "{\"staff\":\"E100\",\"title\":\"Assessment course\",\"type\":\"course\",\"end\":\"2026-10-10\","
	    "\"hours\":12,\"credits\":3,\"credit_type\":\"graduate\",\"status\":\"completed\"}");
	put(ds, "pd_entry", "P3", "{\"staff\":\"E100\",\"title\":\"Coaching\",\"type\":\"coaching\",\"end\":\"2026-10-20\","
	    "\"hours\":4,\"credits\":5,\"credit_type\":\"pdp\",\"status\":\"completed\"}");
	put(ds, "pd_entry", "P4", "{\"staff\":\"E100\",\"title\":\"Old record\",\"type\":\"seminar\",\"end\":\"2026-10-21\","
	    "\"credits\":1,\"status\":\"completed\"}");
	put(ds, "plc_meeting", "M1", "{\"group\":\"Grade 4\",\"date\":\"2026-10-01\",\"minutes\":120,\"attendees\":[\"E100\"]}");

	if (pl_init() || pl_transcript_build(&t, ds, "E100", NULL, "2026-11-20", NULL))
		bail("transcript: %s", pl_error_last()->message);
	is_int(total(t, "hours"), 2400, "24 contact hours (6 + 12 + 4 + 2 PLC)");
	is_int(total(t, "ceu"), 240, "2.4 CEU: 10 hours to one");
	is_int(total(t, "graduate"), 300, "3 graduate credits, from the course only");
	is_int(total(t, "pdp"), 1500, "15 PD points: 5 of its own + (6 + 12 + 2) / 2");
	is_int(total(t, "credits"), 100, "1 credit of no type");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(t, "credit_totals"), 2), "name")),
	       "PD points", "the district's type by its name, after hours and CEU");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(t, "rows"), 2), "credit_type")),
	       "graduate", "rows carry their credit_type");

	f = open_memstream(&text, &len);
	pl_transcript_write(f, t, "text", 0);
	fclose(f);
	ok(strstr(text, "Credits by type: 24.00 Contact hours, 2.40 CEU, 15.00 PD points, 3.00 Graduate credits, "
	                "1.00 Credits (type not given).") != NULL, "the text transcript prints the totals");
	free(text);
	f = open_memstream(&text, &len);
	pl_transcript_write(f, t, "md", 0);
	fclose(f);
	ok(strstr(text, "Credits by type: 24.00 Contact hours, 2.40 CEU") != NULL, "and the Markdown one");
	free(text);
	json_decref(t);
	json_decref(ds);
	done_testing();
}
