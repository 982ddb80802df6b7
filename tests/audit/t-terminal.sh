#!/bin/sh
# Hostile text never reaches a terminal raw (issue 9, D9). A school records
# an entry whose title holds a newline and the escape sequence ESC [2J (clear
# the screen) and a note with an OSC title sequence; every text output that
# shows them — plsync show, log, ls at the school and at DISTRICT, and
# plsync-audit log, blame, show — prints \x1b and \n instead, so no line is
# forged and the auditor's terminal is not driven. An actor is one line:
# a control character in it is refused at the local write and at init, and
# an op forged with one (plain git, same length, so the blob still decodes)
# is refused by the decoder: the merge quarantines it and DISTRICT's fetch
# refuses it, naming the op.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
esc=$(printf '\033')
bel=$(printf '\007')
# raw OUTFILE...: pass when no ESC or BEL byte is in the files
raw_free() { ! grep -q -e "$esc" -e "$bel" "$@"; }
# clean NAME: the last command's output holds no ESC or BEL (leaves .out/.err as they are)
clean() {
	cat "$T/.out" "$T/.err" > "$T/.last"
	is "$(raw_free "$T/.last" && echo clean || echo "raw escape bytes")" "clean" "$1"
}

desc "the district repository is created"; ok district init "$R"
desc "DISTRICT and LIN01 are set up, DISTRICT following LIN01"
ok agents_init LIN01 DISTRICT LIN01
desc "LIN01 records its school and a teacher"
ok lin_school
title=$(printf 'Fractions\033[2J\nLIN01/99  2026-01-01T00:00:00.000Z  Dee Office  put')
note=$(printf 'approved\033]0;pwned\007 by E200')
id=$(a add pd_entry staff=E100 title="$title" type=workshop hours=6 --note "$note")
desc "LIN01 records an entry with ESC and a newline in its title and an OSC sequence in its note"
ok test -n "$id"
desc "LIN01 syncs"; ok a sync
desc "the district merges"; ok district merge "$R"
desc "DISTRICT syncs (fetching LIN01's entry)"; ok d sync

desc "plsync show at LIN01"; ok a show "$id"
clean "prints no escape byte"
like "$(cat "$T/.out")" 'title +Fractions\\x1b\[2J\\nLIN01/99  2026' "shows the title with the escape and newline as visible escapes"
desc "plsync show at DISTRICT"; ok d show "$id"
clean "prints no escape byte either"
like "$(cat "$T/.out")" 'Fractions\\x1b\[2J\\nLIN01/99' "shows the same escapes"
desc "plsync log of the entry at DISTRICT"; ok d log "$id"
clean "prints no escape byte"
is "$(wc -l < "$T/.out" | tr -d ' ')" "1" "in one line for its one op: no forged line"
like "$(cat "$T/.out")" '# approved\\x1b\]0;pwned\\x07 by E200$' "the note shown escaped"
desc "plsync ls pd_entry"; ok d ls pd_entry
clean "prints no escape byte"
desc "plsync show --json keeps the value exact"; ok d show "$id" --json
like "$(cat "$T/.out")" '"title": "Fractions\\u001[bB]\[2J\\nLIN01/99' "JSON escapes it its own way"

desc "plsync-audit log"; ok audit log "$R" "$id"
clean "prints no escape byte"
is "$(grep -c '^LIN01/' "$T/.out")" "1" "one op line for one op: the title forged none"
like "$(cat "$T/.out")" 'note   approved\\x1b\]0;pwned\\x07 by E200' "the note shown escaped"
like "$(cat "$T/.out")" 'title: \(unset\) -> "Fractions\\u001[bB]\[2J\\nLIN01/99' "and the title"
desc "plsync-audit blame"; ok audit blame "$R" "$id"
clean "prints no escape byte"
desc "plsync-audit show"; ok audit show "$R" "$id" --at 2999-01-01
clean "prints no escape byte"

# --- actors are one line ---
desc "init refuses a --user with a control character"
fails 2 "$PLSYNC" --dir "$T/bad" init --node BAD01 --user "$(printf 'Eve\033[2J <eve@x.example>')"
clean "saying so without echoing the escape"
a config user.name "$(printf 'Ann\nLIN01/77 Lee')"
desc "a write by a configured user with a newline in the name is refused"
fails 1 a add pd_entry staff=E100 title="x" type=workshop
like "$(cat "$T/.err")" 'holds a control character.*fix user.name/user.email' "naming the setting to fix"
clean "without sending the raw bytes"
is "$(a log --json | grep -c '"actor"')" "3" "and nothing was written"

# an op forged with a newline and an escape in its actor: the same length as
# an honest placeholder, so the msgpack still frames and the chain holds
placeholder="Mallory Placeholder"           # 19 bytes
forged=$(printf 'M\nLIN01/9 \033[2J Dee ')      # 19 bytes too
a config user.name "$placeholder"
desc "LIN01 records one more entry as the placeholder actor and syncs"
ok sh -c "'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title=Decimals type=workshop >/dev/null &&
	'$PLSYNC' --dir '$T/lin' sync >/dev/null"
blob=$(git -C "$R" diff-tree --no-commit-id --name-only -r refs/heads/nodes/LIN01)
new=$(git -C "$R" cat-file blob "refs/heads/nodes/LIN01:$blob" |
	perl -0777 -pe 'BEGIN { ($a, $b) = splice @ARGV, 0, 2 } s/\Q$a\E/$b/' "$placeholder" "$forged" |
	git -C "$R" hash-object -w --stdin)
idx="$T/.index"
GIT_INDEX_FILE=$idx git -C "$R" read-tree refs/heads/nodes/LIN01
printf '100644 %s\t%s\n' "$new" "$blob" | GIT_INDEX_FILE=$idx git -C "$R" update-index --index-info
tree=$(GIT_INDEX_FILE=$idx git -C "$R" write-tree)
commit=$(GIT_AUTHOR_NAME=Forger GIT_AUTHOR_EMAIL=f@x GIT_COMMITTER_NAME=Forger GIT_COMMITTER_EMAIL=f@x \
	git -C "$R" commit-tree "$tree" -p refs/heads/nodes/LIN01^ -m "one more entry")
desc "the forged commit replaces LIN01's last one"; ok git -C "$R" update-ref refs/heads/nodes/LIN01 "$commit"
desc "the merge quarantines it"; fails 1 district merge "$R"
like "$(cat "$T/.err")" "quarantined nodes/LIN01 .*op LIN01/4: the actor holds the control character U\+000A" \
	"naming the op and the character"
clean "without sending the raw bytes"
desc "DISTRICT's fetch refuses it too"; fails 1 d sync
like "$(cat "$T/.err")" "op LIN01/4: the actor holds the control character U\+000A" "naming the op"
clean "without sending the raw bytes"
desc "git fsck --strict passes on the district repository"; ok git -C "$R" fsck --strict

done_testing
