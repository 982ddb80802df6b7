#!/bin/sh
# `plsync ls`, `log` and `export` print as they read (issue 17, goal 5): the
# output is the same bytes as before the change. Each expected output is
# built another way: ls --json from `show --json` of each id (the array's
# elements are those documents, indented), ls and log --json re-serialised
# by python's json module in the canonical form, the table as a literal.
. "$(dirname "$0")/../lib.sh"
p() { "$PLSYNC" --dir "$T/lin" "$@"; }

desc "a data dir with a school, two staff and three PD entries"
ok sh -c "'$PLSYNC' --dir '$T/lin' init --node LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add staff --id E2 name='Bo' category=noninstructional school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry --id PD1 staff=E100 title='A very long title that goes on and on past forty' type=workshop start=2026-09-11 hours=6.5 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry --id PD2 staff=E2 title=Short type=conference start=2026-09-12 hours=1 status=requested >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry --id PD3 staff=E100 title='Tab	and \"quote\"' type=workshop start=2026-09-13 hours=2 status=completed >/dev/null"

# ls --json is "[", each record's `show --json` indented by two spaces, "]"
expect_ls() { # kind ids...
	kind=$1; shift
	[ $# -eq 0 ] && { printf '[]\n'; return; }
	printf '[\n'
	first=1
	for id in "$@"; do
		[ $first = 1 ] || printf ',\n'
		first=0
		p show "$id" --json | sed 's/^/  /' | sed '$!s/$//' | awk 'NR>1{print prev} {prev=$0} END{printf "%s", prev}'
	done
	printf '\n]\n'
}
canon() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2, sort_keys=True, ensure_ascii=False))'; }

p ls pd_entry --json > "$T/ls.json"
expect_ls pd_entry PD1 PD2 PD3 > "$T/want.json"
ok cmp "$T/ls.json" "$T/want.json"
is "$(canon < "$T/ls.json")" "$(cat "$T/ls.json" | sed '$!b' )" "ls --json is canonical JSON (python reads and writes it back the same)"
p ls pd_entry staff=E100 --json > "$T/ls2.json"
expect_ls pd_entry PD1 PD3 > "$T/want2.json"
desc "ls --json through the reference index: the same frame"; ok cmp "$T/ls2.json" "$T/want2.json"
p ls pd_entry status=nothing --json > "$T/ls3.json"
is "$(od -c "$T/ls3.json" | head -1)" "$(printf '[]\n' | od -c | head -1)" "no record: '[]' and a newline, as before"
p ls school --json > "$T/ls4.json"
expect_ls school LIN01 > "$T/want4.json"
desc "one record: its document alone in the array"; ok cmp "$T/ls4.json" "$T/want4.json"

# the table: widths from every row (a cell over 40 characters is cut to 37 and
# "..."); the header is padded to the last column's width too, as it always was
cat > "$T/want.txt" <<'TXT'
id   staff  title                                     type        start       hours  status   
PD1  E100   A very long title that goes on and on...  workshop    2026-09-11  6.5    completed
PD2  E2     Short                                     conference  2026-09-12  1      requested
PD3  E100   Tab\tand "quote"                          workshop    2026-09-13  2      completed
TXT
p ls pd_entry > "$T/ls.txt"
desc "the table: column widths over all rows, then the rows"; ok cmp "$T/ls.txt" "$T/want.txt"
p ls pd_entry staff=E2 > "$T/ls5.txt"
is "$(cat "$T/ls5.txt")" "id   staff  title  type        start       hours  status   
PD2  E2     Short  conference  2026-09-12  1      requested" "a filtered table is as wide as its own rows"

p log --json > "$T/log.json"
is "$(canon < "$T/log.json")" "$(cat "$T/log.json")" "log --json is canonical JSON"
is "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/log.json")" "6" "with the six ops"
p log PD1 --json > "$T/log1.json"
is "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(len(a), a[0]["rec"], a[0]["kind"], a[0]["fields"]["hours"])' "$T/log1.json")" "1 PD1 pd_entry 6.5" "log ID --json: that record's op"
desc "export as JSON Lines: one line per record"; ok sh -c "'$PLSYNC' --dir '$T/lin' export pd_entry --format jsonl | wc -l | grep -qx 3"
desc "the store checks clean"; ok p check
done_testing
