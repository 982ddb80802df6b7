#!/bin/sh
# tests/fuzz/make-corpus.sh — (re)make the seed corpus in tests/fuzz/corpus/
# from a real data dir: ops and bundles made by plsync itself, import files,
# batch names and JSON documents. Run by hand after `make` when the op format
# changes (the corpus is committed; `make check` only reads it):
#   PLSYNC_BUILD=$PWD/build tests/fuzz/make-corpus.sh
# The ops carry the clock of the run, so a new corpus differs in those bytes.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${PLSYNC_BUILD:-$top/build}
P="$build/bin/plsync"
C="$top/tests/fuzz/corpus"
T=$(mktemp -d "${TMPDIR:-/tmp}/plsync-corpus.XXXXXX")
trap 'rm -rf "$T"' EXIT

rm -rf "$C"
mkdir -p "$C/op" "$C/bundle" "$C/import" "$C/name" "$C/json"

# ---- a school's day of work: every kind of value an op carries ----
export PLSYNC_DIR="$T/lin"
$P init --node LIN01 --name "Lincoln Elementary" --user "Ann Lee <ann.lee@lincoln.k12.example>" >/dev/null
$P add school --id LIN01 code=LIN01 name="Lincoln Elementary" level=elementary enrollment=412 >/dev/null
$P add staff --id E200 name="José Núñez" category=certified role=Principal school=LIN01 >/dev/null
$P add staff --id E100 name="Ann Lee" category=certified school=LIN01 supervisor=E200 \
	license_expires=2027-06-30 renewal_hours_required=90 >/dev/null
pd=$($P add pd_entry staff=E100 title="Fractions \"number lines\" workshop" type=workshop \
	start=2026-09-14 hours=6.5 cost_cents=12000 funding=federal:title-ii-a \
	standards=learning_designs,implementation)
$P set "$pd" approvals.supervisor.by=E200 approvals.supervisor.at=2026-09-01 --note "ok — Pat" >/dev/null
$P set "$pd" cost_cents= >/dev/null
$P add plc_meeting group="Grade 4 math" school=LIN01 date=2026-10-21 minutes=50 \
	attendees=E100,E200 standards=learning_communities >/dev/null
$P rm "$pd" --note "entered twice" >/dev/null
$P bundle create "$C/bundle/full.plsync" >/dev/null
$P bundle create "$C/bundle/since5.plsync" --since 5 >/dev/null

# The ops, one file each, and batches (plain concatenations) of them; a raw
# bundle is a bundle's header over the ops uncompressed, which fuzz-bundle
# compresses and checksums itself (so that mutations reach the ops).
mdb_dump -s ops "$PLSYNC_DIR/store" >"$T/ops.dump"
python3 - "$T/ops.dump" "$C" <<'EOF'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.startswith(' ')]
ops = [bytes.fromhex(v) for v in lines[1::2]]
out = sys.argv[2]
for i, op in enumerate(ops, 1):
    open(f"{out}/op/LIN01-{i}.msgpack", "wb").write(op)
open(f"{out}/op/batch-1-3.msgpack", "wb").write(b"".join(ops[:3]))
open(f"{out}/op/batch-all.msgpack", "wb").write(b"".join(ops))
def raw(first, last):
    body = b"".join(ops[first - 1:last])
    head = f"PLSYNC-BUNDLE 1\nnode=LIN01 first={first} last={last} count={last - first + 1} size={len(body)}\n"
    return head.encode() + body
open(f"{out}/bundle/raw-all.plsync", "wb").write(raw(1, len(ops)))
open(f"{out}/bundle/raw-1-2.plsync", "wb").write(raw(1, 2))
EOF

# A DISTRICT op that names a head in its base (a change to LIN01's record).
export PLSYNC_DIR="$T/district"
$P init --node DISTRICT --user "Dora Diaz <ddiaz@district.example>" >/dev/null
$P bundle apply "$C/bundle/full.plsync" >/dev/null
$P set E100 role="Math coach" >/dev/null
mdb_dump -s ops "$PLSYNC_DIR/store" | python3 -c '
import sys
lines = [l.strip() for l in sys.stdin if l.startswith(" ")]
for k, v in zip(lines[0::2], lines[1::2]):
    if bytes.fromhex(k).startswith(b"DISTRICT\0"):
        open(sys.argv[1] + "/op/DISTRICT-1.msgpack", "wb").write(bytes.fromhex(v))
' "$C"

# ---- import files: "<kind> <csv|jsonl>" on the first line, then the file ----
printf 'school csv\ncode,name,level,id\nWAS02,Washington Middle,middle,WAS02\n' >"$C/import/school.csv"
printf 'staff csv\n\357\273\277id,name,category,school,supervisor\r\nE300,"Rivera, Pat",certified,LIN01,E301\r\nE301,Sam Ortiz,certified,LIN01,\r\n' \
	>"$C/import/staff-bom-crlf.csv"
printf 'pd_entry csv\nstaff,title,type,start,hours,standards,approvals.supervisor.by\nE100,"Fractions, again",workshop,2026-09-14,6.5,"learning_designs,implementation",E200\n\nE100,PLC,plc,2026-09-21,1,,\n' \
	>"$C/import/pd_entry.csv"
printf 'staff jsonl\n{"id":"E400","name":"Kim Chen","category":"noninstructional","school":"LIN01"}\n{"name":"Lee \\u00e9","category":"certified","school":"LIN01","renewal_hours_required":90}\n' \
	>"$C/import/staff.jsonl"
printf 'pd_entry jsonl\n{"staff":"E100","title":"Conference","type":"conference","location":"out_of_district","start":"2026-10-15","cost_cents":45000,"approvals":{"supervisor":{"by":"E200","at":"2026-10-01"}},"evaluation":{"reaction":5}}\n' \
	>"$C/import/pd_entry.jsonl"
printf 'plc_meeting csv\ngroup,school,date,minutes,attendees,focus\nGrade 4 math,LIN01,2026-10-21,50,"E100,E200",fractions\n' \
	>"$C/import/plc_meeting.csv"
# a spreadsheet's own values: US dates, units, dollars, TRUE/FALSE, loose enums, extra columns
printf 'pd_entry csv\n\357\273\277Staff ID,Title,Type,Start Date,End Date,Hours,Cost,Location,Delivery,Required For Job,Approvals Supervisor At,Dept\r\nE100,"Fractions, part 2",Workshop,9/14/2025,9/15/25,6.5 hrs,"$1,234.50",Out Of District,In Person,TRUE,9/1/2025 8:05 PM,Math\r\nE200,Coaching,coaching,10/2/2025,,90 min,$120,in-district,Job-Embedded,no,2025-09-20 07:30:00,\r\n' \
	>"$C/import/pd_entry-excel.csv"
printf 'pd_entry csv\nstaff,title,type,start,hours,cost_cents\nE100,Twice,Wrokshop,2026-02-01,lots,$4.50\nE100,twice,workshop,2/1/2026,3,450\n' \
	>"$C/import/pd_entry-bad.csv"

# ---- batch names: fuzz-name reads the first 16 bytes as seqs too ----
for n in 000000000001-000000000005 000000999999-000001000001 000001234567-000001234567 \
	999999999998-999999999999; do
	printf '%s.msgpack' "$n" >"$C/name/$n"
done

# ---- JSON documents: a record as --json prints it, and odd values ----
export PLSYNC_DIR="$T/lin"
$P show E100 --json >"$C/json/record.json"
$P ls pd_entry --json >"$C/json/ls.json" || true
printf '{"hours":6.5,"credits":0.25,"big":123456789012,"neg":-3,"tiny":0.001,"whole":6.0}\n' >"$C/json/numbers.json"
printf '["a\\u0000b","\\u00e9t\\u00e9","\\ud83d\\ude00","tab\\tquote\\"",[],{},null,true,false]\n' >"$C/json/strings.json"
printf '{"a":{"b":{"c":[1,{"d":[]}]}},"\\u00e9":"x","A":1,"a b":2}\n' >"$C/json/nested.json"

du -sh "$C"
find "$C" -type f | wc -l
