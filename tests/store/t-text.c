/*
 * Text from elsewhere, as the store sees it (plsync/text.h): where a
 * control character is, the UTF-8 decoding the terminal renderer shares,
 * and a message quoting a URL, which shows its user but never its password
 * or query values — also when the message is an error that libgit2 wrote.
 * The renderers for each medium are tested in tests/domain/t-render.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plsync/plsync.h"
#include "../tap.h"

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

	/* ---- UTF-8 ---- */
	{
		unsigned cp = 0;
		ok(pl_utf8_decode(&cp, "A", 1) == 1 && cp == 'A', "an ASCII byte is one character");
		ok(pl_utf8_decode(&cp, "\xc3\xab", 2) == 2 && cp == 0xeb, "e-diaeresis is two bytes, U+00EB");
		ok(pl_utf8_decode(&cp, "\xe2\x80\xae", 3) == 3 && cp == 0x202e, "U+202E is three");
		ok(pl_utf8_decode(&cp, "\xe2\x80", 2) == 0, "a cut-off sequence is not a character");
		ok(pl_utf8_decode(&cp, "\xff", 1) == 0, "nor a byte that never starts one");
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
