/*
 * cmd-verify.c — `plsync-audit verify`: re-derive everything from git alone
 * (never the cache) and check it (pl_audit_verify); one line per problem,
 * or a one-line summary. Exits 1 when there is a problem.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "audit.h"
#include "plsync/audit.h"
#include "plsync/json.h"

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

static int cmd_verify(cli *c, int argc, char **argv)
{
	pl_audit_verify_options o = PL_AUDIT_VERIFY_OPTIONS_INIT;
	pl_audit_verify_result r;
	struct problems pr;
	const char *pos[2];
	const char *dkey = NULL;
	int as_json = 0, rc;
	opt_spec specs[] = { { "json", 0, NULL, &as_json }, { "district-key", 1, &dkey, NULL },
	                     { NULL, 0, NULL, NULL } };

	if ((rc = audit_args(&cmd_verify_entry, argc, argv, specs, 1, pos)))
		return rc;
	pr.as_json = as_json;
	pr.list = json_array();
	o.district_key = dkey;
	o.problem = on_problem;
	o.payload = &pr;
	if (pl_audit_verify(&r, pos[0], &o)) {
		json_decref(pr.list);
		return cli_fail_code(EXIT_FAIL);
	}
	if (as_json) {
		json_t *j = json_pack("{sb ss sI sI sI sI sI sI sO}", "ok", r.problems == 0, "main", r.main,
		                      "nodes", (json_int_t)r.nodes, "node_ops", (json_int_t)r.node_ops,
		                      "merges", (json_int_t)r.merges, "main_ops", (json_int_t)r.main_ops,
		                      "states", (json_int_t)r.states, "conflicts", (json_int_t)r.conflicts,
		                      "problems", pr.list);
		if (j) {
			json_object_set_new(j, "signatures", json_integer((json_int_t)r.signatures));
			json_object_set_new(j, "witnesses", json_integer((json_int_t)r.witnesses));
			json_object_set_new(j, "district_key", json_string(r.district_fp));
		}
		if (!j || pl_json_write(stdout, j)) {
			json_decref(j);
			json_decref(pr.list);
			return cli_fail_code(EXIT_FAIL);
		}
		json_decref(j);
	} else if (r.problems) {
		fprintf(stderr, "plsync-audit: %s: %zu problem%s found (listed above, one per line)\n", pos[0],
		        r.problems, r.problems == 1 ? "" : "s");
	} else {
		printf("verified %s: %zu node ref%s (%" PRIu64 " ops); main %.12s: %zu merge%s, %" PRIu64 " ops, "
		       "%zu state file%s, %zu conflict file%s; %zu signature%s valid (district key %s), %zu witnessed "
		       "main tip%s in main: git, ops and state agree\n", pos[0], r.nodes,
		       r.nodes == 1 ? "" : "s", r.node_ops, r.main[0] ? r.main : "(none yet)", r.merges,
		       r.merges == 1 ? "" : "s", r.main_ops, r.states, r.states == 1 ? "" : "s", r.conflicts,
		       r.conflicts == 1 ? "" : "s", r.signatures, r.signatures == 1 ? "" : "s", r.district_fp,
		       r.witnesses, r.witnesses == 1 ? "" : "s");
	}
	json_decref(pr.list);
	return r.problems ? EXIT_FAIL : 0;
}

const cmd_entry cmd_verify_entry = {
	.name = "verify",
	.synopsis = "verify REPO [--district-key FP] [--json]",
	.summary = "re-derive everything from git alone and check it",
	.help =
	"Re-derives everything from git alone (never the cache) and checks it:\n"
	"every node ref's op chain (seqs gapless from 1, prev = id of the op before,\n"
	"ids = git blob hash of the op, every op of the node's own code, batch names\n"
	"matching their seqs); every op batch in main is the node's own blob at the\n"
	"same path, and nothing a merge took is missing; every merged node commit is\n"
	"still in its node's ref (no force-push); every state/ and conflicts/ file is\n"
	"what folding main's ops gives, none missing, none extra. Memory stays\n"
	"small: one blob at a time, the fold in a temporary store under $TMPDIR.\n"
	"Signatures too: every commit of every node ref is signed, validly, and\n"
	"for a node with an enrolled key by a key refs/plsync/keys enrolled for\n"
	"it, valid at the commit's time; main's commits and refs/plsync/keys are\n"
	"signed by the district key. Every main tip a school's signed commit\n"
	"witnessed (its Seen-main: trailer) must still be in main's history: a\n"
	"main rewound or rewritten on the server is reported with the witness\n"
	"(node, commit, the sha it saw), even if the cache and plsync-last-merge\n"
	"were replaced too.\n"
	"Prints one line per problem (git revision:path, node, seq, what is wrong),\n"
	"or a one-line summary.\n"
	"\n"
	"Options:\n"
	"  --district-key FP  the district key's fingerprint (SHA256:...), as the\n"
	"                     schools pinned it; default: the public part of\n"
	"                     REPO/plsync-district.key\n"
	"  --json             the result as JSON: ok, main, the counts\n"
	"                     (signatures, witnesses), district_key, problems\n"
	"\n"
	"Exit status: 0 everything agrees, 1 at least one problem (listed) or a\n"
	"failure, 2 usage error.\n"
	"\n"
	"Example:\n"
	"  plsync-audit verify /srv/git/plsync.git\n",
	.exec = cmd_verify,
};
