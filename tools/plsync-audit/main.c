/*
 * plsync-audit — the auditor's tool over the district repository.
 *
 *   plsync-audit log REPO ID [--json]
 *   plsync-audit blame REPO ID [--json]
 *   plsync-audit show REPO ID --at TIME [--json]
 *   plsync-audit verify REPO [--json]
 *
 * log, blame and show read the merge's cache (rebuilt from git if stale);
 * verify reads git alone. Only this program prints and exits: 0 ok,
 * 1 failure (for verify: a problem was found), 2 usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "plsync/audit.h"
#include "plsync/json.h"
#include "plsync/merge.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: plsync-audit <command> REPO [ID] [options]\n"
	"\n"
	"The auditor's tool over the district repository (the bare git repository\n"
	"that schools push to and plsync-district merges into main). Every change\n"
	"is an op: who (actor), when (the op's clock, RFC 3339 UTC), on which node\n"
	"and seq, carried by which node commit, consolidated by which merge.\n"
	"\n"
	"Commands:\n"
	"  log REPO ID [--json]   the whole history of record ID as merged into main,\n"
	"                         oldest first: each op's time, actor, node/seq, op id,\n"
	"                         every field it set as before -> after (the record\n"
	"                         folded in clock order, as every replica folds it),\n"
	"                         the node commit that carried it and the merge commit\n"
	"                         that consolidated it\n"
	"  blame REPO ID [--json] for each current field (dotted path), the op that set\n"
	"                         it: actor, time, node/seq, op id, commit, merge\n"
	"  show REPO ID --at TIME [--json]\n"
	"                         the record as it stood at TIME: only ops whose clock\n"
	"                         is at or before TIME. TIME is RFC 3339\n"
	"                         (2026-09-14T10:30:00Z, 2026-09-14T10:30:00.250-05:00)\n"
	"                         or a date, 2026-09-14, meaning the END of that day\n"
	"                         in UTC (23:59:59.999Z). --json prints the record the\n"
	"                         way main's state/ files are written.\n"
	"  verify REPO [--json]   re-derive everything from git alone (never the cache)\n"
	"                         and check it: every node ref's op chain (seqs gapless\n"
	"                         from 1, prev = id of the op before, ids = git blob\n"
	"                         hash of the op, every op of the node's own code, batch\n"
	"                         names matching their seqs); every op batch in main is\n"
	"                         the node's own blob at the same path, and nothing a\n"
	"                         merge took is missing; every merged node commit is\n"
	"                         still in its node's ref (no force-push); every state/\n"
	"                         and conflicts/ file is what folding main's ops gives,\n"
	"                         none missing, none extra. Memory stays small: one blob\n"
	"                         at a time, the fold in a temporary store under $TMPDIR.\n"
	"                         Prints one line per problem (git revision:path, node,\n"
	"                         seq, what is wrong), or a one-line summary.\n"
	"\n"
	"log, blame and show read the merge's cache (REPO/plsync-cache), rebuilding it\n"
	"from git first if it does not match main, so they need write access to REPO.\n"
	"Ops not merged yet are not in main and not shown.\n"
	"\n"
	"Examples:\n"
	"  plsync-audit log /srv/git/plsync.git LIN01-7K3Q2\n"
	"  plsync-audit blame /srv/git/plsync.git LIN01-7K3Q2 --json\n"
	"  plsync-audit show /srv/git/plsync.git LIN01-7K3Q2 --at 2026-09-30\n"
	"  plsync-audit verify /srv/git/plsync.git\n"
	"  git -C /srv/git/plsync.git log -p --first-parent main -- 'state/pd_entry/*/*/LIN01-7K3Q2.json'\n"
	"\n"
	"Exit status: 0 success (verify: everything agrees), 1 failure (verify: at\n"
	"least one problem, listed), 2 usage error.\n";

/* A message may quote what a node sent: escaped for the terminal. */
static int fail(void)
{
	fputs("plsync-audit: ", stderr);
	pl_term_fputs(stderr, pl_error_last()->message);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "plsync-audit: %s\n%s", msg, "(see 'plsync-audit --help')\n");
	return EXIT_USAGE;
}

/*
 * A field value for a person, escaped for the terminal (malloc'd; NULL if
 * out of memory): strings quoted, numbers canonical, lists compact JSON,
 * "(unset)" for none.
 */
static char *value_text(const json_t *v)
{
	char *t, *e;

	if (!v || json_is_null(v))
		return strdup("(unset)");
	if (json_is_number(v)) {
		char num[32];
		pl_json_number(num, v);
		return strdup(num);
	}
	t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	e = t ? pl_term_escape(t) : NULL;
	free(t);
	return e;
}

static void print_value(const json_t *v)
{
	char *t = value_text(v);
	fputs(t ? t : "?", stdout);
	free(t);
}

/* Every string in a record's history may come from another node. */
static void term(const char *s)
{
	pl_term_fputs(stdout, s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of `obj`, sorted (malloc'd; borrowed strings); NULL if out of memory. */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys = malloc((json_object_size(obj) + 1) * sizeof(*keys)), *k;
	json_t *v;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach((json_t *)obj, k, v)
		keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_str);
	return keys;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Options common to every command: positional args, --json, --at. */
struct args {
	const char *pos[2];
	int         npos;
	int         as_json;
	const char *at;
};

static int parse_args(struct args *a, int argc, char **argv, int want, int allow_at, const char *cmd)
{
	static char msg[128];

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			a->as_json = 1;
		} else if (allow_at && !strcmp(argv[i], "--at")) {
			if (i + 1 == argc) {
				snprintf(msg, sizeof(msg), "%s: --at needs a TIME", cmd);
				return usage_error(msg);
			}
			a->at = argv[++i];
		} else if (allow_at && !strncmp(argv[i], "--at=", 5)) {
			a->at = argv[i] + 5;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			snprintf(msg, sizeof(msg), "%s: unknown option '%s'", cmd, argv[i]);
			return usage_error(msg);
		} else if (a->npos == want) {
			snprintf(msg, sizeof(msg), "%s takes %s", cmd, want == 1 ? "one REPO" : "REPO and one record ID");
			return usage_error(msg);
		} else {
			a->pos[a->npos++] = argv[i];
		}
	}
	if (a->npos < want) {
		snprintf(msg, sizeof(msg), "%s: %s", cmd, a->npos ? "which record ID?" : "which REPO?");
		return usage_error(msg);
	}
	if (allow_at && !a->at) {
		snprintf(msg, sizeof(msg), "%s: --at TIME is required (RFC 3339 or YYYY-MM-DD)", cmd);
		return usage_error(msg);
	}
	return 0;
}

static int cmd_log(int argc, char **argv)
{
	struct args a;
	pl_store *cache = NULL;
	json_t *log = NULL, *ops;
	int rc;

	if ((rc = parse_args(&a, argc, argv, 2, 0, "log")))
		return rc;
	if (pl_merge_cache_open(&cache, a.pos[0]) || pl_audit_log(&log, cache, a.pos[1])) {
		pl_store_free(cache);
		return fail();
	}
	pl_store_free(cache);
	ops = json_object_get(log, "ops");
	if (a.as_json) {
		rc = pl_json_write(stdout, log) ? fail() : 0;
		json_decref(log);
		return rc;
	}
	term(str(log, "kind"));
	putchar(' ');
	term(str(log, "id"));
	printf(" (owner %s): %zu op%s in main%s\n", str(log, "owner"), json_array_size(ops),
	       json_array_size(ops) == 1 ? "" : "s", json_is_true(json_object_get(log, "deleted")) ? ", deleted now" : "");
	for (size_t i = 0; i < json_array_size(ops); i++) {
		json_t *o = json_array_get(ops, i), *ch = json_object_get(o, "changes");
		printf("\n%s/%" PRId64 "  %s  ", str(o, "node"), (int64_t)json_integer_value(json_object_get(o, "seq")),
		       str(o, "time"));
		term(str(o, "actor"));
		printf("  %s\n", str(o, "effect"));
		printf("  op     %s\n", str(o, "op"));
		printf("  commit %s\n", json_is_string(json_object_get(o, "commit")) ? str(o, "commit") : "(unknown)");
		printf("  merge  %s\n", json_is_string(json_object_get(o, "merge")) ? str(o, "merge") : "(unknown)");
		if (json_object_get(o, "note")) {
			fputs("  note   ", stdout);
			term(str(o, "note"));
			putchar('\n');
		}
		for (size_t c = 0; c < json_array_size(ch); c++) {
			json_t *x = json_array_get(ch, c);
			fputs("  ", stdout);
			term(str(x, "field"));
			fputs(": ", stdout);
			print_value(json_object_get(x, "before"));
			fputs(" -> ", stdout);
			print_value(json_object_get(x, "after"));
			fputc('\n', stdout);
		}
	}
	json_decref(log);
	return 0;
}

static int cmd_blame(int argc, char **argv)
{
	struct args a;
	pl_store *cache = NULL;
	json_t *b = NULL, *e;
	size_t w = 5;
	int rc;

	if ((rc = parse_args(&a, argc, argv, 2, 0, "blame")))
		return rc;
	if (pl_merge_cache_open(&cache, a.pos[0]) || pl_audit_blame(&b, cache, a.pos[1])) {
		pl_store_free(cache);
		return fail();
	}
	pl_store_free(cache);
	if (a.as_json) {
		rc = pl_json_write(stdout, b) ? fail() : 0;
		json_decref(b);
		return rc;
	}
	term(str(b, "kind"));
	putchar(' ');
	term(str(b, "id"));
	printf(" (owner %s)%s\n", str(b, "owner"),
	       json_is_true(json_object_get(b, "deleted")) ? ": deleted; the fields it had:" : "");
	{
		/* one line per field, git blame style: path, value, who, when, where */
		json_t *fields = json_object_get(b, "fields");
		size_t n, vw = 1;
		const char **keys = sorted_keys(fields, &n);
		char **vals = calloc(n + 1, sizeof(*vals));
		if (!keys || !vals) {
			free(keys);
			free(vals);
			json_decref(b);
			return fail();
		}
		for (size_t i = 0; i < n; i++) {
			vals[i] = value_text(json_object_get(json_object_get(fields, keys[i]), "value"));
			if (strlen(keys[i]) > w)
				w = strlen(keys[i]);
			if (vals[i] && strlen(vals[i]) > vw)
				vw = strlen(vals[i]) > 30 ? 30 : strlen(vals[i]);
		}
		for (size_t i = 0; i < n; i++) {
			char *key = pl_term_escape(keys[i]);
			e = json_object_get(fields, keys[i]);
			printf("%-*s  %-*s  set by ", (int)w, key ? key : "?", (int)vw, vals[i] ? vals[i] : "?");
			free(key);
			term(str(e, "actor"));
			printf(" at %s, %s/%" PRId64 ", op %.12s, commit %.12s, merge %.12s\n", str(e, "time"), str(e, "node"),
			       (int64_t)json_integer_value(json_object_get(e, "seq")), str(e, "op"),
			       json_is_string(json_object_get(e, "commit")) ? str(e, "commit") : "?",
			       json_is_string(json_object_get(e, "merge")) ? str(e, "merge") : "?");
			free(vals[i]);
		}
		free(vals);
		free(keys);
	}
	json_decref(b);
	return 0;
}

static void print_flat(const char *prefix, const json_t *obj, size_t w)
{
	json_t *v;
	size_t n;
	const char **keys = sorted_keys(obj, &n);

	if (!keys)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[256];
		v = json_object_get(obj, keys[i]);
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", keys[i]);
		if (json_is_object(v)) {
			print_flat(path, v, w);
			continue;
		}
		fputs("  ", stdout);
		{
			char *p = pl_term_escape(path);
			printf("%-*s ", (int)w, p ? p : "?");
			free(p);
		}
		print_value(v);
		fputc('\n', stdout);
	}
	free(keys);
}

static int cmd_show(int argc, char **argv)
{
	struct args a;
	pl_store *cache = NULL;
	pl_record *r = NULL;
	uint64_t at;
	char when[32], t[32];
	int rc;

	if ((rc = parse_args(&a, argc, argv, 2, 1, "show")))
		return rc;
	if (pl_audit_parse_time(&at, a.at)) {
		fprintf(stderr, "plsync-audit: show: %s\n", pl_error_last()->message);
		return EXIT_USAGE;
	}
	if (pl_merge_cache_open(&cache, a.pos[0]) || pl_audit_show(&r, cache, a.pos[1], at)) {
		pl_store_free(cache);
		return fail();
	}
	pl_store_free(cache);
	pl_hlc_fmt(when, at << 16);
	if (r->deleted) {
		pl_hlc_fmt(t, r->updated);
		fprintf(stderr, "plsync-audit: record %s was deleted at %s (as of %s); 'plsync-audit log' shows "
		        "its history, --at an earlier time what it held\n", r->id, t, when);
		pl_record_free(r);
		return EXIT_FAIL;
	}
	if (a.as_json) {
		json_t *j = pl_merge_state_json(r);
		rc = !j || pl_json_write(stdout, j) ? fail() : 0;
		json_decref(j);
	} else {
		term(r->kind);
		putchar(' ');
		term(r->id);
		printf(" as of %s\n", when);
		printf("  %-24s %s\n", "owner", r->owner);
		pl_hlc_fmt(t, r->created);
		printf("  %-24s %s\n", "created", t);
		pl_hlc_fmt(t, r->updated);
		printf("  %-24s %s\n", "updated", t);
		print_flat("", r->fields, 24);
	}
	pl_record_free(r);
	return rc;
}

struct problems {
	int     as_json;
	json_t *list;
};

static int on_problem(const pl_audit_problem *p, void *payload)
{
	struct problems *pr = payload;

	if (!pr->as_json) {
		/* the problem quotes the repository's bytes */
		term(p->where);
		fputs(": ", stdout);
		term(p->what);
		putchar('\n');
		return 0;
	}
	json_t *o = json_pack("{ss ss}", "where", p->where, "what", p->what);
	if (p->node)
		json_object_set_new(o, "node", json_string(p->node));
	if (p->seq)
		json_object_set_new(o, "seq", json_integer((json_int_t)p->seq));
	if (p->commit)
		json_object_set_new(o, "commit", json_string(p->commit));
	json_array_append_new(pr->list, o);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	pl_audit_verify_options o = PL_AUDIT_VERIFY_OPTIONS_INIT;
	pl_audit_verify_result r;
	struct problems pr;
	struct args a;
	int rc;

	if ((rc = parse_args(&a, argc, argv, 1, 0, "verify")))
		return rc;
	pr.as_json = a.as_json;
	pr.list = json_array();
	o.problem = on_problem;
	o.payload = &pr;
	if (pl_audit_verify(&r, a.pos[0], &o)) {
		json_decref(pr.list);
		return fail();
	}
	if (a.as_json) {
		json_t *j = json_pack("{sb ss sI sI sI sI sI sI sO}", "ok", r.problems == 0, "main", r.main,
		                      "nodes", (json_int_t)r.nodes, "node_ops", (json_int_t)r.node_ops,
		                      "merges", (json_int_t)r.merges, "main_ops", (json_int_t)r.main_ops,
		                      "states", (json_int_t)r.states, "conflicts", (json_int_t)r.conflicts,
		                      "problems", pr.list);
		if (!j || pl_json_write(stdout, j)) {
			json_decref(j);
			json_decref(pr.list);
			return fail();
		}
		json_decref(j);
	} else if (r.problems) {
		fprintf(stderr, "plsync-audit: %s: %zu problem%s found (listed above, one per line)\n", a.pos[0],
		        r.problems, r.problems == 1 ? "" : "s");
	} else {
		printf("verified %s: %zu node ref%s (%" PRIu64 " ops); main %.12s: %zu merge%s, %" PRIu64 " ops, "
		       "%zu state file%s, %zu conflict file%s: git, ops and state agree\n", a.pos[0], r.nodes,
		       r.nodes == 1 ? "" : "s", r.node_ops, r.main[0] ? r.main : "(none yet)", r.merges,
		       r.merges == 1 ? "" : "s", r.main_ops, r.states, r.states == 1 ? "" : "s", r.conflicts,
		       r.conflicts == 1 ? "" : "s");
	}
	json_decref(pr.list);
	return r.problems ? EXIT_FAIL : 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "log", cmd_log }, { "blame", cmd_blame }, { "show", cmd_show }, { "verify", cmd_verify },
};

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		for (int a = 2; a < argc; a++)
			if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
				fputs(usage_text, stdout);
				return 0;
			}
		if (pl_init())
			return fail();
		rc = commands[i].fn(argc - 2, argv + 2);
		pl_shutdown();
		return rc;
	}
	fprintf(stderr, "plsync-audit: '%s' is not a command; see 'plsync-audit --help'\n", argv[1]);
	return EXIT_USAGE;
}
