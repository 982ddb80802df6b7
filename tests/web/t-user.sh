#!/bin/sh
# `plsync user`: accounts for the web app from the command line. add needs
# a staff record of the store, known roles and a password (from stdin with
# --password-stdin; without it and without a terminal it is a usage
# error); ls lists ids and roles (never hashes); passwd, roles and rm change
# them, and the web login follows; the users file is mode 0600 and holds no
# password.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/web.sh"
export PLSYNC_DIR="$T/lin" PLSYNC_TODAY=2026-10-01
p() { "$PLSYNC" "$@"; }
pw() { printf '%s\n' "$1"; }

desc "a school with staff and accounts"; ok school
like "$(p user ls)" '^E100	teacher' "user ls lists the accounts with their roles"
is "$(p user ls | wc -l | tr -d ' ')" 5 "all five"
is "$(stat -c %a "$PLSYNC_DIR/users")" 600 "the users file is mode 0600"
is "$(grep -c 'password-E' "$PLSYNC_DIR/users")" 0 "no password is in it"
desc "user ls shows no hash"; ok p user ls
is "$(grep -c argon2 "$T/.out")" 0 "(none)"

desc "an account for a staff id the store does not have is refused"
fails 1 sh -c 'printf "long enough\n" | "$0" user add E999 --role teacher --password-stdin' "$PLSYNC"
like "$(cat "$T/.err")" 'E999 is not a staff record of this store; add it first' "saying what to do"
desc "an unknown role is a usage error"
fails 2 sh -c 'printf "long enough\n" | "$0" user add E400 --role principal --password-stdin' "$PLSYNC"
like "$(cat "$T/.err")" 'the roles are clerk, teacher, approver, coordinator and admin' "naming the roles"
desc "no role is a usage error"; fails 2 p user add E400 --password-stdin
desc "a second account for one id is refused"
fails 1 sh -c 'printf "long enough\n" | "$0" user add E100 --role clerk --password-stdin' "$PLSYNC"
like "$(cat "$T/.err")" 'there is an account for E100 already' "saying so"
desc "a short password is refused"
fails 2 sh -c 'printf "short\n" | "$0" user passwd E100 --password-stdin' "$PLSYNC"
like "$(cat "$T/.err")" 'at least 8 characters' "saying how long"
desc "without --password-stdin and no terminal: a usage error"
fails 2 sh -c '"$0" user passwd E100 </dev/null' "$PLSYNC"
like "$(cat "$T/.err")" 'not a terminal: give the password with --password-stdin' "saying how"
desc "an unknown subcommand is a usage error"; fails 2 p user frobnicate E100

desc "serve"; ok serve_start
desc "passwd"; ok sh -c 'printf "a new password\n" | "$0" user passwd E100 --password-stdin' "$PLSYNC"
is "$(login E100)" 401 "the old password no longer logs in"
is "$(login E100 'a new password')" 303 "the new one does"
like "$(web E100 "$URL")" 'Ann Lee \(teacher\)' "she is a teacher"
is "$(code E100 "${URL}staff")" 403 "a teacher does not see the roster"
desc "roles"; ok p user roles E100 --role teacher,clerk
is "$(login E100 'a new password')" 303 "she logs in again"
like "$(web E100 "$URL")" 'Ann Lee \(clerk,teacher\)' "with the new roles"
is "$(code E100 "${URL}staff")" 200 "and sees the roster as a clerk"
desc "rm"; ok p user rm E101
is "$(login E101)" 401 "a removed account cannot log in"
like "$(p show E101)" 'Bo Chen' "the staff record stays"
desc "rm of a missing account fails"; fails 1 p user rm E101
serve_stop
is "$SERVE_RC" 0 "the server stops"
done_testing
