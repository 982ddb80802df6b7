/*
 * json.c — canonical JSON writer.
 *
 * One form for every consumer: sorted keys, two-space indent, one field or
 * element per line, numbers without exponent, "\n" at the end. Strings are
 * quoted exactly as jansson quotes them (ASCII ones here, others by jansson
 * itself), so the result is always valid JSON that jansson reads back to an
 * equal value.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/errors.h"
#include "plsync/json.h"

/* Where emit() writes: a growing string, or (f set) straight to a stream. */
typedef struct buf {
	char  *p;
	size_t len, cap;
	int    oom;
	FILE  *f;
	int    ioerr;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->oom || b->ioerr)
		return;
	if (b->f) {
		if (n && fwrite_unlocked(s, 1, n, b->f) != n)
			b->ioerr = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void indent(buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		put(b, "  ", 2);
}

/*
 * The shortest digits that read back as d (%.*e, 1 to 17 significant) into
 * dig (no point, no sign); returns the decimal exponent of the first digit.
 */
static int shortest_digits(char dig[20], double d)
{
	char tmp[40], *p, *e;
	int n = 0;

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, fabs(d));
		if (strtod(tmp, NULL) == fabs(d))
			break;
	}
	e = strchr(tmp, 'e');
	for (p = tmp; p < e; p++)
		if (*p != '.')
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	return atoi(e + 1);
}

void pl_json_number(char out[32], const json_t *v)
{
	char dig[20], plain[400], *p = plain; /* |exp| <= 324: fits */
	double d;
	int exp, n;

	if (json_is_integer(v)) {
		snprintf(out, 32, "%lld", (long long)json_integer_value(v));
		return;
	}
	d = json_real_value(v);
	if (!isfinite(d) || d == 0) {
		snprintf(out, 32, "0"); /* -0 too: JSON readers take "-0" for 0 */
		return;
	}
	exp = shortest_digits(dig, d);
	n = (int)strlen(dig);
	/* the same digits written out with the point where the exponent puts it */
	if (d < 0)
		*p++ = '-';
	if (exp < 0) {
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -exp - 1; i++)
			*p++ = '0';
		for (int i = 0; i < n; i++)
			*p++ = dig[i];
	} else {
		for (int i = 0; i < n || i <= exp; i++) {
			if (i == exp + 1)
				*p++ = '.';
			*p++ = i < n ? dig[i] : '0';
		}
	}
	*p = '\0';
	/*
	 * Without an exponent when that fits and reads back as this value: a
	 * whole number past 9e18 would read as an integer too big for JSON
	 * readers, and past 31 characters it does not fit. Those (never a valid
	 * schema value) keep an exponent: still exact, still JSON.
	 */
	if (strlen(plain) < 32 && (strchr(plain, '.') || fabs(d) < 9e18))
		snprintf(out, 32, "%s", plain);
	else
		snprintf(out, 32, "%s%c%s%se%+d", d < 0 ? "-" : "", dig[0], n > 1 ? "." : "", dig + 1, exp);
}

/*
 * A string as jansson quotes it (JSON_ENCODE_ANY): '"', '\\' and control
 * characters escaped (\b \f \n \r \t, else \u00XX), all else as is.
 * ASCII here, byte for byte the same; anything else through jansson, which
 * also checks the UTF-8.
 */
static void put_string(buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;
	size_t i, run;

	for (i = 0; i < n; i++)
		if (s[i] >= 0x80)
			break;
	if (i < n) {
		json_t *v = json_stringn(str, n);
		char *d = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
		json_decref(v);
		if (!d) {
			b->oom = 1;
			return;
		}
		puts_(b, d);
		free(d);
		return;
	}
	put(b, "\"", 1);
	for (i = 0, run = 0; i < n; i++) {
		unsigned char c = s[i];
		char esc[7] = { '\\', 0 };
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, (const char *)s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':  esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		put(b, esc, elen);
	}
	put(b, (const char *)s + run, n - run);
	put(b, "\"", 1);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void emit(buf *b, const json_t *v, int depth)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_NULL:  puts_(b, "null"); return;
	case JSON_TRUE:  puts_(b, "true"); return;
	case JSON_FALSE: puts_(b, "false"); return;
	case JSON_INTEGER:
	case JSON_REAL:
		pl_json_number(num, v);
		puts_(b, num);
		return;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		if (!n) {
			puts_(b, "[]");
			return;
		}
		puts_(b, "[\n");
		for (size_t i = 0; i < n; i++) {
			indent(b, depth + 1);
			emit(b, json_array_get(v, i), depth + 1);
			puts_(b, i + 1 < n ? ",\n" : "\n");
		}
		indent(b, depth);
		puts_(b, "]");
		return;
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys, *k;
		json_t *x;
		if (!n) {
			puts_(b, "{}");
			return;
		}
		if (!(keys = malloc(n * sizeof(*keys)))) {
			b->oom = 1;
			return;
		}
		json_object_foreach((json_t *)v, k, x)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_key);
		puts_(b, "{\n");
		for (i = 0; i < n; i++) {
			indent(b, depth + 1);
			put_string(b, keys[i], strlen(keys[i]));
			puts_(b, ": ");
			emit(b, json_object_get(v, keys[i]), depth + 1);
			puts_(b, i + 1 < n ? ",\n" : "\n");
		}
		free(keys);
		indent(b, depth);
		puts_(b, "}");
		return;
	}
	}
}

char *pl_json_canonical(const json_t *v)
{
	buf b = { NULL, 0, 0, 0, NULL, 0 };
	emit(&b, v, 0);
	puts_(&b, "\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int pl_json_write(FILE *f, const json_t *v)
{
	char *s = pl_json_canonical(v);
	int rc = 0;
	if (!s)
		return pl_error_set(PL_ERROR, "out of memory");
	if (fputs(s, f) == EOF)
		rc = pl_error_from_errno("writing JSON");
	free(s);
	return rc;
}

static int written(const buf *b)
{
	if (b->oom)
		return pl_error_set(PL_ERROR, "out of memory");
	if (b->ioerr || ferror(b->f))
		return pl_error_from_errno("writing JSON");
	return 0;
}

/* What emit() writes for element i of an array at depth 0, with what goes
 * before it: straight to the stream, through its buffer. */
int pl_json_array_item(pl_json_array_out *a, const json_t *v)
{
	buf b = { NULL, 0, 0, 0, a->f, 0 };
	puts_(&b, a->n ? ",\n" : "[\n");
	indent(&b, 1);
	emit(&b, v, 1);
	a->n++;
	return written(&b);
}

int pl_json_array_end(pl_json_array_out *a)
{
	buf b = { NULL, 0, 0, 0, a->f, 0 };
	puts_(&b, a->n ? "\n]\n" : "[]\n");
	return written(&b);
}

static void flatten_into(json_t *out, const char *prefix, const json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v))
			flatten_into(out, path, v);
		else
			json_object_set(out, path, v);
	}
}

void pl_json_flatten(json_t *out, const json_t *obj)
{
	if (out && obj)
		flatten_into(out, "", obj);
}

int pl_json_put(json_t *root, const char *path, json_t *value)
{
	char name[256], *p, *dot;
	json_t *obj = root;

	if (!value)
		return pl_error_set(PL_EUSAGE, "'%s': value is not valid UTF-8", path);
	if (strlen(path) >= sizeof(name)) {
		json_decref(value);
		return pl_error_set(PL_EUSAGE, "field name '%.40s...' is too long", path);
	}
	snprintf(name, sizeof(name), "%s", path);
	for (p = name; (dot = strchr(p, '.')); p = dot + 1) {
		json_t *child;
		*dot = '\0';
		if (!*p)
			break;
		child = json_object_get(obj, p);
		if (!child) {
			child = json_object();
			json_object_set_new(obj, p, child);
		} else if (!json_is_object(child)) {
			json_decref(value);
			return pl_error_set(PL_EUSAGE, "field '%s': %s is given both as a value and as nested fields",
			                    path, p);
		}
		obj = child;
	}
	if (!*p) {
		json_decref(value);
		return pl_error_set(PL_EUSAGE, "field name '%s' has an empty part", path);
	}
	if (json_object_get(obj, p)) {
		json_decref(value);
		return pl_error_set(PL_EUSAGE, "field '%s' is given twice", path);
	}
	json_object_set_new(obj, p, value);
	return 0;
}

json_t *pl_json_unflatten(const json_t *flat)
{
	json_t *out = json_object(), *v;
	const char *path;

	if (!out)
		return NULL;
	json_object_foreach((json_t *)flat, path, v) {
		if (pl_json_put(out, path, json_incref(v))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

const char **pl_json_keys(const json_t *obj, size_t *n)
{
	const char **keys = malloc((json_object_size(obj) + 1) * sizeof(*keys)), *k;
	json_t *v;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach((json_t *)obj, k, v)
		keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_key);
	return keys;
}
