#!/bin/sh
# The man pages (man/*.1, man/*.5, mdoc): `mandoc -T lint` finds nothing
# (styles included, but for cross-references to pages this machine may not
# have), `man -l` renders them without a warning, each program's page lists
# exactly the commands its --help lists, each with the synopsis its help
# gives, and plsync-config(5) has every key of agent/config.c with its
# default. Then `make install` (install-files) with a DESTDIR puts the
# pages, units, hook, completion and programs in place, and `make
# uninstall` leaves the tree as it was before.
. "$(dirname "$0")/../lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get install -y mandoc >/dev/null 2>&1
	fi
	if ! command -v mandoc >/dev/null 2>&1; then
		echo "1..0 # SKIP mandoc is missing (scripts/install-deps installs it)"
		exit 0
	fi
fi
man="$top/man"
pages="plsync.1 plsync-district.1 plsync-audit.1 plsync-config.5"
is "$(cd "$man" && ls | tr '\n' ' ')" "plsync-audit.1 plsync-config.5 plsync-district.1 plsync.1 " "the four pages are there"

for p in $pages; do
	mandoc -T lint "$man/$p" 2>&1 | grep -v -e 'referenced manual not found' -e 'mandoc.db' >"$T/lint"
	is "$(cat "$T/lint")" "" "mandoc -T lint finds nothing in $p"
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man --warnings -l "$man/$p" >"$T/render" 2>"$T/render.err"
		is "$(cat "$T/render.err")" "" "man -l renders $p without a warning"
	fi
done

# The commands a program's --help lists, one a line.
help_commands() { "$build/bin/$1" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'; }
# The commands a page describes: the .It Cm entries of its COMMANDS section.
page_commands() { sed -n '/^\.Sh COMMANDS/,/^\.Sh /p' "$man/$1.1" | sed -n 's/^\.It Cm \([^ ]*\).*/\1/p'; }
# The synopsis a page gives a command: the line in the literal block after its .It.
page_synopsis() {
	sed -n "/^\\.It Cm $2\$/,/^\\.Ed/p" "$man/$1.1" | sed -n '3p' | sed 's/\\e/\\/g; s/\\\[u2014\]/—/g'
}
for prog in plsync plsync-district plsync-audit; do
	help_commands "$prog" >"$T/help.$prog"
	page_commands "$prog" >"$T/page.$prog"
	like "$(wc -l <"$T/help.$prog")" "^[1-9]" "$prog --help lists commands"
	is "$(cat "$T/page.$prog")" "$(cat "$T/help.$prog")" "$prog($prog.1) describes exactly the commands $prog --help lists, in its order"
	: >"$T/syn.$prog"
	for c in $(cat "$T/help.$prog"); do
		want=$("$build/bin/$prog" help "$c" | sed -n '1s/^usage: //p')
		got=$(page_synopsis "$prog" "$c")
		[ "$got" = "$want" ] || printf '%s: page "%s", help "%s"\n' "$c" "$got" "$want" >>"$T/syn.$prog"
	done
	is "$(cat "$T/syn.$prog")" "" "every command's synopsis in $prog.1 is the one its help gives"
done

"$PLSYNC" __complete config-keys --long >"$T/keys"
like "$(wc -l <"$T/keys")" "^1[0-9]$" "plsync knows its config keys"
sed -n '/^\.Sh KEYS/,/^\.Sh /p' "$man/plsync-config.5" | sed -n 's/^\.It Cm //p' >"$T/page.keys"
is "$(cat "$T/page.keys")" "$(cut -f1 "$T/keys")" "plsync-config(5) describes exactly the keys agent/config.c has, in its order"
: >"$T/defaults"
while IFS="$(printf '\t')" read -r key def _help; do
	got=$(sed -n "/^\\.It Cm $key\$/{n;n;p;}" "$man/plsync-config.5" | sed 's/\.$//; s/\\e/\\/g')
	[ "$got" = "$def" ] || echo "$key: page '$got', config.c '$def'" >>"$T/defaults"
done <"$T/keys"
is "$(cat "$T/defaults")" "" "each key's default in the page is config.c's"
for key in sync.interval sync.backoff sync.backoffmax; do
	grep -q "^\\.It Cm $key\$" "$man/plsync-config.5" || echo "$key"
done >"$T/new"
is "$(cat "$T/new")" "" "the watch's keys are documented"

# make install / uninstall into a staging tree
S="$T/stage"
mkdir -p "$S"
(cd "$S" && find . | sort) >"$T/before"
desc "make install-files with DESTDIR and PREFIX=/usr installs"
ok make -s -C "$top" install-files BUILD="$build" DESTDIR="$S" PREFIX=/usr
(cd "$S" && find . -type f | sort) >"$T/files"
for f in ./usr/bin/plsync ./usr/bin/plsync-district ./usr/bin/plsync-audit ./usr/share/man/man1/plsync.1 \
	./usr/share/man/man1/plsync-district.1 ./usr/share/man/man1/plsync-audit.1 ./usr/share/man/man5/plsync-config.5 \
	./usr/lib/systemd/system/plsync-sync@.timer ./usr/lib/NetworkManager/dispatcher.d/90-plsync \
	./usr/share/bash-completion/completions/plsync; do
	grep -qx "$f" "$T/files" || echo "missing $f"
done >"$T/missing"
is "$(cat "$T/missing")" "" "the programs, the pages, the units, the hook and the completion are installed"
is "$(readlink "$S/usr/share/bash-completion/completions/plsync-district")/$(readlink "$S/usr/share/bash-completion/completions/plsync-audit")" \
	"plsync/plsync" "the tools' completions are links to plsync's"
is "$(stat -c %a "$S/usr/share/man/man1/plsync.1")/$(stat -c %a "$S/usr/bin/plsync")" "644/755" \
	"pages are 644, programs 755"
is "$("$S/usr/bin/plsync" --version | cut -d' ' -f1)" "plsync" "the installed plsync runs"
if command -v man >/dev/null 2>&1; then
	desc "man finds the installed page through MANPATH"
	ok env MANPATH="$S/usr/share/man" MANWIDTH=80 man plsync-config
	like "$(cat "$T/.out")" "sync\.backoffmax" "and shows it"
fi
desc "make uninstall removes what install put there"
ok make -s -C "$top" uninstall BUILD="$build" DESTDIR="$S" PREFIX=/usr
(cd "$S" && find . | sort) >"$T/after"
is "$(cat "$T/after")" "$(cat "$T/before")" "the staging tree is as it was before install"

desc "with the default PREFIX (/usr/local) too"
ok make -s -C "$top" install-files BUILD="$build" DESTDIR="$S"
like "$(cd "$S" && find . -type f | sort | tr '\n' ' ')" "\./usr/local/share/man/man5/plsync-config\.5" \
	"the pages go under /usr/local/share/man"
ok make -s -C "$top" uninstall BUILD="$build" DESTDIR="$S"
is "$(cd "$S" && find . | sort)" "$(cat "$T/before")" "and uninstall leaves nothing behind"

# The COMMANDS sections are made from the programs' --help texts
# (scripts/man-commands): a page that says other things than its help is
# out of date.
for prog in plsync plsync-district plsync-audit; do
	cp "$man/$prog.1" "$T/$prog.1"
	python3 "$top/scripts/man-commands" "$build/bin/$prog" "$T/$prog.1"
	desc "man/$prog.1's COMMANDS section is what scripts/man-commands makes from --help"
	ok cmp -s "$T/$prog.1" "$man/$prog.1"
done

done_testing
