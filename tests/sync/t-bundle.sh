#!/bin/sh
# Bundles carry ops on a file where there is no network: between a school and
# the DISTRICT agent records arrive; applying twice applies nothing the second
# time; --since makes later bundles and applying one before the earlier is
# refused; a truncated, damaged, foreign, forged or own bundle is refused with
# exit 1 and a clear message, and the store is unchanged.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/sync-lib.sh"

snapshot() { # the store as status and log show it
	pl "$1" status --json | grep -E '^  "(seq|ops|records)"'
	pl "$1" log --json | md5sum
}
refused() { # NAME FILE PATTERN WHAT: apply FILE at NAME is refused, says PATTERN, changes nothing
	_before=$(snapshot "$1")
	desc "$4 is refused with exit 1"; fails 1 pl "$1" bundle apply "$2"
	like "$(cat "$T/.err")" "$3" "the message for $4 says why"
	is "$(snapshot "$1")" "$_before" "the store is unchanged after $4"
}
size() { wc -c < "$1" | tr -d ' '; }

desc "agents: DISTRICT, LIN01 and WAS02, none with a remote"
ok sh -c "'$PLSYNC' --dir '$T/dist' init --node DISTRICT --user 'Dee Office <dee@district.example>' >/dev/null &&
	'$PLSYNC' --dir '$T/lin' init --node LIN01 --user 'Ann Lee <ann@lin.example>' >/dev/null &&
	'$PLSYNC' --dir '$T/was' init --node WAS02 --user 'Pat Rivera <pat@was.example>' >/dev/null"
desc "DISTRICT records the school and staff"; ok roster dist
desc "DISTRICT writes its ops to a bundle"; ok pl dist bundle create "$T/roster.plsync"
like "$(cat "$T/.out")" "wrote .*roster.plsync: ops 1\.\.5 of node DISTRICT" "it says which ops it wrote"
is "$(head -n 2 "$T/roster.plsync" | sed 's/ size=[0-9]* pack=[0-9]* / size=N pack=N /; s/tip=[0-9a-f]\{40\} /tip=C /')" \
	"$(printf 'PLSYNC-BUNDLE 2\nnode=DISTRICT first=1 last=5 count=5 size=N pack=N tip=C base=none')" \
	"the file starts with the magic line and a header naming node, range and the commits it carries"
desc "LIN01 applies the district's bundle"; ok pl lin bundle apply "$T/roster.plsync"
like "$(cat "$T/.out")" "applied 5 ops" "it applied 5 ops"
is "$(count lin staff)" "3" "LIN01 has the roster"

# --- school -> district ---
desc "LIN01 records PD"
ok sh -c "'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Fractions workshop' type=workshop hours=6.5 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry staff=E300 title='Safety training' type=training hours=2 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry staff=E100 title='Lesson study' type=plc hours=1 >/dev/null"
desc "LIN01 writes a bundle"; ok pl lin bundle create "$T/lin-1.plsync"
like "$(cat "$T/.out")" "ops 1\.\.3 of node LIN01" "it holds ops 1..3"
desc "DISTRICT applies it"; ok pl dist bundle apply "$T/lin-1.plsync"
like "$(cat "$T/.out")" "applied 3 ops .*\(0 already here\)" "three ops applied"
is "$(pl dist export pd_entry --format jsonl)" "$(pl lin export pd_entry --format jsonl)" \
	"DISTRICT's PD entries are exactly LIN01's"
before=$(snapshot dist)
desc "applying the same bundle again succeeds"; ok pl dist bundle apply "$T/lin-1.plsync"
like "$(cat "$T/.out")" "applied 0 ops .*\(3 already here\)" "the second apply applies 0"
is "$(snapshot dist)" "$before" "and changes nothing"
desc "DISTRICT's store checks out"; ok pl dist check

# --- --since, and order ---
id=$(pl lin ls pd_entry --json | sed -n 's/^    "id": "\(LIN01-[0-9A-Z]*\)",$/\1/p' | head -n 1)
desc "LIN01 changes an entry and adds one"
ok sh -c "'$PLSYNC' --dir '$T/lin' set $id status=completed >/dev/null && '$PLSYNC' --dir '$T/lin' add pd_entry staff=E300 title='First aid' type=training >/dev/null"
desc "bundle create --since 3 writes only the new ops"; ok pl lin bundle create "$T/lin-2.plsync" --since 3
like "$(cat "$T/.out")" "ops 4\.\.5 of node LIN01" "it holds ops 4..5"
desc "LIN01 deletes an entry"; ok pl lin rm "$id" --note "entered twice"
desc "bundle create --since 5"; ok pl lin bundle create "$T/lin-3.plsync" --since 5
like "$(cat "$T/.out")" "ops 6\.\.6 of node LIN01" "it holds op 6"
desc "bundle create --since past the last op fails"; fails 1 pl lin bundle create "$T/none.plsync" --since 6
like "$(cat "$T/.err")" "no ops after seq 6" "the message says there is nothing to bundle"
desc "--since must be a number"; fails 2 pl lin bundle create "$T/x.plsync" --since abc
refused dist "$T/lin-3.plsync" "lacks earlier ops of LIN01; apply the earlier bundle \(or sync\) first" \
	"a later bundle applied before the earlier one"
desc "the earlier bundle applies"; ok pl dist bundle apply "$T/lin-2.plsync"
like "$(cat "$T/.out")" "applied 2 ops" "two ops"
desc "then the later one"; ok pl dist bundle apply "$T/lin-3.plsync"
like "$(cat "$T/.out")" "applied 1 op " "one op"
is "$(pl dist export pd_entry --format jsonl)" "$(pl lin export pd_entry --format jsonl)" \
	"DISTRICT has LIN01's entries as they are now, the deleted one gone"
is "$(node_ops dist LIN01)" "6" "DISTRICT has LIN01's six ops, each once"
desc "a bundle overlapping what is here applies only the new ops"; ok pl was bundle apply "$T/roster.plsync"
desc "WAS02 applies LIN01's first bundle"; ok pl was bundle apply "$T/lin-1.plsync"
desc "WAS02 applies a full bundle overlapping it"; ok sh -c "'$PLSYNC' --dir '$T/lin' bundle create '$T/lin-all.plsync' >/dev/null && '$PLSYNC' --dir '$T/was' bundle apply '$T/lin-all.plsync'"
like "$(cat "$T/.out")" "applied 3 ops .*\(3 already here\)" "three new, three already here"
desc "every store checks out"; ok check_all dist lin was

# --- refused files; the store unchanged each time ---
b="$T/lin-all.plsync"
len=$(size "$b")
for cut in 0 10 16 40 $((len / 2)) $((len - 21)) $((len - 20)) $((len - 1)); do
	head -c "$cut" "$b" > "$T/cut-$cut.plsync"
	case $cut in
	0|10) why="is not a plsync bundle" ;;
	16|40) why="truncated or damaged header|damaged header" ;;
	*) why="truncated|checksum mismatch" ;;
	esac
	refused dist "$T/cut-$cut.plsync" "$why" "the bundle truncated to $cut of $len bytes"
done
flip() { # FILE OFFSET OUT: OUT is FILE with the byte at OFFSET inverted
	perl -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
		substr($d, $ARGV[1], 1) = chr(ord(substr($d, $ARGV[1], 1)) ^ 0xff);
		open my $o, ">:raw", $ARGV[2] or die; print $o $d' "$1" "$2" "$3"
}
hlen=$(head -n 2 "$b" | wc -c | tr -d ' ')
flip "$b" $((hlen + (len - hlen - 20) / 2)) "$T/flip-data.plsync"
refused dist "$T/flip-data.plsync" "checksum mismatch: the file is truncated or damaged" "a bundle with one byte of its ops damaged"
flip "$b" $((len - 5)) "$T/flip-sum.plsync"
refused dist "$T/flip-sum.plsync" "checksum mismatch" "a bundle with its checksum damaged"
flip "$b" 22 "$T/flip-header.plsync"
refused dist "$T/flip-header.plsync" "damaged header|checksum mismatch" "a bundle with its header damaged"
head -c 4096 /dev/urandom > "$T/random.bin"
refused dist "$T/random.bin" "is not a plsync bundle" "a file of random bytes"
printf 'lesson plans\n' | gzip > "$T/notes.gz"
refused dist "$T/notes.gz" "is not a plsync bundle" "a gzip file"
: > "$T/empty.plsync"
refused dist "$T/empty.plsync" "is not a plsync bundle" "an empty file"
refused lin "$T/lin-all.plsync" "holds this node's own ops \(LIN01\)" "the node's own bundle"
refused dist "$T/nope.plsync" "nope.plsync" "a missing file"
# forged: a valid checksum over a header that lies about the node
forge() { # IN OUT SEDEXPR: rewrite the header, recompute the checksum
	head -c $((len - 20)) "$1" | sed "2s/$3/" > "$T/forge.tmp" &&
	{ cat "$T/forge.tmp"; perl -e 'print pack("H*", $ARGV[0])' "$(git hash-object --stdin < "$T/forge.tmp")"; } > "$2"
}
forge "$b" "$T/forged-node.plsync" "node=LIN01/node=WAS02"
refused dist "$T/forged-node.plsync" "op 1 is LIN01/1, but the header promises WAS02/1" \
	"a bundle whose checksummed header names another node"
forge "$b" "$T/forged-count.plsync" "last=6 count=6/last=7 count=7"
refused dist "$T/forged-count.plsync" "holds 6 ops, the header promises 7|damaged" \
	"a bundle whose checksummed header promises more ops than it holds"
desc "after all that, DISTRICT's store checks out"; ok pl dist check
desc "and the genuine bundle still applies (all already here)"; ok pl dist bundle apply "$b"
like "$(cat "$T/.out")" "applied 0 ops .*\(6 already here\)" "nothing new"
desc "bundle without arguments is a usage error"; fails 2 pl dist bundle
desc "bundle with an unknown action is a usage error"; fails 2 pl dist bundle send "$b"

done_testing
