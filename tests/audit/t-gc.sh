#!/bin/sh
# The district repository under plain git, as its admin runs it: gc.auto is
# a number (0) that git reads; a repository an older plsync made with
# gc.auto = false (which git 2.39 refuses in every gc and every push into
# it) still merges, and `plsync-district init` repairs it and says so. Then
# schools push, the district merges, the admin runs `git gc` and pushes a
# branch of their own with plain git: no "fatal" anywhere, and the next
# merges pass; fsck --strict on every repository.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
# no_fatal FILE NAME: FILE (a command's stderr) has no "fatal" line
no_fatal() { is "$(grep -i fatal "$1")" "" "$2"; }
gitq() { git -c user.name='Ada Admin' -c user.email=ada@district.example "$@"; }

# --- a new repository: gc.auto is the number 0 ---
desc "the district repository is created"; ok district_init "" DISTRICT LIN01 WAS02
is "$(git config --file "$R/config" --get gc.auto)" 0 "init writes gc.auto = 0, a number"
is "$(git -C "$R" config --int --get gc.auto 2>&1)" 0 "git reads it as a number"
desc "init again on a current repository"; ok district init "$R"
is "$(cat "$T/.out")" "district repository ready at $R" "... says nothing was repaired"

# --- a repository an older plsync made: gc.auto = false ---
git config --file "$R/config" gc.auto false
desc "with gc.auto = false, git gc fails (what init used to write)"
fails 128 git -C "$R" gc --quiet
like "$(cat "$T/.err")" "bad numeric config value" "... git names the value"
desc "LIN01 records its school"; ok lin_school
desc "LIN01 pushes into the old repository"; ok a sync
desc "the district merges the old repository"; ok district merge "$R"
like "$(cat "$T/.out")" "LIN01" "... and takes LIN01"
# a push into it starts git gc --auto in receive-pack, which reads gc.auto
git clone -q "$R" "$T/old-clone" 2>/dev/null
gitq -C "$T/old-clone" commit -q --allow-empty -m "a note"
git -C "$T/old-clone" push origin HEAD:refs/heads/admin/old 2>"$T/old-push.err"
like "$(cat "$T/old-push.err")" "remote: fatal: bad numeric config value 'false' for 'gc.auto'" \
	"... prints remote: fatal (the bug init repairs)"
desc "init on the old repository"; ok district init "$R"
like "$(cat "$T/.out")" "^repaired $R: gc.auto was 'false', which git cannot read as a number: set to 0" "... says what it repaired"
is "$(git -C "$R" config --int --get gc.auto 2>&1)" 0 "gc.auto is now 0"
is "$(git config --file "$R/config" --get-all gc.auto | wc -l | tr -d ' ')" 1 "... once in the config"
desc "init again repairs nothing more"; ok district init "$R"
is "$(cat "$T/.out")" "district repository ready at $R" "... and says only that it is ready"
git config --file "$R/config" gc.auto 250
desc "init keeps a number the admin chose"; ok district init "$R"
is "$(git config --file "$R/config" --get gc.auto)" 250 "... gc.auto stays 250"
git config --file "$R/config" gc.auto 0

# --- schools push, the district merges, the admin runs plain git ---
desc "WAS02 records its school"
ok sh -c "'$PLSYNC' --dir '$T/was' add school --id WAS02 code=WAS02 name=Washington level=middle >/dev/null &&
	'$PLSYNC' --dir '$T/was' add staff --id E500 name='Wes Park' category=certified school=WAS02 >/dev/null"
a add pd_entry staff=E100 title="Fractions workshop" type=workshop hours=6 >/dev/null
desc "LIN01 pushes"; ok a sync
desc "WAS02 pushes"; ok w sync
desc "the district merges both"; ok district merge "$R"
main1=$(git -C "$R" rev-parse main)
desc "git gc on the district repository"; ok git -C "$R" gc
no_fatal "$T/.err" "... prints no fatal"
desc "git gc --auto (what a push starts) too"; ok git -C "$R" gc --auto
no_fatal "$T/.err" "... prints no fatal"
is "$(git -C "$R" rev-parse main)" "$main1" "gc kept main"
is "$(find "$R/objects" -name '*.pack' | wc -l | tr -d ' ')" 1 "gc packed everything into one pack"

# an admin's own branch: notes beside the data, pushed with plain git
desc "the admin clones the district repository"; ok git clone -q "$R" "$T/admin"
mkdir -p "$T/admin/notes"
echo "2026-12-01: moved the repository to the new server" > "$T/admin/notes/ops.txt"
desc "the admin commits notes on a branch of their own"
ok sh -c "cd '$T/admin' && git checkout -q --orphan admin/notes && git rm -rqf --cached . &&
	git add notes/ops.txt && git -c user.name='Ada Admin' -c user.email=ada@district.example commit -qm 'admin notes'"
desc "a plain git push of that branch"; ok git -C "$T/admin" push origin admin/notes
no_fatal "$T/.err" "... prints no fatal (remote: fatal: bad numeric config value was the bug)"
is "$(git -C "$R" rev-parse admin/notes)" "$(git -C "$T/admin" rev-parse HEAD)" "the branch is in the district repository"
echo "2026-12-02: git gc after the move" >> "$T/admin/notes/ops.txt"
gitq -C "$T/admin" commit -qam "more notes"
desc "a second push of it"; ok git -C "$T/admin" push origin admin/notes
no_fatal "$T/.err" "... prints no fatal"

# --- the merges go on ---
desc "the district merges after gc and the push (nothing new)"; ok district merge "$R"
is "$(git -C "$R" rev-parse main)" "$main1" "... main unchanged"
a add pd_entry staff=E100 title="PLC" type=plc hours=2 >/dev/null
w add pd_entry staff=E500 title="Coaching" type=coaching hours=3 >/dev/null
desc "LIN01 pushes into the packed repository"; ok a sync
desc "WAS02 too"; ok w sync
no_fatal "$T/.err" "... no fatal"
desc "the district merges the new ops"; ok district merge "$R"
like "$(cat "$T/.out")" "LIN01" "... and reports LIN01"
main2=$(git -C "$R" rev-parse main)
like "$(git -C "$R" rev-list --count "$main1..$main2")" '^[1-9]' "main moved on"
is "$(git -C "$R" ls-tree -r --name-only main | grep -c '^state/pd_entry/')" 3 "main holds all three entries"
desc "verify agrees after gc, the admin branch and the merges"; ok audit verify "$R"
desc "git gc once more"; ok git -C "$R" gc --quiet
no_fatal "$T/.err" "... prints no fatal"
desc "and merge once more"; ok district merge "$R"
desc "the DISTRICT agent syncs the merged main"; ok d sync
desc "fsck --strict of the district repository"; ok git -C "$R" fsck --strict
desc "fsck --strict of the admin's clone"; ok git -C "$T/admin" fsck --strict
for n in lin was dist; do
	desc "fsck --strict of $n's mirror"; ok git -C "$T/$n/git" fsck --strict
done
done_testing
