#!/bin/sh
# A full disk (a small tmpfs, mounted by the test: it runs as root, as CI
# does) stops an import, a sync and a district merge with one message, "the
# disk is full (PATH): free space and run it again; nothing was written",
# exit 1; nothing written before is lost (plsync check, git fsck --strict,
# plsync-audit verify), and once space is freed the same command succeeds.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

F="$T/full"
mkdir -p "$F"
if ! mount -t tmpfs -o size=4m tmpfs "$F" 2>"$T/mount.err"; then
	echo "Bail out! cannot mount a small tmpfs to fill ($(cat "$T/mount.err")): this test needs root, as CI has"
	exit 1
fi
trap 'umount "$F" 2>/dev/null; rm -rf "$T"' EXIT
district() { "$build/bin/plsync-district" "$@"; }
resize() { mount -o remount,size="$1" "$F"; }
# fill: leave about $1 KiB free on the tmpfs
fill() {
	rm -f "$F/filler"
	_free=$(df -k --output=avail "$F" | tail -n 1 | tr -d ' ')
	[ "$_free" -gt "$1" ] && dd if=/dev/zero of="$F/filler" bs=1k count=$((_free - $1)) 2>/dev/null
	true
}
entries() { # N: a CSV of N pd_entry rows for E100
	perl -e 'print "staff,title,type,hours,status\n";
		printf "E100,Workshop %d on fractions and ratios in grade five,workshop,6,completed\n", $_ for 1..$ARGV[0]' "$1"
}
full_msg='the disk is full \('

# -- init ------------------------------------------------------------------
fill 0
desc "init on a disk with no room left fails with exit 1 (no crash)"; fails 1 pl full/none init --node OAK03
like "$(cat "$T/.err")" "$full_msg" "it says the disk is full"
rm -f "$F/filler"; rm -rf "$F/none"

# -- import --------------------------------------------------------------
desc "a school's data dir on the small disk, with its school and a teacher"
ok sh -c "'$PLSYNC' --dir '$F/lin' init --node LIN01 --user 'Ann Lee <ann@lin.example>' >/dev/null &&
	'$PLSYNC' --dir '$F/lin' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$F/lin' add staff --id E100 name='Ann Lee' category=certified school=LIN01 >/dev/null"
entries 20000 > "$T/big.csv"
before=$(pl full/lin log --json | md5sum)
desc "an import larger than the disk fails with exit 1"; fails 1 pl full/lin import pd_entry "$T/big.csv"
like "$(cat "$T/.err")" "plsync: the disk is full \($F/lin\): free space and run it again; nothing was written" \
	"it says the disk is full, where, and that nothing was written"
is "$(grep -c 'fix the line above' "$T/.err")" "0" "it does not blame a line of the file"
desc "the store still checks"; ok pl full/lin check
is "$(pl full/lin log --json | md5sum)" "$before" "the ops written before are all there, and nothing else"
resize 64m
desc "with space freed the same import succeeds"; ok pl full/lin import pd_entry "$T/big.csv"
is "$(pl full/lin ls pd_entry --json | grep -c '"id"')" "20000" "every row is imported once"
desc "the store checks after it"; ok pl full/lin check

# -- sync: the mirror's commit ------------------------------------------
R="$T/district.git"
desc "a district repository (on the big disk)"; ok district init "$R"
pl full/lin config remote.url "$R"
fill 64
desc "a sync whose commit cannot be written fails with exit 1"; fails 1 pl full/lin sync
like "$(cat "$T/.err")" "$full_msg" "it says the disk is full"; sed "s/^/# /" "$T/.err"
is "$(git -C "$R" rev-parse -q --verify refs/heads/nodes/LIN01 || echo none)" "none" "nothing reached the district"
rm -f "$F/filler"
desc "with space freed the same sync succeeds"; ok pl full/lin sync
desc "the school's mirror passes git fsck --strict"; ok git -C "$F/lin/git" fsck --strict
desc "the district repository passes git fsck --strict"; ok git -C "$R" fsck --strict

# -- merge: cache and packs ----------------------------------------------
desc "the district repository is copied onto the small disk"; ok cp -a "$R" "$F/district.git"
D="$F/district.git"
fill 256
desc "a merge on the full disk fails with exit 1"; fails 1 district merge "$D"
like "$(cat "$T/.err")" "$full_msg" "it says the disk is full"; sed "s/^/# /" "$T/.err"
is "$(git -C "$D" rev-parse -q --verify refs/heads/main || echo none)" "none" "main was not written"
rm -f "$F/filler"
desc "with space freed the same merge succeeds"; ok district merge "$D"
like "$(git -C "$D" log -1 --format=%s main)" "^merge: 1 node range, 20002 ops" "main holds every op"
desc "the repository passes git fsck --strict"; ok git -C "$D" fsck --strict
desc "plsync-audit verify passes"; ok "$build/bin/plsync-audit" verify "$D"

# -- --out FILE: a report that does not fit leaves the one before it --------
desc "a district report written to the small disk"; ok district report "$D" --year 2026-2027 --out "$F/board.html"
cp "$F/board.html" "$T/board.before"
# a second report, larger (the coordinator's), with too little room for it
fill 4
desc "the coordinator's report to the full disk fails with exit 1"
fails 1 district report "$D" --year 2026-2027 --for coordinator --staff names --out "$F/board.html"
desc "the report written before is still there, whole"; ok cmp -s "$F/board.html" "$T/board.before"
is "$(ls "$F" | grep -c '\.tmp')" "0" "no temporary file is left"
rm -f "$F/filler"
desc "with space freed the same report is written"
ok district report "$D" --year 2026-2027 --for coordinator --staff names --out "$F/board.html"
desc "... replacing the one before"; fails 1 cmp -s "$F/board.html" "$T/board.before"
desc "the school's report written to the small disk"; ok pl full/lin report --year 2026-2027 --out "$F/lin.html"
cp "$F/lin.html" "$T/lin.before"
fill 4
desc "the school's coordinator report to the full disk fails with exit 1"
fails 1 pl full/lin report --year 2026-2027 --for coordinator --staff names --out "$F/lin.html"
desc "the school's report written before is still there, whole"; ok cmp -s "$F/lin.html" "$T/lin.before"
is "$(ls "$F" | grep -c '\.tmp')" "0" "no temporary file is left"
rm -f "$F/filler"
desc "an --out that is a directory is refused and the directory stays"; fails 1 district report "$D" --year 2026-2027 --out "$F"
ok test -d "$F"

done_testing
