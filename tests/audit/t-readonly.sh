#!/bin/sh
# An auditor who can read the district repository and write nothing in it
# (a real unprivileged user, `nobody`, with the repository read-only to
# others): plsync-audit log, blame and show print exactly what they print
# for the district's admin, from a cache of the auditor's own
# ($XDG_CACHE_HOME/plsync/..., or ~/.cache/plsync/...) built from main; it
# is rebuilt when main moves, and one in a plsync dir that is not the
# auditor's alone is never read. The repository is left as it was.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/district.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root, setpriv and a user nobody (to run as a user who cannot write the repository)"
	exit 0
fi
AUD="$T/auditor" # the auditor's home
# the auditor runs a copy of plsync-audit (and reads a copy of the LSan
# suppressions) in $T: the checkout may sit where nobody cannot reach
ABIN="$T/bin/plsync-audit"
# as_auditor [VAR=VALUE...] CMD...: run CMD as nobody:nogroup with no other
# group, HOME=$AUD and XDG_CACHE_HOME=$AUD/xdg unless the VARs say otherwise
as_auditor() { setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env -u XDG_CACHE_HOME HOME="$AUD" XDG_CACHE_HOME="$AUD/xdg" LSAN_OPTIONS="$(echo "$LSAN_OPTIONS" | sed "s|suppressions=[^:]*|suppressions=$T/bin/lsan.supp|")" "$@"; }
raudit() { as_auditor "$ABIN" "$@"; }
# snapshot: the repository as a listing of every path with its mode, owner and content hash
snapshot() { (cd "$R" && find . -printf '%p %m %u %s\n' | sort && find . -type f -exec sha1sum {} + | sort); }

# --- a district: two schools, edits, merges ---
desc "a district with LIN01 and WAS02"; ok district_init "" DISTRICT LIN01 WAS02
desc "LIN01 records its school and teacher"; ok lin_school
id=$(a add pd_entry staff=E100 title="Fractions workshop" type=workshop start=2026-09-14 hours=6 status=requested)
like "$id" '^LIN01-' "LIN01 requests a PD entry"
desc "LIN01 syncs and the district merges"; ok lin_merged
desc "Ann raises the hours"; ok a set "$id" hours=7.5 --note "the workshop ran long"
desc "WAS02 records its school"
ok sh -c "'$PLSYNC' --dir '$T/was' add school --id WAS02 code=WAS02 name=Washington level=middle >/dev/null"
desc "both sync"; ok sh -c "'$PLSYNC' --dir '$T/lin' sync && '$PLSYNC' --dir '$T/was' sync"
desc "the district merges"; ok district merge "$R"
t1=$(audit log "$R" "$id" --json | pj '$j->{ops}[1]{hlc}')
at=$(perl -MPOSIX=strftime -e 'my $ms = ($ARGV[0] >> 16) - 1; printf "%s.%03dZ\n", strftime("%Y-%m-%dT%H:%M:%S", gmtime int($ms / 1000)), $ms % 1000' "$t1")

# what the admin (who can write the repository) sees: wanted
wanted() {
	for q in "log $id" "log $id --json" "blame $id" "blame $id --json" "show $id --at $at" "show $id --at $at --json"; do
		# shellcheck disable=SC2086
		audit $(echo "$q" | sed "s|^\([a-z]*\) |\1 $R |") > "$T/want.$(echo "$q" | tr ' :' '__')" || return 1
	done
}
# the same as the auditor, compared
same_as_admin() { # LABEL [VAR=VALUE...]
	label=$1; shift
	for q in "log $id" "log $id --json" "blame $id" "blame $id --json" "show $id --at $at" "show $id --at $at --json"; do
		f=$(echo "$q" | tr ' :' '__')
		# shellcheck disable=SC2086
		as_auditor "$@" "$ABIN" $(echo "$q" | sed "s|^\([a-z]*\) |\1 $R |") > "$T/got.$f" 2>"$T/got.err"
		is "$?:$(cat "$T/got.err")" "0:" "$label: $q runs, no error"
		is "$(cat "$T/got.$f")" "$(cat "$T/want.$f")" "$label: $q prints what the admin's prints"
	done
}
desc "the admin's log, blame and show"; ok wanted
like "$(cat "$T/want.log_$id")" "hours: 6 -> 7.5" "... the admin's log has the edit"

# --- the repository read-only to everyone but root ---
chmod 755 "$T"
mkdir "$T/bin" && cp "$build/bin/plsync-audit" "$ABIN" && cp "$top/tests/lsan.supp" "$T/bin/" &&
	chmod -R a+rX "$T/bin"
chmod -R a+rX,go-w "$R"
mkdir "$AUD" && chown nobody:nogroup "$AUD"
desc "nobody cannot write the repository"; ok as_auditor sh -c "! touch '$R/x' 2>/dev/null"

before=$(snapshot)
desc "verify works read-only (it never needed the cache)"; ok raudit verify "$R"
same_as_admin "read-only, XDG_CACHE_HOME"
cdir=$(ls -d "$AUD"/xdg/plsync/district.git-???????????????? 2>/dev/null)
like "$cdir" "^$AUD/xdg/plsync/district\.git-[0-9a-f]{16}$" "the auditor's cache is in \$XDG_CACHE_HOME/plsync/<name>-<hash>"
is "$(stat -c '%U %a' "$AUD/xdg/plsync")" "nobody 700" "... in a plsync dir that is the auditor's alone"
is "$(stat -c '%U' "$cdir/store/data.mdb")" "nobody" "... built by the auditor"
is "$(snapshot)" "$before" "the repository is exactly as it was"
stamp=$(stat -c %Y.%i "$cdir/store/data.mdb")
sleep 1
same_as_admin "read-only, the cache again"
is "$(stat -c %Y.%i "$cdir/store/data.mdb")" "$stamp" "... the cache describes main: read, not rebuilt"

# --- main moves: the auditor's cache is rebuilt from the new main ---
desc "Ann renames the entry"; ok a set "$id" title="Fractions workshop, part 1"
desc "LIN01 syncs and the district merges"; ok lin_merged
chmod -R a+rX,go-w "$R"
desc "the admin's new log, blame and show"; ok wanted
like "$(cat "$T/want.log_$id")" "title: \"Fractions workshop\" -> \"Fractions workshop, part 1\"" "... the admin's log has the new title"
same_as_admin "read-only, after a merge"
like "$(cat "$T/got.log_$id")" "title: \"Fractions workshop\" -> \"Fractions workshop, part 1\"" "the auditor sees the new title: their cache followed main"

# --- HOME without XDG_CACHE_HOME ---
same_as_admin "read-only, ~/.cache" XDG_CACHE_HOME=
like "$(ls -d "$AUD"/.cache/plsync/district.git-???????????????? 2>/dev/null)" "^$AUD/\.cache/plsync/district\.git-[0-9a-f]{16}$" \
	"without XDG_CACHE_HOME the cache is in ~/.cache/plsync"
desc "a relative XDG_CACHE_HOME is ignored, as the XDG spec says"
ok as_auditor sh -c "cd '$AUD' && XDG_CACHE_HOME=rel '$ABIN' log '$R' '$id'"
desc "... nothing made under the working dir"; ok test ! -e "$AUD/rel"

# --- never a cache the auditor did not build ---
mkdir -p "$T/shared/plsync" && chmod 1777 "$T/shared/plsync" "$T/shared"
desc "a plsync dir another user owns is refused"
fails 1 as_auditor XDG_CACHE_HOME="$T/shared" "$ABIN" log "$R" "$id"
like "$(cat "$T/.err")" "$T/shared/plsync is not a directory of yours that only you can write" "... and says why"
desc "nothing was built there"; ok test -z "$(ls -A "$T/shared/plsync")"
mkdir -p "$AUD/open/plsync" && chmod 777 "$AUD/open/plsync" && chown -R nobody:nogroup "$AUD/open"
desc "the auditor's own plsync dir, writable by others, is refused"
fails 1 as_auditor XDG_CACHE_HOME="$AUD/open" "$ABIN" blame "$R" "$id"
like "$(cat "$T/.err")" "not a directory of yours that only you can write" "... and says why"
planted="$AUD/xdg/plsync/$(basename "$cdir")"
rm -rf "$planted" && mkdir "$planted"
desc "a cache dir root made inside the auditor's plsync dir is refused"
fails 1 raudit show "$R" "$id" --at "$at"
like "$(cat "$T/.err")" "$planted is not a directory of yours" "... and named"
rm -rf "$planted"

# --- the writable path is unchanged ---
desc "the admin's log uses the repository's cache, not a cache dir of theirs"
ok env XDG_CACHE_HOME="$T/admin-cache" "$build/bin/plsync-audit" log "$R" "$id"
desc "... nothing made in the admin's cache dir"; ok test ! -e "$T/admin-cache"
desc "fsck --strict of the district repository"; ok git -C "$R" fsck --strict
for n in lin was; do
	desc "fsck --strict of $n's mirror"; ok git -C "$T/$n/git" fsck --strict
done
done_testing
