/*
 * Text from elsewhere, rendered for where it goes (plsync/text.h, plsync/render.h). A
 * terminal gets a value with a newline or an escape sequence as visible
 * escapes, never raw; a CSV cell that a spreadsheet would run as a formula
 * gets an apostrophe in front, which the importer's check takes off again;
 * a message quoting a URL shows its user but never its password or query
 * values — also when the message is an error that libgit2 wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"

static char *term(const char *s)
{
	static char buf[4096];
	char *e = pl_term_escape(s);
	snprintf(buf, sizeof(buf), "%s", e ? e : "(oom)");
	free(e);
	return buf;
}

/* The row of cells written by pl_csv_cell, as one string. */
static char *csv(const char *const *cells)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	for (int i = 0; cells[i]; i++)
		pl_csv_cell(f, cells[i], i == 0);
	fclose(f);
	return buf;
}

static char *redact(const char *s)
{
	static char buf[1024];
	pl_text_redact(buf, sizeof(buf), s);
	return buf;
}

int main(void)
{
	/* ---- control characters ---- */
	ok(pl_text_control("Ann Lee <ann@x.org>", 19) == -1, "a plain actor has no control character");
	ok(pl_text_control("Zoë Ünal", strlen("Zoë Ünal")) == -1, "neither has one with accents");
	ok(pl_text_control("Ann\nLee", 7) == 3, "a newline is one, at its byte offset");
	ok(pl_text_control("x\x1b[2J", 5) == 1, "ESC is one");
	ok(pl_text_control("a\tb", 3) == 1, "a tab is one");
	ok(pl_text_control("a\x7f", 2) == 1, "DEL is one");
	ok(pl_text_control("ab\xc2\x85", 4) == 2, "C1 NEL (U+0085, UTF-8 c2 85) is one");
	ok(pl_text_control("\xc2\xa0", 2) == -1, "U+00A0, just past C1, is not");

	/* ---- the terminal ---- */
	is_str(term("Fractions workshop"), "Fractions workshop", "plain text reaches the terminal as it is");
	is_str(term("Zoë — “quoted” 数学"), "Zoë — “quoted” 数学", "so does any printable UTF-8");
	is_str(term("a\nLIN01/9  2026-01-01T00:00:00Z  Eve"), "a\\nLIN01/9  2026-01-01T00:00:00Z  Eve",
	       "a newline that would start a forged line is shown as \\n");
	is_str(term("\x1b[2Jcleared"), "\\x1b[2Jcleared", "an escape sequence is shown as \\x1b, not sent");
	is_str(term("a\rb\tc"), "a\\rb\\tc", "CR and tab are \\r and \\t");
	is_str(term("x\x7f\x01"), "x\\x7f\\x01", "DEL and other C0 bytes are \\xNN");
	is_str(term("\xc2\x9b" "31m"), "\\u009B31m", "a C1 CSI (U+009B) is \\u009B");
	is_str(term("abc\xe2\x80\xae" "evil"), "abc\\u202Eevil", "a right-to-left override is \\u202E");
	is_str(term("line\xe2\x80\xa8sep"), "line\\u2028sep", "a line separator is \\u2028");
	is_str(term("bad \xff\xc0 bytes"), "bad \\xff\\xc0 bytes", "bytes that are not UTF-8 are \\xNN");
	is_str(term("back\\slash"), "back\\slash", "a backslash stays as it is");
	is_str(term(NULL), "", "NULL is the empty string");
	{
		char big[3000];
		memset(big, '\x1b', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		char *e = pl_term_escape(big);
		ok(e && strlen(e) == 4 * (sizeof(big) - 1) && !strchr(e, '\x1b'),
		   "a long value of escapes is escaped whole");
		free(e);
	}

	/* ---- CSV cells ---- */
	is_str(csv((const char *const[]){ "id", "Fractions", "6.5", NULL }), "id,Fractions,6.5",
	       "plain cells are written as they are");
	is_str(csv((const char *const[]){ "=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\")", NULL }),
	       "'=cmd|' /C calc'!A0,\"'+HYPERLINK(\"\"http://x\"\")\"",
	       "a formula cell gets an apostrophe, inside the quotes when quoted");
	is_str(csv((const char *const[]){ "-2+3", "@SUM(A1)", "\tx", "\rx", NULL }), "'-2+3,'@SUM(A1),'\tx,\"'\rx\"",
	       "so do cells starting with -, @, tab and CR");
	is_str(csv((const char *const[]){ "-12", "-0.5", "0", NULL }), "-12,-0.5,0",
	       "a plain negative number is a number, not a formula");
	is_str(csv((const char *const[]){ "'=x", "'plain", NULL }), "''=x,'plain",
	       "an apostrophe before a formula gets one more; one before plain text none");
	is_str(csv((const char *const[]){ "a,b", " lead", "say \"hi\"", NULL }), "\"a,b\",\" lead\",\"say \"\"hi\"\"\"",
	       "commas, edge spaces and quotes are quoted");
	{
		static const char *const values[] = { "=cmd|x", "+1", "-2+3", "@x", "\tx", "'=x", "''-y", "'plain",
		                                      "-12", "plain", "=", "'", NULL };
		int all = 1;
		for (int i = 0; values[i]; i++) {
			/* write one unquoted-safe cell, read it back as the importer does */
			char buf[64];
			FILE *f = fmemopen(buf, sizeof(buf), "w");
			pl_csv_cell(f, values[i], 1);
			fclose(f);
			size_t skip = pl_csv_cell_guard(buf, strlen(buf));
			if (strcmp(buf + skip, values[i])) {
				diag("'%s' was written as '%s', read back as '%s'", values[i], buf, buf + skip);
				all = 0;
			}
		}
		ok(all, "every cell read back without the added apostrophe is the value written");
	}

	/* ---- URLs in messages ---- */
	is_str(redact("pushing to https://lin01:pw@host/plsync.git: failed"),
	       "pushing to https://lin01:***@host/plsync.git: failed", "a URL's password is hidden, its user kept");
	is_str(redact("https://lin01:p@ss:w0rd@host:8443/x"), "https://lin01:***@host:8443/x",
	       "a password holding '@' and ':' is hidden whole");
	is_str(redact("ssh://git@host:2222/srv/x.git and git://host/x"), "ssh://git@host:2222/srv/x.git and git://host/x",
	       "a user alone and a URL without credentials stay");
	is_str(redact("'http://a:b@h/x' then \"https://c:d@k/y\""), "'http://a:***@h/x' then \"https://c:***@k/y\"",
	       "every URL in the text is redacted, quotes end them");
	is_str(redact("fetch https://h/x.git?access_token=abc123&v=2#frag: failed"),
	       "fetch https://h/x.git?access_token=***&v=***#frag: failed", "query values are hidden, names kept");
	is_str(redact("https://h/x?s3cretToken"), "https://h/x?***", "a bare query is hidden");
	is_str(redact("https://u:pa/ss?x#y@host/repo.git: failed"), "https://u:***@host/repo.git: failed",
	       "a password holding '/', '?' and '#' is hidden whole");
	{
		char longmsg[1200];
		memset(longmsg, 'x', sizeof(longmsg));
		memcpy(longmsg + 1010, "https://u:secretpw@host/x", 25);
		longmsg[1035] = '\0';
		pl_error_set(PL_ENET, "%s", longmsg);
		ok(!strstr(pl_error_last()->message, "u:sec"), "a message cut to its limit never shows the start of a password");
	}
	is_str(redact("no url here: a:b@c"), "no url here: a:b@c", "text without a URL is unchanged");
	{
		char small[16];
		pl_text_redact(small, sizeof(small), "https://u:secret@host/x");
		ok(!strstr(small, "secret") && strlen(small) == sizeof(small) - 1, "a short buffer truncates, never leaks");
	}
	pl_error_set(PL_ENET, "fetching from %s: %s", "https://lin01:pw1@h/x.git",
	             "unexpected http status for 'https://lin01:pw1@h/x.git/info/refs'");
	ok(!strstr(pl_error_last()->message, "pw1") && strstr(pl_error_last()->message, "lin01:***@h"),
	   "pl_error_set hides the password, also in text it quotes from libgit2");
	pl_error_prefix("syncing %s", "http://u:pw2@h/");
	ok(!strstr(pl_error_last()->message, "pw2"), "and so does pl_error_prefix");
	return done_testing();
}
