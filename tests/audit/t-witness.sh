#!/bin/sh
# The schools witness main (issue 14, items 5 and 7): each school's fetch
# notes the main tip the server advertised, and its next signed node commit
# carries it as a "Seen-main:" trailer. plsync-audit verify checks every
# signature from git alone (node commits against refs/plsync/keys, main's
# commits against the district key) and that every witnessed main tip is
# still in main: a main rewound with plain git, its record
# (plsync-last-merge) and the cache deleted, is reported with the witness
# that proves it; so is an amended merge commit, by its signature too. An
# unsigned node commit is reported with its node and commit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"

entry() { # AGENT TITLE: LIN01 or WAS02 records a PD entry
	case $1 in
	a) a add pd_entry staff=E100 title="$2" type=workshop hours=1 >/dev/null ;;
	w) w add pd_entry staff=E200 title="$2" type=workshop hours=1 >/dev/null ;;
	esac
}
round() { # TITLE: both schools record and sync, the district merges; main's tip
	entry a "$1" && entry w "$1" && a sync >/dev/null && w sync >/dev/null &&
	district merge "$R" >/dev/null && git -C "$R" rev-parse main
}
msg() { git -C "$R" log -1 --format=%B "refs/heads/nodes/$1"; }
whats() { pj 'join "\n", map { "$_->{where}|" . ($_->{node} // "") . "|" . ($_->{commit} // "") . "|$_->{what}" } @{$j->{problems}}' <"$T/.out"; }
scrub() { rm -rf "$1/plsync-last-merge" "$1/plsync-cache"; }

desc "district, LIN01 and WAS02"; ok district_init "" LIN01 WAS02
lin_school
w add school --id WAS02 code=WAS02 name=Washington level=middle >/dev/null
w add staff --id E200 name='Pat Rivera' category=certified school=WAS02 >/dev/null
for n in a:LIN01 w:WAS02; do
	${n%%:*} key --public >"$T/${n#*:}.pub" && district enroll "$R" "${n#*:}" "$T/${n#*:}.pub" >/dev/null ||
		echo "# enroll ${n#*:} failed" >&2
done
m1=$(round "one"); m2=$(round "two"); m3=$(round "three"); m4=$(round "four")
a sync >/dev/null; w sync >/dev/null # both fetch m4
entry a "five"; entry w "five"; a sync >/dev/null; w sync >/dev/null # and witness it

desc "a node commit names the main tip its school last fetched"
like "$(msg LIN01)" "Seen-main: $m4\$" "... LIN01's last commit saw main at the last merge"
# a round's sync commits, pushes, then fetches: its commit names the main of two rounds before
like "$(git -C "$R" log -1 --format=%B "refs/heads/nodes/LIN01~1")" "Seen-main: $m2\$" "... the one before saw an older merge"
like "$(msg WAS02)" "Seen-main: $m4\$" "... so did WAS02's"
git -C "$R" show refs/plsync/keys:allowed_signers >"$T/signers"
desc "git verify-commit accepts the commit that carries the trailer"
ok git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit refs/heads/nodes/LIN01

# --- honest history ---
desc "verify passes on the honest history"; ok audit verify "$R" --json
is "$(pj '$j->{ok} ? "ok" : "not ok"' <"$T/.out")" "ok" "... ok"
like "$(pj '$j->{witnesses}' <"$T/.out")" '^[4-9]$' "... with the witnessed main tips counted"
like "$(pj '$j->{signatures}' <"$T/.out")" '^[1-9][0-9]+$' "... and the signatures checked"
is "$(pj '$j->{district_key}' <"$T/.out")" "$(ssh-keygen -lf "$R/plsync-district.key" | cut -d' ' -f2)" \
	"... against the district key (ssh-keygen's fingerprint)"
desc "the text summary names signatures and witnesses"; ok audit verify "$R"
like "$(cat "$T/.out")" "signatures valid \\(district key SHA256:.*\\), [0-9]+ witnessed main tips in main: git, ops and state agree$" "... one line"
fp=$(ssh-keygen -lf "$R/plsync-district.key" | cut -d' ' -f2)
desc "pinned to the district key, it passes"; ok audit verify "$R" --district-key "$fp"
desc "pinned to another key, it fails"; fails 1 audit verify "$R" --district-key "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
like "$(cat "$T/.out")" "plsync-district.key: is key SHA256:.*, not the pinned district key SHA256:A+: the district key in the repository's directory was replaced" "... naming both keys"
like "$(cat "$T/.out")" "refs/plsync/keys: its first commit is not signed by the pinned district key SHA256:A+: no merge commit can be checked" \
	"... and that nothing else is signed by the pinned key"

# --- main rewound by hand; its record and the cache gone ---
cp -a "$R" "$T/rw.git"
ok git -C "$T/rw.git" update-ref refs/heads/main "$m1"
scrub "$T/rw.git"
desc "verify fails on a main rewound with git update-ref"; fails 1 audit verify "$T/rw.git" --json
lin4=$(git -C "$R" rev-parse refs/heads/nodes/LIN01)
like "$(whats)" "nodes/LIN01 commit $(echo "$lin4" | cut -c1-12)\\|LIN01\\|$lin4\\|LIN01's signed commit $(echo "$lin4" | cut -c1-12) saw main at $m4, which is not in main's history: main was rewound" \
	"... naming the witness: node, node commit, the sha it saw"
like "$(whats)" "saw main at $m2, which is not in main's history" "... and the one of an older merge"
is "$(whats | grep -c "saw main at $m1")" "0" "... but not the main tip that is still there"
is "$(whats | grep -vc "saw main at")" "0" "... and nothing but witnesses"
desc "the text output names it too"; fails 1 audit verify "$T/rw.git"
like "$(cat "$T/.out")" "^nodes/WAS02 commit [0-9a-f]{12}: WAS02's signed commit [0-9a-f]{12} saw main at $m4" "... one line per witness"

# --- the last merge commit amended (same tree and parents, another message) ---
cp -a "$R" "$T/am.git"
parents=$(git -C "$T/am.git" log -1 --format=%P main | sed 's/\([0-9a-f]*\)/-p \1/g')
# shellcheck disable=SC2086
am=$(echo "merge, amended" | git -C "$T/am.git" commit-tree $parents "main^{tree}")
ok git -C "$T/am.git" update-ref refs/heads/main "$am"
scrub "$T/am.git"
desc "verify fails on an amended merge commit"; fails 1 audit verify "$T/am.git" --json
like "$(whats)" "^merge $(echo "$am" | cut -c1-12)\\|\\|$am\\|main's commit [0-9a-f]{12}: unsigned commit: main's commits are signed by the district key" \
	"... by its signature"
like "$(whats)" "saw main at $m4, which is not in main's history" "... and by the witness of the commit it replaced"

# --- a node commit with no signature ---
cp -a "$R" "$T/un.git"
un=$(echo "WAS02: nothing" | git -C "$T/un.git" commit-tree -p refs/heads/nodes/WAS02 "refs/heads/nodes/WAS02^{tree}")
ok git -C "$T/un.git" update-ref refs/heads/nodes/WAS02 "$un"
desc "verify fails on an unsigned node commit"; fails 1 audit verify "$T/un.git" --json
is "$(whats)" "nodes/WAS02 commit $(echo "$un" | cut -c1-12)|WAS02|$un|commit $(echo "$un" | cut -c1-12): unsigned commit, and nodes/WAS02 has an enrolled key: only commits signed by it are merged" \
	"... naming node and commit, and nothing else"

for r in "$R" "$T/rw.git" "$T/am.git" "$T/un.git" "$T/lin/git" "$T/was/git"; do
	desc "git fsck --strict passes on ${r#$T/}"; ok git -C "$r" fsck --strict
done

done_testing
