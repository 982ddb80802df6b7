#!/bin/sh
# A teacher who moved schools mid-year has one district-wide transcript.
# The district office records the schools and its staff (E100 at Lincoln,
# E101 who stays there); Lincoln records E100's autumn PD and a PLC
# meeting; in January the district moves E100 to Washington, which records
# her spring PD. After the merge, `plsync-district transcript` lists every
# entry of both schools, each row naming its school, and its total is the
# sum of both schools' hours (summed here from the hours the schools
# entered, not copied from the output). Each agent's own transcript covers
# only what its store holds, and says so: Lincoln's (her staff record now
# names Washington), Washington's (her school was changed) and the district
# office's (it holds no school's entries), on stderr with the district
# transcript as the next step and as a line in the document; E101's, who
# never moved, has no warning. --excel gives both CSVs a BOM and CRLF.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
export PLSYNC_TODAY=2026-03-01

# the hours each school enters
h_lin1=6.5 h_lin2=3.25 plc_min=45 h_was1=5 h_stay=2
total=$(awk -v a=$h_lin1 -v b=$h_lin2 -v m=$plc_min -v c=$h_was1 'BEGIN { printf "%.2f", a + b + m / 60 + c }')
lin_part=$(awk -v a=$h_lin1 -v b=$h_lin2 -v m=$plc_min 'BEGIN { printf "%.2f", a + b + m / 60 }')
# the hours column of a CSV transcript: the sum of its entry rows, its Total
csv_sum() { perl -ne 'next if $. == 1 || /^(Total|Warning),/; s/\r$//; my @c = split /,/; $s += $c[7];
	END { printf "%.2f\n", $s }' "$1"; }
csv_total() { perl -ne 'if (/^Total,/) { s/\r$//; my @c = split /,/; printf "%.2f\n", $c[7] }' "$1"; }

desc "the district, Lincoln and Washington agents"; ok district_init
ok sh -c "'$PLSYNC' --dir '$T/dist' add school --id LIN01 code=LIN01 name=Lincoln level=elementary >/dev/null &&
	'$PLSYNC' --dir '$T/dist' add school --id WAS02 code=WAS02 name=Washington level=middle >/dev/null &&
	'$PLSYNC' --dir '$T/dist' add staff --id E100 name='Ann Lee' category=certified school=LIN01 \
		license_expires=2028-06-30 renewal_hours_required=90 >/dev/null &&
	'$PLSYNC' --dir '$T/dist' add staff --id E101 name='Bo Stay' category=certified school=LIN01 >/dev/null &&
	'$PLSYNC' --dir '$T/dist' sync >/dev/null"

desc "Lincoln records E100's autumn PD, a PLC meeting, and E101's PD"
ok sh -c "'$PLSYNC' --dir '$T/lin' sync >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry --id L1 staff=E100 title='Fractions workshop' type=workshop \
		start=2025-09-14 end=2025-09-14 hours=$h_lin1 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry --id L2 staff=E100 title='Guided reading' type=course \
		start=2025-10-05 end=2025-10-06 hours=$h_lin2 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add plc_meeting --id L3 group='Grade 4 math' school=LIN01 date=2025-10-20 \
		minutes=$plc_min attendees=E100,E101 >/dev/null &&
	'$PLSYNC' --dir '$T/lin' add pd_entry --id L4 staff=E101 title='Phonics' type=workshop \
		start=2025-11-02 hours=$h_stay status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/lin' sync >/dev/null"

desc "in January the district moves E100 to Washington"
ok sh -c "'$PLSYNC' --dir '$T/dist' set E100 school=WAS02 >/dev/null && '$PLSYNC' --dir '$T/dist' sync >/dev/null"
desc "Washington records her spring PD (and a request not yet attended)"
ok sh -c "'$PLSYNC' --dir '$T/was' sync >/dev/null &&
	'$PLSYNC' --dir '$T/was' add pd_entry --id W1 staff=E100 title='Science inquiry' type=institute \
		start=2026-01-15 end=2026-01-15 hours=$h_was1 status=completed >/dev/null &&
	'$PLSYNC' --dir '$T/was' request --id W2 staff=E100 title='Spring conference' type=conference \
		start=2026-04-10 >/dev/null &&
	'$PLSYNC' --dir '$T/was' sync >/dev/null && '$PLSYNC' --dir '$T/lin' sync >/dev/null"
desc "the district merges both schools"; ok district merge "$R"

# ---- the district transcript ----
desc "plsync-district transcript as CSV"
ok district transcript "$R" E100 --year 2025-2026 --format csv --out "$T/d.csv"
is "$(grep -c '^20' "$T/d.csv")" "4" "one row per completed entry and PLC meeting of both schools"
is "$(grep -c ',LIN01$' "$T/d.csv") $(grep -c ',WAS02$' "$T/d.csv")" "3 1" "each row names its school"
is "$(csv_total "$T/d.csv")" "$total" "the total is the sum of both schools' hours ($total)"
is "$(csv_sum "$T/d.csv")" "$total" "and the sum of its rows"
! grep -q '^Warning' "$T/d.csv"; is $? 0 "the consolidated transcript has no warning"
desc "as text"; ok district transcript "$R" E100 --year 2025-2026
like "$(cat "$T/.out")" "By school: LIN01 $lin_part hours \(3 entries\), WAS02 $(printf %.2f $h_was1) hours \(1 entry\)" \
	"the text gives the hours by school"
like "$(cat "$T/.out")" "completed in the cycle 2023-07-01 to 2028-06-30: $total" \
	"the renewal cycle counts both schools"
desc "as JSON"; ok sh -c "'$build/bin/plsync-district' transcript '$R' E100 --json > '$T/d.json'"
is "$(pj '$j->{total_hours}' < "$T/d.json")" "$(awk -v t=$total 'BEGIN { print t + 0 }')" "the JSON total"
is "$(pj '$j->{scope}{data}' < "$T/d.json")" "consolidated" "and its scope"
desc "an unknown staff member fails"; fails 1 district transcript "$R" E999
desc "a missing staff argument is a usage error"; fails 2 district transcript "$R"
desc "--excel is for CSV"; fails 2 district transcript "$R" E100 --excel
desc "--excel CSV"; ok district transcript "$R" E100 --format csv --excel --out "$T/dx.csv"
is "$(head -c 3 "$T/dx.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "starts with a UTF-8 byte order mark"
is "$(grep -c "$(printf '\r')\$" "$T/dx.csv")" "$(wc -l < "$T/dx.csv" | tr -d ' ')" "and ends every row with CRLF"
is "$(csv_total "$T/dx.csv")" "$total" "with the same total"

# ---- each agent's own transcript ----
desc "Lincoln's transcript of E100"; ok a transcript E100 --year 2025-2026 --format csv --out "$T/a.csv"
is "$(csv_total "$T/a.csv")" "$lin_part" "counts Lincoln's entries only"
like "$(cat "$T/.err")" "^plsync: warning: this transcript counts only the records this store \(LIN01\) holds.*E100's staff record names school WAS02" \
	"and warns on stderr that her staff record names another school"
like "$(cat "$T/.err")" "plsync-district transcript REPO E100' after a merge covers every school" \
	"with the district transcript as the next step"
like "$(grep '^Warning,' "$T/a.csv")" "this store \(LIN01\)" "the CSV has the warning as a row"
desc "Washington's transcript of E100"; ok w transcript E100 --year 2025-2026
like "$(cat "$T/.err")" "this store \(WAS02\) holds.*E100's school was changed on 20[0-9-]{8}" \
	"warns that her school was changed"
like "$(cat "$T/.out")" "^Warning: this transcript counts only" "as a line of the document too"
like "$(cat "$T/.out")" "Total  +$(printf %.2f $h_was1) " "counting Washington's entry"
desc "the district office's own transcript of E100"; ok d transcript E100 --format md
like "$(cat "$T/.err")" "this is the district office's store" "does not print a confident 0.00: it says where the data is"
like "$(cat "$T/.out")" '^\*\*Warning:\*\* this transcript counts only' "in the document too"
! grep -q "plsync" "$T/.out"; is $? 0 "the document names no command"
desc "E101, who never moved, at Lincoln"; ok a transcript E101 --year 2025-2026 --format csv --excel --out "$T/e101.csv"
is "$(cat "$T/.err")" "" "has no warning"
! grep -q '^Warning' "$T/e101.csv"; is $? 0 "nor a warning row"
is "$(csv_total "$T/e101.csv")" "$(awk -v a=$h_stay -v m=$plc_min 'BEGIN { printf "%.2f", a + m / 60 }')" \
	"and the total of her PD and the PLC meeting"
is "$(head -c 3 "$T/e101.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "the agent's --excel CSV has the BOM"
desc "the agent's --excel is for CSV"; fails 2 a transcript E101 --excel

desc "the district repository passes git fsck --strict"; ok git -C "$R" fsck --strict
for n in lin was dist; do
	desc "the $n mirror passes git fsck --strict"; ok git -C "$T/$n/git" fsck --strict
done
done_testing
