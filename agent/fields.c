/*
 * fields.c — field=value arguments and the display of field values.
 *
 * `approvals.supervisor.by=E100` becomes {"approvals":{"supervisor":{"by":
 * "E100"}}}; values stay strings here and are parsed by the schema, so the
 * command line, CSV and JSON Lines all reach the store the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"

int fields_put(json_t *root, const char *path, json_t *value)
{
	return pl_json_put(root, path, value);
}

int fields_parse(json_t **out, int argc, char **argv)
{
	json_t *root = json_object();

	*out = NULL;
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char path[256];
		int rc;

		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(path)) {
			json_decref(root);
			return pl_error_set(PL_EUSAGE, "'%s' is not field=value", argv[i]);
		}
		memcpy(path, argv[i], (size_t)(eq - argv[i]));
		path[eq - argv[i]] = '\0';
		if ((rc = fields_put(root, path, eq[1] ? json_string(eq + 1) : json_null()))) {
			json_decref(root);
			return rc;
		}
	}
	*out = root;
	return 0;
}

json_t *fields_flatten(const json_t *obj)
{
	json_t *out = json_object();

	pl_json_flatten(out, obj);
	return out;
}

char *fields_text(const json_t *v)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_STRING: return strdup(json_string_value(v));
	case JSON_INTEGER:
	case JSON_REAL:
		pl_json_number(num, v);
		return strdup(num);
	case JSON_TRUE:   return strdup("true");
	case JSON_FALSE:  return strdup("false");
	case JSON_NULL:   return strdup("");
	case JSON_ARRAY: {
		size_t len = 1;
		char *s;
		for (size_t i = 0; i < json_array_size(v); i++) {
			char *e = fields_text(json_array_get(v, i));
			len += (e ? strlen(e) : 0) + 1;
			free(e);
		}
		if (!(s = calloc(1, len)))
			return NULL;
		for (size_t i = 0; i < json_array_size(v); i++) {
			char *e = fields_text(json_array_get(v, i));
			if (i)
				strcat(s, ",");
			if (e)
				strcat(s, e);
			free(e);
		}
		return s;
	}
	case JSON_OBJECT:
		return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	}
	return strdup("");
}

json_t *record_json(const pl_record *r)
{
	char created[32], updated[32];

	pl_hlc_fmt(created, r->created);
	pl_hlc_fmt(updated, r->updated);
	return json_pack("{ss ss ss ss ss sO}", "id", r->id, "kind", r->kind, "owner", r->owner,
	                 "created", created, "updated", updated, "fields", r->fields);
}

json_t *fields_get(const json_t *obj, const char *path)
{
	char buf[256], *p, *dot;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; (dot = strchr(p, '.')); p = dot + 1) {
		*dot = '\0';
		obj = json_object_get(obj, p);
		if (!json_is_object(obj))
			return NULL;
	}
	return json_object_get(obj, p);
}

int kind_unknown(const char *kind)
{
	char names[256];

	return cli_error(EXIT_USAGE, "unknown kind '%s'; kinds are: %s", kind,
	                 pl_schema_kind_names(names, sizeof(names)));
}
