/*
 * fuzz-json — canonical JSON (store/json.c) of any value jansson reads.
 *
 * The input is parsed by jansson (any value, NUL allowed in strings); what
 * it accepts goes through pl_json_canonical. These trap:
 *   - the output is valid UTF-8 ending in "\n";
 *   - jansson reads the output back to an equal value (numbers compared by
 *     value: canonical JSON writes 6.0 as 6, and JSON does not tell them
 *     apart);
 *   - canonical(parse(canonical(x))) == canonical(x): one form per value.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/json.h"
#include "plsync/op.h"

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

static int same_value(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same_value(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !same_value(v, w))
				return 0;
		}
		return 1;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL, *back = NULL;
	char *out = NULL, *again = NULL;
	json_error_t err;
	size_t n;

	if (!(v = json_loadb((const char *)data, size, LOAD_FLAGS, &err)))
		return 0;
	if (!(out = pl_json_canonical(v)))
		__builtin_trap();
	n = strlen(out);
	if (n == 0 || out[n - 1] != '\n' || !pl_utf8_valid(out, n))
		__builtin_trap();
	if (!(back = json_loads(out, LOAD_FLAGS, &err)))
		__builtin_trap(); /* not JSON that jansson reads */
	if (!same_value(v, back))
		__builtin_trap(); /* read back as another value */
	if (!(again = pl_json_canonical(back)) || strcmp(again, out))
		__builtin_trap(); /* two canonical forms of one value */
	free(again);
	free(out);
	json_decref(back);
	json_decref(v);
	return 0;
}
