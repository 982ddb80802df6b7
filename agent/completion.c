/*
 * completion.c — `plsync __complete WHAT [ARG]`, a hidden command: the
 * words the bash completion (dist/bash-completion/plsync) offers, one a
 * line, taken from plsync itself so that the completion never falls behind
 * the program:
 *
 *   commands          the command names (the command table)
 *   options CMD       the long options of CMD: those its synopsis names and
 *                     those its help lists (lines starting with "--")
 *   kinds             the record kinds (the schema)
 *   fields KIND|ID    the fields of KIND, or of the kind of record ID in the
 *                     store, nested ones dotted (the schema)
 *   values CMD OPT    the values CMD's synopsis gives option OPT
 *                     ("--format csv|jsonl": csv, jsonl)
 *   ids [KIND]        the ids of the live records (of KIND, else of every
 *                     kind) in the data dir's store
 *   config-keys       the config keys (config_keys[]); with --long, each as
 *                     "name<TAB>default<TAB>meaning" (for the man page test)
 *
 * It is not listed in `plsync --help`. It prints nothing and exits 1 on
 * anything it does not know (a completion offers nothing then), never 2:
 * the shell calls it with whatever was typed.
 */
#include <ctype.h>
#include <string.h>

#include "agent.h"

static void field_names(const pl_field_def *f, const char *prefix)
{
	char path[256];

	for (; f && f->name; f++) {
		snprintf(path, sizeof(path), "%s%s", prefix, f->name);
		if (f->sub) {
			char deeper[260];
			snprintf(deeper, sizeof(deeper), "%s.", path);
			field_names(f->sub, deeper);
		} else {
			printf("%s\n", path);
		}
	}
}

/* Each distinct "--word" in text (up to end), in order of first appearance, not already in seen. */
static void long_options(const char *text, const char *end, json_t *seen)
{
	for (const char *p = text; p && (p = strstr(p, "--")) && (!end || p < end); ) {
		const char *q = p + 2;
		char word[64];
		size_t n;

		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) {
			p = q;
			continue;
		}
		while (isalnum((unsigned char)*q) || *q == '-')
			q++;
		n = (size_t)(q - p);
		if (n > 2 && n < sizeof(word) && isalpha((unsigned char)p[2])) {
			memcpy(word, p, n);
			word[n] = '\0';
			if (!json_object_get(seen, word)) {
				json_object_set_new(seen, word, json_true());
				printf("%s\n", word);
			}
		}
		p = q;
	}
}

/* The options a help text lists: its lines that start (after spaces) with "--". */
static void listed_options(const char *help, json_t *seen)
{
	for (const char *l = help; l && *l; ) {
		const char *nl = strchr(l, '\n'), *p = l;
		while (*p == ' ')
			p++;
		if (p > l && !strncmp(p, "--", 2))
			long_options(p, nl, seen);
		l = nl ? nl + 1 : NULL;
	}
}

static int print_id(const pl_record *r, void *payload)
{
	(void)payload;
	printf("%s\n", r->id);
	return 0;
}

/* The kind of record `id` in the data dir's store, into buf; -1 if there is none. */
static int kind_of(char *buf, size_t sz, const char *dir, const char *id)
{
	pl_store *st = NULL;
	pl_record *r = NULL;
	int rc = -1;

	if (!pl_init() && !pl_store_open(&st, dir, NULL) && !pl_store_get(&r, st, id)) {
		snprintf(buf, sz, "%s", r->kind);
		rc = 0;
	}
	pl_record_free(r);
	pl_store_free(st);
	pl_shutdown();
	return rc;
}

/* "--format csv|jsonl" in synopsis: each of csv, jsonl. */
static int option_values(const char *synopsis, const char *opt)
{
	size_t n = strlen(opt);
	int found = 0;

	for (const char *p = synopsis; (p = strstr(p, opt)); p += n) {
		const char *v = p + n, *e;
		if (p[-1] != ' ' && p[-1] != '[')
			continue;
		if (*v != ' ' && *v != '=')
			continue;
		v++;
		for (e = v; *e && *e != ' ' && *e != ']'; e++)
			;
		if (!memchr(v, '|', (size_t)(e - v)))
			continue;
		for (const char *w = v; w < e; ) {
			const char *bar = memchr(w, '|', (size_t)(e - w));
			const char *end = bar ? bar : e;
			printf("%.*s\n", (int)(end - w), w);
			w = end + 1;
		}
		found = 1;
		break;
	}
	return found ? EXIT_OK : EXIT_FAIL;
}

static int ids(const char *dir, const char *kind)
{
	const pl_kind_def *const *kinds = pl_schema_kinds();
	pl_store *st = NULL;
	int rc = 0;

	if (kind && !pl_schema_kind(kind))
		return EXIT_FAIL;
	if (pl_init() || pl_store_open(&st, dir, NULL)) {
		pl_shutdown();
		return EXIT_FAIL;
	}
	for (int i = 0; kinds[i] && !rc; i++)
		if (!kind || !strcmp(kind, kinds[i]->name))
			rc = pl_store_foreach(st, kinds[i]->name, NULL, NULL, print_id, NULL);
	pl_store_free(st);
	pl_shutdown();
	return rc ? EXIT_FAIL : EXIT_OK;
}

int completion_main(const cmd_entry *const *commands, const char *dir, int argc, char **argv)
{
	const char *what = argc > 0 ? argv[0] : "", *arg = argc > 1 ? argv[1] : NULL;

	if (!strcmp(what, "commands")) {
		for (int i = 0; commands[i]; i++)
			printf("%s\n", commands[i]->name);
	} else if (!strcmp(what, "options") && arg) {
		json_t *seen = json_object();
		int found = 0;
		for (int i = 0; commands[i]; i++)
			if (!strcmp(commands[i]->name, arg)) {
				long_options(commands[i]->synopsis, NULL, seen);
				listed_options(commands[i]->help, seen);
				found = 1;
			}
		if (found)
			printf("--help\n");
		json_decref(seen);
		if (!found)
			return EXIT_FAIL;
	} else if (!strcmp(what, "kinds")) {
		for (const pl_kind_def *const *k = pl_schema_kinds(); *k; k++)
			printf("%s\n", (*k)->name);
	} else if (!strcmp(what, "fields") && arg) {
		const pl_kind_def *k = pl_schema_kind(arg);
		char kind[64];
		if (!k && kind_of(kind, sizeof(kind), dir, arg) == 0)
			k = pl_schema_kind(kind);
		if (!k)
			return EXIT_FAIL;
		field_names(k->fields, "");
	} else if (!strcmp(what, "values") && arg && argc > 2) {
		for (int i = 0; commands[i]; i++)
			if (!strcmp(commands[i]->name, arg))
				return option_values(commands[i]->synopsis, argv[2]);
		return EXIT_FAIL;
	} else if (!strcmp(what, "ids")) {
		return ids(dir, arg);
	} else if (!strcmp(what, "config-keys")) {
		int lng = arg && !strcmp(arg, "--long");
		for (const config_key *k = config_keys; k->name; k++)
			if (lng)
				printf("%s\t%s\t%s\n", k->name, k->def, k->help);
			else
				printf("%s\n", k->name);
	} else {
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
