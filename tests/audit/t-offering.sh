#!/bin/sh
# A district offering, end to end. The district office publishes "Math
# routines" with two sessions and three seats, and records the schools and
# their staff. Offline, Lincoln registers T1 and T2 and Washington T3 and
# T4: each school sees seats for all of its own, so all four are
# "registered". After both sync, the district merge counts them together:
# four registrations for three seats is the finding offering_over_capacity,
# naming the fourth in registration order (T4, who registered last). The
# schools approve their registrations; T1, T2 and T3 sign in to both
# sessions with the codes (checked offline) and their entries complete with
# the sessions' hours (summed here from the session times). A wrong code is
# refused. The district's report counts the presenter (PL provided by
# staff). Each certificate's code verifies against the district repository
# with plsync-audit certificate; a forged code (one digit changed) and the
# id of an op that completes nothing do not. The repository passes git fsck.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
export PLSYNC_TODAY=2026-09-01

s1='2026-10-05 15:30-17:30 Room 4' s2='2026-10-12 15:15-17:00 Room 4'
want_hours=$(awk 'BEGIN { printf "%.2f", (17*60+30 - (15*60+30) + 17*60 - (15*60+15)) / 60 }')

desc "the district, Lincoln and Washington agents"; ok district_init
desc "the district records the schools, the approvers, four teachers and a presenter"
ok sh -c "
	d() { '$PLSYNC' --dir '$T/dist' \"\$@\" >/dev/null; }
	d add school --id LIN01 code=LIN01 name=Lincoln level=elementary &&
	d add school --id WAS02 code=WAS02 name=Washington level=middle &&
	d add staff --id SL name='Sue Lincoln' category=certified school=LIN01 &&
	d add staff --id BL name='Bob Lincoln' category=noninstructional school=LIN01 &&
	d add staff --id SW name='Sam Washington' category=certified school=WAS02 &&
	d add staff --id BW name='Bea Washington' category=noninstructional school=WAS02 &&
	d add staff --id P1 name='Pat Presenter' category=certified &&
	d add staff --id T1 name='Tia One' category=certified school=LIN01 supervisor=SL budget_manager=BL &&
	d add staff --id T2 name='Tom Two' category=certified school=LIN01 supervisor=SL budget_manager=BL &&
	d add staff --id T3 name='Tess Three' category=certified school=WAS02 supervisor=SW budget_manager=BW &&
	d add staff --id T4 name='Ted Four' category=certified school=WAS02 supervisor=SW budget_manager=BW"
desc "the district publishes the offering: two sessions, capacity 3"
ok d offering add --id OFF-MATH title='Math routines' type=workshop delivery=in_person location=in_district \
	capacity=3 "sessions=$s1,$s2" presenters=P1 credits=0.35 credit_type=CEU \
	standards=learning_designs,implementation funding=local registration_opens=2026-08-15 \
	registration_closes=2026-09-30 implementation_plan='PLC lesson study in November' \
	effectiveness.levels=reaction,transfer effectiveness.when='after the second session'
desc "the district syncs, and both schools take the offering"
ok sh -c "'$PLSYNC' --dir '$T/dist' sync && '$PLSYNC' --dir '$T/lin' sync && '$PLSYNC' --dir '$T/was' sync"
is "$(a offering show OFF-MATH | head -n 1)" "OFF-MATH  Math routines  (owner DISTRICT)" \
	"Lincoln holds the district's offering"

desc "registration is not open before registration_opens"
fails 1 a register OFF-MATH T1 --today 2026-08-01
like "$(cat "$T/.err")" "opens on 2026-08-15" "the refusal says when registration opens"

# offline: each school sees only its own registrations
e1=$(a register OFF-MATH T1 --today 2026-09-01 2>/dev/null | cut -d: -f1)
e3=$(w register OFF-MATH T3 --today 2026-09-02 2>/dev/null | cut -d: -f1)
e2=$(a register OFF-MATH T2 --today 2026-09-03 2>/dev/null | cut -d: -f1)
out4=$(w register OFF-MATH T4 --today 2026-09-04 2>/dev/null)
e4=${out4%%:*}
is "$(echo "$e1 $e2" | grep -c '^LIN01-.* LIN01-')" 1 "Lincoln made two registrations"
is "$(echo "$e3 $e4" | grep -c '^WAS02-.* WAS02-')" 1 "Washington made two registrations"
is "$out4" "$e4: registered (2 of 3 seats taken, 0 waitlisted)" \
	"offline, Washington's second registration takes its second seat"
is "$(a show "$e1" --json | pj '$j->{fields}{status} . " " . $j->{fields}{offering} . " " . $j->{fields}{start} . " " . $j->{fields}{end}')" \
	"requested OFF-MATH 2026-10-05 2026-10-12" "a registration is a request linked to the offering, dated by its sessions"
desc "a second registration of the same teacher is refused"; fails 1 a register OFF-MATH T1 --today 2026-09-05

desc "both schools sync and the district merges"
ok sh -c "'$PLSYNC' --dir '$T/lin' sync && '$PLSYNC' --dir '$T/was' sync && '$build/bin/plsync-district' merge '$R'"
district findings "$R" --today 2026-09-10 --json >"$T/f.json"
is "$(pj 'join ",", map { $_->{record} } grep { $_->{rule} eq "offering_over_capacity" } @$j' <"$T/f.json")" \
	"OFF-MATH" "the merge's findings report the offering over capacity"
like "$(pj '(grep { $_->{rule} eq "offering_over_capacity" } @$j)[0]{why}' <"$T/f.json")" \
	"^4 registered for 3 seats; past capacity, in registration order: $e4 \\(T4\\)$" \
	"the finding names the registration past capacity: T4's, the last one made"

desc "the schools approve their registrations"
ok sh -c "
	for e in $e1 $e2; do '$PLSYNC' --dir '$T/lin' approve \$e --as supervisor --by SL --today 2026-09-20 >/dev/null &&
		'$PLSYNC' --dir '$T/lin' approve \$e --as budget --by BL --today 2026-09-20 >/dev/null || exit 1; done
	'$PLSYNC' --dir '$T/was' approve $e3 --as supervisor --by SW --today 2026-09-20 >/dev/null &&
	'$PLSYNC' --dir '$T/was' approve $e3 --as budget --by BW --today 2026-09-20 >/dev/null"

c1=$(a offering codes OFF-MATH | awk '$1 == "session" && $2 == 1 { print $5 }')
c2=$(a offering codes OFF-MATH | awk '$1 == "session" && $2 == 2 { print $5 }')
is "$(w offering codes OFF-MATH | awk '$2 == 1 { print $5 }')" "$c1" "both schools derive the same sign-in code"
like "$c1$c2" '^[0-9A-Z]{12}$' "each session has a six-character code"

desc "a wrong code is refused"; fails 1 a attend OFF-MATH T1 --session 1 --code 000000 --today 2026-10-05
like "$(cat "$T/.err")" "not the sign-in code of session 1" "the refusal says the code is not the session's"
desc "session 2's code does not sign in to session 1"
fails 1 a attend OFF-MATH T1 --session 1 --code "$c2" --today 2026-10-05

desc "T1, T2 and T3 sign in to session 1 with its code"
ok sh -c "'$PLSYNC' --dir '$T/lin' attend OFF-MATH T1 --session 1 --code $c1 --today 2026-10-05 &&
	'$PLSYNC' --dir '$T/lin' attend OFF-MATH T2 --session 1 --code $(echo "$c1" | tr A-Z a-z) --today 2026-10-05 &&
	'$PLSYNC' --dir '$T/was' attend OFF-MATH T3 --session 1 --code $c1 --today 2026-10-05"
is "$(a show "$e1" --json | pj '$j->{fields}{status}')" "approved" "one session of two does not complete the entry"
desc "and to session 2"
ok sh -c "'$PLSYNC' --dir '$T/lin' attend OFF-MATH T1 --session 2 --code $c2 --today 2026-10-12 &&
	'$PLSYNC' --dir '$T/lin' attend OFF-MATH T2 --session 2 --code $c2 --today 2026-10-12 &&
	'$PLSYNC' --dir '$T/was' attend OFF-MATH T3 --session 2 --code $c2 --today 2026-10-12"
for e in $e1 $e2; do
	is "$(a show "$e" --json | pj 'sprintf "%s %.2f %s", $j->{fields}{status}, $j->{fields}{hours}, $j->{fields}{end}')" \
		"completed $want_hours 2026-10-12" "$e completes with the hours of the two sessions"
done
is "$(w show "$e3" --json | pj 'sprintf "%s %.2f", $j->{fields}{status}, $j->{fields}{hours}')" \
	"completed $want_hours" "$e3 completes with the hours of the two sessions"
is "$(w show "$e4" --json | pj '$j->{fields}{status}')" "requested" "T4, who did not attend, is not completed"

desc "the certificates: HTML and PDF"
ok sh -c "'$PLSYNC' --dir '$T/lin' certificate $e1 --out '$T/c1.html' 2>'$T/c1.err' &&
	'$PLSYNC' --dir '$T/was' certificate $e3 --format pdf --out '$T/c3.pdf' 2>'$T/c3.err'"
code1=$(sed -n 's/.*verification code \([0-9a-f]*\)$/\1/p' "$T/c1.err")
code3=$(sed -n 's/.*verification code \([0-9a-f]*\)$/\1/p' "$T/c3.err")
like "$(cat "$T/c1.html")" "Tia One" "the HTML certificate names the teacher"
like "$(tr -d '\n' <"$T/c1.html")" "Math routines.*$want_hours.*Learning Designs, Implementation.*$code1" \
	"it gives the offering, hours, standards and the verification code"
is "$(head -c 5 "$T/c3.pdf")" "%PDF-" "the PDF certificate is a PDF"
desc "an uncompleted entry has no certificate"; fails 1 w certificate "$e4"

desc "the schools sync and the district merges the completions"
ok sh -c "'$PLSYNC' --dir '$T/lin' sync && '$PLSYNC' --dir '$T/was' sync && '$build/bin/plsync-district' merge '$R'"
desc "T1's certificate code verifies against the repository"; ok audit certificate "$R" "$code1"
like "$(cat "$T/.out")" "Tia One" "plsync-audit names who"
like "$(cat "$T/.out")" "completed .* by Ann Lee <ann@lincoln.example> at LIN01" "and who completed it, where and when"
desc "T3's certificate code verifies"; ok audit certificate "$R" "$code3"
forged=$(echo "$code1" | sed 's/^./f/')
[ "$forged" = "$code1" ] && forged=$(echo "$code1" | sed 's/^./e/')
desc "a forged code is refused"; fails 1 audit certificate "$R" "$forged"
like "$(cat "$T/.err")" "no op of this repository has that id" "the refusal says no op has that id"
regop=$(audit log "$R" "$e1" | awk '$1 == "op" { print $2; exit }')
desc "the id of an op that completes nothing is refused"; fails 1 audit certificate "$R" "$regop"
desc "a code that is not a code is refused"; fails 1 audit certificate "$R" "not-a-code"
desc "a code with a digit too many is refused"; fails 1 audit certificate "$R" "${code1}0"

desc "T1 evaluates the offering"; ok a evaluate "$e1" reaction=5 transfer=4 --today 2026-10-20
like "$(a offering show OFF-MATH)" "results: 2 registered, 0 waitlisted, 0 cancelled, 2 completed, 1 evaluated" \
	"Lincoln's offering page counts its registrations and completions"
like "$(a offering show OFF-MATH | grep 'level 1 ')" "mean 5.00 of 1" "and gives the evaluation by level"

# the report counts PL provided by staff (Rule 4370.2)
district report "$R" --year 2026-2027 --for coordinator --staff ids --format json --today 2026-10-20 >"$T/r.json"
is "$(pj 'my ($t) = grep { $_->{id} eq "presenters" } @{$j->{tables}}; join "|", map { join ",", @$_ } @{$t->{rows}}' <"$T/r.json")" \
	"P1,,1,2,3.75,3" "the report counts the presenter: one offering, two sessions, their hours, three completed"

desc "the repository passes git fsck --strict"; ok git -C "$R" fsck --strict
done_testing
