/*
 * page-api.c — the JSON API under /api/v1/ (the session's cookie, as the
 * pages): for now GET /api/v1/records/ID, one record as
 * {"id","kind","owner","fields"}, seen by whom the record page is.
 * Errors are {"error": "..."} with 404.
 */
#include <string.h>

#include "plsync/json.h"
#include "web.h"

int page_api_record(web_req *r, const char *id)
{
	pl_record *rec = NULL;
	json_t *doc;
	char *text;

	r->ctype = "application/json";
	if (pl_store_get_state(&rec, r->store, id) || rec->deleted ||
	    (!web_sees_all(r) && !(!strcmp(rec->kind, "staff") && web_sees_staff(r, rec->id)) &&
	     !(!strcmp(rec->kind, "pd_entry") &&
	       web_sees_staff(r, json_string_value(json_object_get(rec->fields, "staff")))))) {
		pl_record_free(rec);
		r->status = 404;
		fputs("{\"error\":\"no such record, or not yours to see\"}\n", r->out);
		return 0;
	}
	doc = json_pack("{ss ss ss sO}", "id", rec->id, "kind", rec->kind, "owner", rec->owner ? rec->owner : "",
	                "fields", rec->fields);
	text = doc ? pl_json_canonical(doc) : NULL;
	if (text)
		fputs(text, r->out);
	fputc('\n', r->out);
	free(text);
	json_decref(doc);
	pl_record_free(rec);
	return 0;
}
