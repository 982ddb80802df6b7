#!/bin/sh
# Signed history at the merge: once the district has enrolled a node's key
# (plsync-district enroll: refs/plsync/keys, signed by the district key),
# a range of that node is quarantined when a commit is unsigned, signed by
# another node's key (school WAS02's credentials and key pushing a perfectly
# chained range to nodes/LIN01), signed by a key not enrolled, or signed
# after the key's revocation; honest nodes merge in the same merge. A key
# rotation keeps both halves. A node with no enrolled key merges as before,
# with a warning. A keys ref not signed by the district key stops the merge.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"

mk() { # DIR NODE: a school agent of its own (school record, one teacher)
	"$PLSYNC" --dir "$T/$1" init --node "$2" --remote "$R" >/dev/null &&
	"$PLSYNC" --dir "$T/$1" add school --id "$2" code="$2" name="School $2" level=elementary >/dev/null
}
p() { _d=$1; shift; "$PLSYNC" --dir "$T/$_d" "$@"; }
entry() { # DIR STAFF TITLE: one PD entry, synced
	p "$1" add pd_entry staff="$2" title="$3" type=workshop hours=1 >/dev/null && p "$1" sync >/dev/null
}
merge_json() { district merge "$R" --json >"$T/m.json" 2>"$T/m.err"; }
quarantined() { pj 'join ",", map { $_->{node} } @{$j->{quarantined}}' <"$T/m.json"; }
merged() { pj 'join ",", map { $_->{node} } @{$j->{merged}}' <"$T/m.json"; }
reason() { pj "join '', map { \$_->{reason} } grep { \$_->{node} eq '$1' } @{\$j->{quarantined}}" <"$T/m.json"; }
qcommit() { pj "join '', map { \$_->{commit} } grep { \$_->{node} eq '$1' } @{\$j->{quarantined}}" <"$T/m.json"; }
tip() { git -C "$R" rev-parse "refs/heads/nodes/$1"; }

desc "the district repository and its key"; ok district init "$R"
like "$(cat "$T/.out")" "made the district key .*plsync-district.key: SHA256:" "init makes the district key"
is "$(stat -c %a "$R/plsync-district.key")" 600 "... mode 0600"
agents_init "" LIN01 WAS02 >/dev/null
lin_school
w add school --id WAS02 code=WAS02 name=Washington level=middle >/dev/null
w add staff --id E200 name='Pat Rivera' category=certified school=WAS02 >/dev/null
mk jef JEF03; mk ken KEN04; mk rot ROT05; mk old OLD06
for n in lin was jef ken rot old; do p "$n" sync >/dev/null || echo "# sync $n failed" >&2; done

# --- before any enrolment: everything merges, with a warning ---
desc "with no key enrolled, the merge takes every node"; ok merge_json
is "$(merged)" "JEF03,KEN04,LIN01,OLD06,ROT05,WAS02" "... all six"
is "$(pj 'join ",", @{$j->{unenrolled}}' <"$T/m.json")" "JEF03,KEN04,LIN01,OLD06,ROT05,WAS02" \
	"... and lists them as unchecked"
like "$(district merge "$R" 2>&1 >/dev/null; p lin add staff --id E101 name='Bo Diaz' category=certified school=LIN01 >/dev/null; p lin sync >/dev/null; district merge "$R" 2>&1 >/dev/null)" \
	"warning: nodes/LIN01 has no enrolled key: its commits' signatures are not checked" "the text output warns"

# --- enrolment ---
for n in lin:LIN01 was:WAS02 jef:JEF03 ken:KEN04 rot:ROT05; do
	p "${n%%:*}" key --public >"$T/${n#*:}.pub"
	district enroll "$R" "${n#*:}" "$T/${n#*:}.pub" >/dev/null || echo "# enroll ${n#*:} failed" >&2
done
desc "keys lists the enrolled keys"; ok district keys "$R" --json
is "$(pj 'join ",", map { $_->{node} } @{$j->{keys}}' <"$T/.out")" "LIN01,WAS02,JEF03,KEN04,ROT05" "... five nodes"
is "$(pj '$j->{keys}[0]{fingerprint}' <"$T/.out")" "$(ssh-keygen -lf "$T/LIN01.pub" | cut -d' ' -f2)" \
	"... LIN01's fingerprint is ssh-keygen's"
desc "enrolling the same key again is refused"; fails 1 district enroll "$R" LIN01 "$T/LIN01.pub"
desc "enrolling LIN01's key for another node is refused"; fails 1 district enroll "$R" OLD06 "$T/LIN01.pub"
like "$(cat "$T/.err")" "enrolled for node LIN01" "... naming the node it belongs to"

# An auditor reads the same keys from git alone, writing nothing.
AUD="$build/bin/plsync-audit"
refs_before=$(git -C "$R" for-each-ref | sort; ls -la "$R")
desc "plsync-audit keys lists the enrolled keys"; ok "$AUD" keys "$R" --json
is "$(pj 'join ",", map { $_->{node} } @{$j->{keys}}' <"$T/.out")" "LIN01,WAS02,JEF03,KEN04,ROT05" "... the same five nodes"
is "$(pj '$j->{keys}[0]{fingerprint}' <"$T/.out")" "$(ssh-keygen -lf "$T/LIN01.pub" | cut -d' ' -f2)" \
	"... LIN01's fingerprint is ssh-keygen's"
is "$(pj '$j->{district_key}' <"$T/.out")" "$(district keys "$R" | sed -n 's/^district key \(SHA256:[^ ]*\) .*/\1/p')" \
	"... checked against the district key the district tool names"
is "$(git -C "$R" for-each-ref | sort; ls -la "$R")" "$refs_before" "... and it changed nothing in the repository"
desc "plsync-audit keys with the right pin"; ok "$AUD" keys "$R" --district-key "$(pj '$j->{district_key}' <"$T/.out")"
desc "plsync-audit keys with another pin exits 1"; fails 1 "$AUD" keys "$R" --district-key "SHA256:$(printf 'x%.0s' $(seq 43))"
like "$(cat "$T/.err")" "not the pinned district key" "... saying the district key is not the pinned one"
git -C "$R" show refs/plsync/keys:allowed_signers >"$T/signers"
desc "git verify-commit accepts the keys commit against the district key"
ok sh -c "printf 'plsync-district %s\n' \"\$(ssh-keygen -y -f '$R/plsync-district.key')\" >'$T/dk' &&
	git -C '$R' -c gpg.format=ssh -c gpg.ssh.allowedSignersFile='$T/dk' verify-commit refs/plsync/keys"

# --- honest nodes, signed: they merge ---
entry lin E100 "Fractions"; entry was E200 "PLCs"
desc "signed ranges of enrolled nodes merge"; ok merge_json
is "$(merged)" "LIN01,WAS02" "... LIN01 and WAS02"
is "$(pj 'join ",", @{$j->{unenrolled}}' <"$T/m.json")" "" "... with no warning"
desc "git verify-commit accepts LIN01's tip with the district's allowed_signers"
ok git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/signers" verify-commit refs/heads/nodes/LIN01

# --- the forgery: WAS02's credentials and key push a chained range to nodes/LIN01 ---
good_lin=$(tip LIN01)
desc "a copy of LIN01's history is restored (as WAS02 could, from the repository)"
ok p forge restore --node LIN01 --remote "$R"
rm -f "$T/forge/node.key"; cp "$T/was/node.key" "$T/forge/node.key"
desc "the forger records an entry as LIN01 and pushes nodes/LIN01 (a fast-forward)"
ok entry forge E100 "Forged hours"
entry was E200 "More PLCs"
desc "the merge"; fails 1 merge_json
is "$(quarantined)" "LIN01" "LIN01's range is quarantined"
like "$(reason LIN01)" "signed by key SHA256:[^ ]+, which is enrolled for node WAS02, not LIN01" \
	"... the finding names the other node's key"
is "$(qcommit LIN01)" "$(tip LIN01)" "... and the forged commit"
is "$(merged)" "WAS02" "WAS02, honest, still merges"
like "$(district status "$R" 2>&1)" "LIN01.*(quarantin|enrolled for node WAS02)" "status shows the quarantine"
desc "the admin puts nodes/LIN01 back"; ok git -C "$R" update-ref refs/heads/nodes/LIN01 "$good_lin"
entry lin E100 "Geometry"
desc "LIN01's own next range merges"; ok merge_json
is "$(merged)" "LIN01" "... LIN01"

# --- an unsigned range, once enrolled ---
p jef add staff --id E300 name='Jo Kim' category=certified school=JEF03 >/dev/null; p jef sync >/dev/null
signed=$(tip JEF03)
unsigned=$(git -C "$R" cat-file commit "$signed" | perl -0777 -pe 's/^gpgsig .*?\n(?=[^ ])//ms' |
	git -C "$R" hash-object -t commit -w --stdin)
git -C "$R" update-ref refs/heads/nodes/JEF03 "$unsigned" "$signed"
desc "a range with an unsigned commit"; fails 1 merge_json
is "$(quarantined)" "JEF03" "is quarantined"
like "$(reason JEF03)" "unsigned commit, and nodes/JEF03 has an enrolled key" "... the finding says it is unsigned"
is "$(qcommit JEF03)" "$unsigned" "... and names the commit"
git -C "$R" update-ref refs/heads/nodes/JEF03 "$signed" "$unsigned"
desc "the signed commit in its place merges"; ok merge_json
is "$(merged)" "JEF03" "... JEF03"

# --- a key not enrolled at all ---
cp -r "$T/jef" "$T/jef2"; rm "$T/jef2/node.key"
p jef2 add staff --id E301 name='Al Roe' category=certified school=JEF03 >/dev/null
desc "JEF03 from a machine with a new, unenrolled key"; ok p jef2 sync
desc "the merge"; fails 1 merge_json
like "$(reason JEF03)" "which is not enrolled for node JEF03" "quarantines it: the key is not enrolled"
desc "the district enrols the new key (a rotation)"; ok sh -c "p() { '$PLSYNC' --dir \"\$@\"; }; p '$T/jef2' key --public >'$T/JEF03-2.pub' && '$build/bin/plsync-district' enroll '$R' JEF03 '$T/JEF03-2.pub'"
desc "now it merges"; ok merge_json
is "$(merged)" "JEF03" "... JEF03"

# --- revocation: before it accepted, after it refused ---
p ken add staff --id E400 name='Kay Ng' category=certified school=KEN04 >/dev/null
p ken sync >/dev/null
ct=$(git -C "$R" log -1 --format=%ct refs/heads/nodes/KEN04)
at=$((ct + 1))
desc "KEN04's key is revoked from one second after its last commit"
ok district revoke "$R" KEN04 --at "$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)"
desc "the range committed before the revocation merges"; ok merge_json
is "$(merged)" "KEN04" "... KEN04"
while [ "$(date +%s)" -le "$at" ]; do sleep 0.2; done # the next commit is after the revocation
p ken add staff --id E401 name='Lu Wu' category=certified school=KEN04 >/dev/null; p ken sync >/dev/null
desc "a range signed after the revocation"; fails 1 merge_json
is "$(quarantined)" "KEN04" "is quarantined"
like "$(reason KEN04)" "outside its validity \(revoked, or not yet valid\)" "... the finding says so"
desc "keys shows the revocation"; ok district keys "$R"
like "$(grep KEN04 "$T/.out")" "revoked from $(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" "... with its time"

# --- rotation mid-year: the old key's commits and the new key's both merge ---
p rot add staff --id E500 name='Ro Tan' category=certified school=ROT05 >/dev/null
p rot sync >/dev/null
old_fp=$(ssh-keygen -lf "$T/ROT05.pub" | cut -d' ' -f2)
mv "$T/rot/node.key" "$T/rot-old.key"
p rot key --public >"$T/ROT05-new.pub" 2>/dev/null
at=$(($(git -C "$R" log -1 --format=%ct refs/heads/nodes/ROT05) + 1))
desc "the new key is enrolled, the old one revoked from one second after its last commit"
ok sh -c "'$build/bin/plsync-district' enroll '$R' ROT05 '$T/ROT05-new.pub' &&
	'$build/bin/plsync-district' revoke '$R' ROT05 --key '$old_fp' --at $(date -u -d "@$at" +%Y%m%d%H%M%SZ)"
while [ "$(date +%s)" -le "$at" ]; do sleep 0.2; done
p rot add staff --id E501 name='Ri Tan' category=certified school=ROT05 >/dev/null; p rot sync >/dev/null
is "$(git -C "$R" rev-list refs/heads/nodes/ROT05 | wc -l | tr -d ' ')" 3 "ROT05 has commits by both keys"
merge_json
is "$(merged)" "ROT05" "both halves merge in one range"
is "$(quarantined)" "KEN04" "... (KEN04's range signed after its revocation stays quarantined)"

# --- the keys ref is the district's alone ---
good_keys=$(git -C "$R" rev-parse refs/plsync/keys)
git -C "$R" show refs/plsync/keys:allowed_signers >"$T/evil"
printf 'OLD06 namespaces="git" %s\n' "$(cat "$T/WAS02.pub")" >>"$T/evil"
evil=$(git -C "$R" -c gpg.format=ssh -c user.signingkey="$T/was/node.key" -c user.name=x -c user.email=x@y \
	commit-tree -S -p "$good_keys" -m "keys: more" \
	"$(printf '100644 blob %s\tallowed_signers\n' "$(git -C "$R" hash-object -w "$T/evil")" | git -C "$R" mktree)")
git -C "$R" update-ref refs/plsync/keys "$evil"
entry was E200 "Even more"
desc "a keys commit signed by a school's key stops the merge"; fails 1 district merge "$R"
like "$(cat "$T/.err")" "refs/plsync/keys .* is not signed by the district key" "... saying the keys cannot be trusted"
desc "keys refuses it too"; fails 1 district keys "$R"
desc "plsync-audit keys reports the forged keys ref"; fails 1 "$build/bin/plsync-audit" keys "$R"
like "$(cat "$T/.err")" "refs/plsync/keys" "... naming the keys ref"
git -C "$R" update-ref refs/plsync/keys "$good_keys"
merge_json
is "$(merged)" "WAS02" "with the district's keys back, WAS02 merges"

# --- the merge commits are signed by the district key ---
verify_main() {
	for c in $(git -C "$R" rev-list --first-parent main); do
		git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/dk" verify-commit "$c" 2>"$T/.v" ||
			{ cat "$T/.v" >&2; return 1; }
	done
}
desc "git verify-commit accepts every commit on main's first-parent chain (the root too) with the district key"
ok verify_main
[ "$(git -C "$R" rev-list --first-parent main | wc -l)" -ge 10 ]; is $? 0 "... ten of them and more"
desc "an unsigned commit on main is refused by git verify-commit"
fails 1 git -C "$R" -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$T/dk" verify-commit \
	"$(git -C "$R" commit-tree -p main -m x "$(git -C "$R" rev-parse 'main^{tree}')")"

# --- a school that pinned the district key checks DISTRICT's commits ---
dfp=$(district keys "$R" | sed -n 's/^district key \(SHA256:[^ ]*\) .*/\1/p')
like "$dfp" "^SHA256:.{43}$" "keys prints the district key's fingerprint"
agents_init "" DISTRICT >/dev/null
d add staff --id E900 name='Dee Office' category=noninstructional >/dev/null; d sync >/dev/null
"$PLSYNC" --dir "$T/pin" init --node PIN07 --remote "$R" --district-key "$dfp" >/dev/null
desc "a pinned school refuses DISTRICT's ops while DISTRICT has no enrolled key"; fails 1 p pin sync
like "$(cat "$T/.err")" "enrolled no key for nodes/DISTRICT" "... saying so"
is "$(p pin ls staff --json | grep -c E900)" 0 "... and applies none of them"
d key --public >"$T/DISTRICT.pub"; district enroll "$R" DISTRICT "$T/DISTRICT.pub" >/dev/null
desc "once DISTRICT's key is enrolled, the pinned school applies its ops"; ok p pin sync
is "$(p pin ls staff --json | grep -c E900)" 1 "... E900 is there"
desc "a forger restores DISTRICT's history and pushes a range signed with WAS02's key"
ok p dforge restore --node DISTRICT --remote "$R"
rm -f "$T/dforge/node.key"; cp "$T/was/node.key" "$T/dforge/node.key"
p dforge add staff --id E901 name='Not Real' category=noninstructional >/dev/null; p dforge sync >/dev/null
desc "the pinned school refuses it"; fails 1 p pin sync
like "$(cat "$T/.err")" "enrolled for node WAS02, not DISTRICT: .*; nothing of it is applied" "... naming the key's node"
is "$(p pin ls staff --json | grep -c E901)" 0 "... and applies nothing of it"
"$PLSYNC" --dir "$T/pin2" init --node PIN08 --remote "$R" \
	--district-key "$(ssh-keygen -lf "$T/WAS02.pub" | cut -d' ' -f2)" >/dev/null
desc "a school that pinned another key refuses the district's keys"; fails 1 p pin2 sync
like "$(cat "$T/.err")" "refs/plsync/keys .* is not signed by the district key SHA256:" "... saying so"
desc "--district-key must be a fingerprint"; fails 2 "$PLSYNC" --dir "$T/pin3" init --node PIN09 --district-key abc

desc "git fsck --strict passes on the repository and every mirror"
ok sh -c "for g in '$R' '$T'/*/git; do git -C \"\$g\" fsck --strict --no-progress >/dev/null 2>&1 || { echo \$g >&2; exit 1; }; done"
done_testing
