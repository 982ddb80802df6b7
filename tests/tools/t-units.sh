#!/bin/sh
# The systemd units and the NetworkManager hook, as `make install` puts them
# (make install-files PREFIX=/usr into a throw-away root, the built programs
# with them): `systemd-analyze verify --root` passes on every unit, a
# template as one instance of an escaped data dir path, without a single
# message (an unknown key is only a warning there, so any output fails);
# it does fail when the unit's program is missing, so the check is real.
# The services are hardened, the sync timer has its schedule, a unit's
# command line does its job on a real data dir, and the hook starts the
# sync service of each active timer when a link comes up, and nothing else.
. "$(dirname "$0")/../lib.sh"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get install -y systemd >/dev/null 2>&1
	fi
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		echo "1..0 # SKIP systemd-analyze is missing (apt-get install systemd)"
		exit 0
	fi
fi

R="$T/root"
desc "make install-files puts the units under PREFIX/lib/systemd/system"
ok make -s -C "$top" install-files BUILD="$build" DESTDIR="$R" PREFIX=/usr
units="$R/usr/lib/systemd/system"
is "$(cd "$units" && ls | tr '\n' ' ')" \
	"plsync-district-merge.service plsync-district-merge.timer plsync-serve@.service plsync-sync@.service plsync-sync@.timer " \
	"the five units are installed"
is "$(grep -l '@BINDIR@' "$units"/* | wc -l)" "0" "every @BINDIR@ became the installed path"
is "$(grep -h '^ExecStart=' "$units"/*.service | cut -d' ' -f1 | sort -u | tr '\n' ' ')" \
	"ExecStart=/usr/bin/plsync ExecStart=/usr/bin/plsync-district " "the units run the installed programs"

is "$(ls "$R/usr/share/man/man1" "$R/usr/share/man/man5" | grep -c '^plsync')" "4" "and the man pages their Documentation= names"
# the targets and services the units name, from the machine's own systemd
mkdir -p "$R/etc/systemd/system" "$T/host"
cp -a /usr/lib/systemd/system/. "$T/host/"
rm -f "$T/host"/plsync* # a plsync installed on this machine is not the one tested
cp -an "$T/host/." "$units/"
inst=$(systemd-escape --path /var/lib/plsync/lin01)
is "$inst" "var-lib-plsync-lin01" "the instance is the escaped data dir path"

# Documentation=man:... is checked with man, through MANPATH: the pages
# installed in the root beside the machine's own (no man here: not checked).
if command -v man >/dev/null 2>&1; then
	mancheck="--man=yes"
	MANPATH="$R/usr/share/man:$(manpath 2>/dev/null)"
	export MANPATH
else
	mancheck="--man=no"
fi
verify() { # unit...: exit 0 and not a word
	(cd "$units" && systemd-analyze verify "$mancheck" --root="$R" "$@") >"$T/verify.out" 2>&1
	_rc=$?
	[ $_rc = 0 ] && [ ! -s "$T/verify.out" ] || { sed 's/^/# /' "$T/verify.out" >&2; return 1; }
}
for u in "plsync-sync@$inst.service" "plsync-sync@$inst.timer" "plsync-serve@$inst.service" \
	plsync-district-merge.service plsync-district-merge.timer; do
	desc "systemd-analyze verify passes on $u, silently"; ok verify "$u"
done

desc "verify fails when the program a unit runs is missing"
mv "$R/usr/bin/plsync" "$T/plsync.moved"
fails 1 verify "plsync-sync@$inst.service"
mv "$T/plsync.moved" "$R/usr/bin/plsync"
like "$(cat "$T/verify.out")" "/usr/bin/plsync is not executable" "it names the missing program"
if [ "$mancheck" = --man=yes ]; then
	desc "verify fails when a page the unit's Documentation= names is missing"
	mv "$R/usr/share/man/man5/plsync-config.5" "$T/page.moved"
	fails 1 verify "plsync-sync@$inst.service"
	mv "$T/page.moved" "$R/usr/share/man/man5/plsync-config.5"
fi

for u in plsync-sync@.service plsync-serve@.service plsync-district-merge.service; do
	for key in ProtectSystem=strict ReadWritePaths= PrivateTmp=yes NoNewPrivileges=yes User=plsync; do
		grep -q "^$key" "$units/$u" || echo "$u lacks $key"
	done
done >"$T/hardening"
is "$(cat "$T/hardening")" "" "every service is hardened and runs as the plsync user"
is "$(grep -c '^ReadWritePaths=%f$' "$units/plsync-sync@.service" "$units/plsync-serve@.service" | cut -d: -f2 | tr '\n' ' ')" \
	"1 1 " "the per-data-dir services may write their data dir only"
for key in OnBootSec= OnUnitActiveSec= RandomizedDelaySec= Persistent=true; do
	grep -q "^$key" "$units/plsync-sync@.timer" || echo "lacks $key"
done >"$T/timer"
is "$(cat "$T/timer")" "" "the sync timer has OnBootSec, OnUnitActiveSec, RandomizedDelaySec and Persistent=true"
is "$(grep -c '^After=network-online.target$' "$units/plsync-sync@.service")" "1" "a sync waits for the network"

# The ExecStart lines as systemd would run them (%f: the data dir), for real.
exec_line() { sed -n "s|^ExecStart=||p" "$units/$1" | sed "s|%f|$2|g; s|/usr/bin/|$build/bin/|; s|\\\$PLSYNC_REPO|${3:-}|"; }
run_unit() { _cmd=$(exec_line "$@") && [ -n "$_cmd" ] && sh -c "$_cmd"; }
"$build/bin/plsync-district" init "$T/district.git" >/dev/null
"$PLSYNC" --dir "$T/lin01" init --node LIN01 --remote "$T/district.git" >/dev/null
"$PLSYNC" --dir "$T/lin01" add school --id LIN01 code=LIN01 name="Lincoln Elementary" >/dev/null
desc "plsync-sync@'s command line syncs the data dir"
ok run_unit plsync-sync@.service "$T/lin01"
is "$(cat "$T/.out")" "" "it is quiet when all goes well"
is "$(git -C "$T/district.git" for-each-ref --format='%(refname)' refs/heads/nodes)" "refs/heads/nodes/LIN01" \
	"the school's ref reached the district repository"
desc "plsync-district-merge's command line merges the repository"
ok run_unit plsync-district-merge.service x "$T/district.git"
desc "main holds the merged school"; ok git -C "$T/district.git" rev-parse --verify -q refs/heads/main
desc "git fsck --strict passes on the district repository"; ok git -C "$T/district.git" fsck --strict --no-progress

# The hook, with a stand-in systemctl that reports one active sync timer
# and logs what it is asked to do.
hook="$R/usr/lib/NetworkManager/dispatcher.d/90-plsync"
is "$(stat -c %a "$hook")" "755" "the hook is installed executable, writable by root only"
mkdir -p "$T/fakebin"
cat >"$T/fakebin/systemctl" <<EOF
#!/bin/sh
case "\$1" in
list-units) echo "plsync-sync@$inst.timer loaded active waiting plsync: sync /var/lib/plsync/lin01" ;;
*) echo "\$*" >>"$T/systemctl.log" ;;
esac
EOF
chmod +x "$T/fakebin/systemctl"
hook_says() { : >"$T/systemctl.log"; PATH="$T/fakebin:$PATH" sh "$hook" "$@" && cat "$T/systemctl.log"; }
is "$(hook_says eth0 up)" "start --no-block plsync-sync@$inst.service" "a link up starts the sync of each active timer"
is "$(hook_says '' connectivity-change)" "start --no-block plsync-sync@$inst.service" "so does a connectivity change"
is "$(hook_says eth0 down)" "" "a link down starts nothing"
is "$(hook_says lo up)" "" "the loopback coming up starts nothing"

done_testing
