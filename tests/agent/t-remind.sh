#!/bin/sh
# plsync remind: per person, licenses expiring, approvals waiting on them,
# evaluations due and trainings due; --format eml writes one RFC 5322
# message each, parsed back with python3's email module (headers, To, the
# charset, RFC 2047 names, a name with CR LF that cannot add a header);
# remind.sendmail hands the messages to a sendmail -t -i.
. "$(dirname "$0")/../lib.sh"
export PLSYNC_DIR="$T/district" PLSYNC_TODAY=2026-11-20
p() { "$PLSYNC" "$@"; }

p init --node DISTRICT --name "District office" --user "PD Office <pd@district.example>" >/dev/null
p add staff --id E200 name="Pat Rivera" email=pat@district.example category=noninstructional >/dev/null
crlf=$(printf 'Sam Ortiz\r\nBcc: evil@attacker.example')
if p add staff --id E300 name="$crlf" email=sam@district.example category=noninstructional >/dev/null 2>&1; then
	evil=stored
else   # the store refuses the name: give the header a name with a control character it takes
	evil=refused
	p add staff --id E300 name="Sam Ortiz" email=sam@district.example category=noninstructional >/dev/null
fi
p add staff --id E100 name="Zoë Brontë" email=zoe@district.example category=certified supervisor=E200 \
	budget_manager=E300 license_number=CT-1 license_expires=2027-01-15 >/dev/null
p add staff --id E400 name="No Mail" category=certified >/dev/null
p add requirement title="Mandated reporter training" frequency=yearly due=12-15 category=certified >/dev/null
a=$(p request --today 2026-10-01 staff=E100 title="NCTM annual" type=conference start=2026-12-06)
b=$(p request --today 2026-11-18 staff=E100 title="Fresh request" type=workshop start=2026-12-10)
c=$(p request --today 2026-09-01 staff=E100 title="Budget wait" type=workshop start=2026-12-11)
p approve "$c" --as supervisor --by E200 --today 2026-09-02 >/dev/null
done_id=$(p add pd_entry staff=E100 title="Fractions" type=workshop end=2026-10-10 hours=6 status=completed)

out=$(p remind)
like "$out" '^Zoë Brontë \(E100, zoe@district.example\):$' "Zoë is reminded"
like "$out" 'license +Your license CT-1 expires on 2027-01-15 \(in 56 days\)' "of her license"
like "$out" "evaluation +Please evaluate \"Fractions\", ended 2026-10-10. \[$done_id\]" "of the evaluation due"
like "$out" 'training +Required training "Mandated reporter training" is overdue since 2025-12-15' "of the training"
like "$out" "approval +Waiting for your approval as supervisor since 2026-10-01 \(50 days\): \"NCTM annual\" for Zoë Brontë. \[$a\]" \
	"Pat is reminded of the approval waiting 50 days"
is "$(printf '%s\n' "$out" | grep -c "Fresh request")" "0" "not of a request 2 days old (--days 7)"
like "$out" "approval +Waiting for your approval as budget manager since 2026-09-01 \(80 days\): \"Budget wait\"" \
	"the budget manager is reminded of the step waiting on them"
like "$out" '^4 people to remind as of 2026-11-20$' "four people (No Mail has a training due)"
like "$(p remind --days 0)" "Fresh request" "--days 0: any waiting approval"
like "$(p remind --days 60)" '^3 people' "--days 60: Pat's 50-day wait is left out"

desc "eml without --out or sendmail is a usage error"; fails 2 p remind --format eml
desc "--format eml --out: No Mail has no email, so the exit status is 1"; fails 1 p remind --format eml --out "$T/mail"
like "$(cat "$T/.err")" 'staff E400: no email recorded; skipped' "and she is named"
is "$(ls "$T/mail" | tr '\n' ' ')" "E100.eml E200.eml E300.eml " "one message per person with an email"

python3 - "$T/mail" "$evil" <<'PY' >"$T/py.out" 2>&1
import email, email.policy, sys, os
d, evil = sys.argv[1], sys.argv[2]
def load(n):
    with open(os.path.join(d, n), "rb") as f:
        raw = f.read()
    return raw, email.message_from_bytes(raw, policy=email.policy.default)
raw, m = load("E100.eml")
print("crlf", all(l.endswith(b"\r") for l in raw.split(b"\n")[:-1]))
print("to", m["To"].addresses[0].display_name, m["To"].addresses[0].addr_spec)
print("from", m["From"].addresses[0].display_name, m["From"].addresses[0].addr_spec)
print("subject", m["Subject"])
print("date", m["Date"])
print("mime", m["MIME-Version"], m.get_content_type(), m.get_content_charset(), m["Content-Transfer-Encoding"])
print("ascii", all(b < 128 for b in raw))
body = m.get_content()
print("body", "Your license CT-1 expires on 2027-01-15" in body and "Hello Zoë Brontë," in body)
raw, m = load("E300.eml")
print("keys", sorted(set(k.lower() for k in m.keys())))
print("to300", m["To"].addresses[0].addr_spec, repr(m["To"].addresses[0].display_name))
print("defects", len(m.defects))
PY
py=$(cat "$T/py.out")
like "$py" '^crlf True$' "every line ends in CRLF"
like "$py" '^to Zoë Brontë zoe@district.example$' "To: her RFC 2047 name and her address"
like "$py" '^from PD Office pd@district.example$' "From: the configured user"
like "$py" '^subject Professional learning: 3 reminders for Zoë Brontë$' "the Subject, RFC 2047-encoded, decodes"
like "$py" '^date Fri, 20 Nov 2026 00:00:00 \+0000$' "Date: today"
like "$py" '^mime 1.0 text/plain utf-8 quoted-printable$' "MIME-Version, text/plain, UTF-8, quoted-printable"
like "$py" '^ascii True$' "the message is 7-bit"
like "$py" '^body True$' "the body decodes to the reminders"
like "$py" "^keys \['content-transfer-encoding', 'content-type', 'date', 'from', 'mime-version', 'subject', 'to'\]$" \
	"the CR LF name ($evil by the store) adds no header: no Bcc"
like "$py" '^to300 sam@district.example ' "the message still goes to Sam only"
like "$py" '^defects 0$' "and parses without defects"

# ---- sendmail ----
cat >"$T/sendmail" <<SH
#!/bin/sh
n=\$(ls "$T/sent" 2>/dev/null | wc -l)
echo "\$*" >"$T/sent.args"
cat >"$T/sent/\$n.eml"
SH
chmod +x "$T/sendmail"
mkdir "$T/sent"
git config -f "$PLSYNC_DIR/config" remind.sendmail "$T/sendmail"
git config -f "$PLSYNC_DIR/config" remind.from "Office <office@district.example>"
desc "remind.sendmail: handed to sendmail (No Mail skipped)"; fails 1 p remind --format eml
is "$(ls "$T/sent" | wc -l | tr -d ' ')" "3" "three messages handed over"
is "$(cat "$T/sent.args")" "-t -i" "as sendmail -t -i"
like "$(cat "$T/sent/0.eml")" '^From: "Office" <office@district.example>' "From: remind.from"
done_testing
