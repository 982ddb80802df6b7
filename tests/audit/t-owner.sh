#!/bin/sh
# Issue 9, D3 at the district merge, with the real programs: a record
# belongs to the node whose create was merged first. WAS02 adds staff E500
# (a natural key) and the district merges it; LIN01, which never saw it,
# adds its own E500. That second create used to merge with no finding (a
# "concurrent create" while the record had no edits) and LIN01's fields
# took over WAS02's record; it is refused like any foreign write: LIN01's
# range is quarantined naming the owner, WAS02's record stays as it was.
# DISTRICT may still create an id that exists.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"

desc "the district repository and DISTRICT, LIN01, WAS02 agents are set up"
ok district_init
desc "WAS02 adds staff E500 and syncs"
ok sh -c "'$PLSYNC' --dir '$T/was' add staff --id E500 name='Wu Chen' category=certified role=Teacher >/dev/null &&
	'$PLSYNC' --dir '$T/was' sync"
desc "the district merges it"; ok district merge "$R"
desc "LIN01, which never saw it, adds its own E500 and syncs"
ok sh -c "'$PLSYNC' --dir '$T/lin' add staff --id E500 name='Lin Takeover' category=noninstructional role=Janitor >/dev/null &&
	'$PLSYNC' --dir '$T/lin' sync"
desc "the merge quarantines LIN01's range"; fails 1 district merge "$R" --json
is "$(pj 'join " ", map { $_->{node} } @{$j->{quarantined}}' < "$T/.out")" "LIN01" "only LIN01's"
like "$(pj '$j->{quarantined}[0]{reason}' < "$T/.out")" "op LIN01/1 creates again staff E500, which belongs to WAS02" \
	"naming the op, the record and its owner"
is "$(state E500 | pj '$j->{name} . " " . $j->{role} . " " . $j->{_owner}')" "Wu Chen Teacher WAS02" \
	"main's E500 is WAS02's, untouched"
desc "DISTRICT adds E500 too (the district may) and syncs"
ok sh -c "'$PLSYNC' --dir '$T/dist' add staff --id E500 name='Wu Chen' category=certified role=Coach >/dev/null &&
	'$PLSYNC' --dir '$T/dist' sync"
desc "the merge takes DISTRICT's create"; fails 1 district merge "$R" --json
is "$(pj 'join " ", map { $_->{node} } @{$j->{merged}}' < "$T/.out")" "DISTRICT" "DISTRICT's range is merged (LIN01 stays quarantined)"
desc "audit verify passes"; ok "$build/bin/plsync-audit" verify "$R"
desc "git fsck --strict passes"; ok git -C "$R" fsck --strict
done_testing
