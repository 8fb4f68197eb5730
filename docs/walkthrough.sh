#!/usr/bin/env bash
# Drive one child's case from opening to complete through the HTTP API, as the demo users.
# Needs a running Homeward (`make run`), curl and jq. Usage:
#   HOMEWARD_DEMO_PASSWORD=<the printed password> bash docs/walkthrough.sh
set -euo pipefail
BASE="${HOMEWARD_URL:-http://127.0.0.1:5000}"
PASS="${HOMEWARD_DEMO_PASSWORD:?set HOMEWARD_DEMO_PASSWORD to the password make run printed}"

token() {  # token USERNAME: sign in, print the access token
  curl -sf "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "$(jq -n --arg u "$1" --arg p "$PASS" '{username: $u, password: $p}')" | jq -r .access_token
}

SAMPLES="$(dirname "$0")/samples"

step() {  # step USERNAME TRACK ACTION DATA [EVIDENCE_IDS]: take one step at the version seen now
  local auth="Authorization: Bearer $(token "$1")"
  local version
  version=$(curl -sf "$BASE/api/v1/cases/$CASE" -H "$auth" | jq -r .version)
  curl -s "$BASE/api/v1/cases/$CASE/transitions" -H "$auth" -H "If-Match: \"$version\"" \
    -H 'Content-Type: application/json' \
    -d "$(jq -n --arg t "$2" --arg a "$3" --argjson d "$4" --argjson e "${5:-[]}" \
          '{track: $t, action: $a, data: $d, evidence_ids: $e}')" \
    | jq -c --arg t "$2" '{status, ($t): .tracks[$t].state?, error: .error?}'
}

attach() {  # attach USERNAME KIND FILE: upload a document to the case, print its id
  curl -sf "$BASE/api/v1/cases/$CASE/documents" -H "Authorization: Bearer $(token "$1")" \
    -F "kind=$2" -F "file=@$3" | jq -r .id
}

# 1. The lawyer opens a case: the child in Kazakh Cyrillic and Arabic, the mother detained abroad.
CASE_JSON=$(curl -sf "$BASE/api/v1/cases" -H "Authorization: Bearer $(token lawyer)" \
  -H 'Content-Type: application/json' -d @- <<'JSON'
{"child": {"names": [{"script": "Cyrl", "given": "Әлия", "family": "Нұрғалиева"},
                     {"script": "Arab", "given": "عالية", "family": "نورغالييفا"}],
           "sex": "female", "birth_date": {"value": "2016-01-01", "precision": "year"},
           "birth_place": {"country": "SY", "locality": "Raqqa"}},
 "people": [{"relation": "mother", "names": [{"script": "Cyrl", "given": "Гүлнар"}],
             "alive": true, "whereabouts": "detained_abroad", "citizenship": "KZ"},
            {"relation": "grandmother", "names": [{"script": "Cyrl", "given": "Сәуле"}],
             "alive": true, "whereabouts": "in_country", "citizenship": "KZ"}]}
JSON
)
CASE=$(jq -r .id <<<"$CASE_JSON")
MOTHER=$(jq -r '.people[] | select(.relation == "mother") | .id' <<<"$CASE_JSON")
GRANNY=$(jq -r '.people[] | select(.relation == "grandmother") | .id' <<<"$CASE_JSON")
echo "opened $(jq -r .reference <<<"$CASE_JSON")"

# 2. DNA kinship: the lawyer attaches the mother's signed consent and records it, then requests;
#    the court authorizes, the lab collects samples and confirms with its report attached.
CONSENT=$(attach lawyer consent "$SAMPLES/consent-letter.pdf")
curl -sf "$BASE/api/v1/cases/$CASE/consents" -H "Authorization: Bearer $(token lawyer)" \
  -H 'Content-Type: application/json' \
  -d "$(jq -n --arg p "$MOTHER" --arg d "$CONSENT" \
        '{person_id: $p, purpose: "dna_testing", given_on: "2026-08-20", document_id: $d}')" \
  | jq -c '{consent: .purpose, in_force, error: .error?}'
step lawyer dna request "{\"reference_person\": \"$MOTHER\", \"relationship_tested\": \"maternity\"}" "[\"$CONSENT\"]"
step judge dna authorize '{"ruling_number": "2-1187/2026"}'
step lab dna collect_samples '{"sample_ids": ["S-0412", "S-0413"], "collected_on": "2026-09-02"}'
step lab dna confirm '{"report_number": "FL-2026-0932", "probability": 0.9999}' \
  "[\"$(attach lab lab_report "$SAMPLES/lab-report.pdf")\"]"

# 3. Birth registration at the civil registry.
step lawyer birth_registration file '{}'
step registrar birth_registration take_review '{}'
step registrar birth_registration register '{"certificate_number": "I-АЛ 0048213", "registered_on": "2026-10-01"}'

# 4. Guardianship, because the mother is detained abroad.
step lawyer guardianship file_petition "{\"proposed_guardian\": \"$GRANNY\", \"relationship\": \"maternal grandmother\"}" "[\"$CONSENT\"]"
step guardianship guardianship assess_suitable '{"report_reference": "GA-2026-311"}'
step judge guardianship schedule_hearing '{"hearing_date": "2026-12-10"}'
step judge guardianship grant "{\"order_number\": \"2-3021/2026\", \"order_type\": \"permanent\", \"guardian\": \"$GRANNY\"}" \
  "[\"$(attach judge court_order "$SAMPLES/court-order.pdf")\"]"

# 5. Citizenship and the identity document.
step lawyer citizenship file '{}'
step citizenship citizenship take_review '{}'
step citizenship citizenship grant '{"identifier_kind": "personal_identification_number", "identifier": "160304650123"}'
step lawyer identity_document apply '{}'
step citizenship identity_document issue '{"document_number": "N12345678", "expires_on": "2036-10-01"}'

# 6. The lawyer generates the citizenship application as a signed PDF. A clerk holding only the
#    printout types its verification code (or scans its QR code); one holding the file sends it.
FORM="$(mktemp)"
trap 'rm -f "$FORM"' EXIT
CODE=$(curl -sf -X POST "$BASE/api/v1/cases/$CASE/forms/citizenship-application" \
  -H "Authorization: Bearer $(token lawyer)" -o "$FORM" -D - \
  | tr -d '\r' | awk -F': ' 'tolower($1) == "x-verification-code" {print $2}')
curl -sf "$BASE/verify/$CODE" -H 'Accept: application/json' \
  | jq -c '{checked: "code", genuine, kind, error: .error?}'
curl -sf "$BASE/verify" -F "file=@$FORM;type=application/pdf" \
  | jq -c '{checked: "file", genuine, kind, error: .error?}'
