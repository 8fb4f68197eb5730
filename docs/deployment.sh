#!/usr/bin/env bash
# The deployment guide (docs/deployment.md), done for real on a throwaway setup, so that every
# command in it is known to work: roles and a database, keys and a certificate, migrations as the
# owner, `homeward doctor`, `homeward serve` as the runtime role in production, /readyz and
# /metrics, a case with a document, `homeward upkeep`, a backup restored into a second database
# (the restore drill) and the audit trail verified against the checkpoint. Everything it makes,
# it removes on exit. Usage:
#   DRILL_SERVER_URL=postgresql://postgres@127.0.0.1:5432/postgres bash docs/deployment.sh
# DRILL_SERVER_URL names a PostgreSQL server (user@host:port) whose role may create roles and
# databases; the script creates hw_drill_* ones and drops them. Without it, the steps that need
# no database roles run on SQLite files. Needs `homeward` on PATH, python3, openssl, curl, jq,
# and psql for PostgreSQL. It talks to loopback only.
set -euo pipefail
command -v homeward >/dev/null || { echo "error: homeward is not on PATH" >&2; exit 2; }

SAMPLES="$(cd "$(dirname "$0")" && pwd)/samples"
WORK="$(mktemp -d)"
chmod 700 "$WORK"
cd "$WORK"  # the certificate request is written here, as in the guide
DRILL="hw_drill_$(openssl rand -hex 4)"
OWNER_ROLE="${DRILL}_owner" APP_ROLE="${DRILL}_app" DATABASE="$DRILL" RESTORED="${DRILL}_restored"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
export PGCONNECT_TIMEOUT=10

say() { printf '== %s\n' "$*"; }
curl() { command curl --silent --show-error --max-time 30 "$@"; }

admin_sql() {  # admin_sql DATABASE SQL: run SQL as the server's administrator
  psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 "postgresql://$SERVER/$1" -c "$2" >/dev/null
}

stop_server() {  # SIGTERM, as systemd stops it; wait at most 45 s for requests under way
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 45); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID"; fi
  local status=0
  wait "$SERVER_PID" || status=$?
  SERVER_PID=""
  return "$status"
}

clean_up() {
  stop_server || true
  if [ -n "${SERVER:-}" ]; then
    admin_sql postgres "DROP DATABASE IF EXISTS $RESTORED WITH (FORCE)" || true
    admin_sql postgres "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" || true
    admin_sql postgres "DROP ROLE IF EXISTS $APP_ROLE" || true
    admin_sql postgres "DROP ROLE IF EXISTS $OWNER_ROLE" || true
  fi
  rm -rf "$WORK"
}
trap clean_up EXIT

# --- 1. PostgreSQL: an owner role that migrates, a runtime role that serves ----------------------
OWNER_PASSWORD=$(openssl rand -hex 24)
APP_PASSWORD=$(openssl rand -hex 24)
if [ -n "${DRILL_SERVER_URL:-}" ]; then
  SERVER="${DRILL_SERVER_URL#*://}" SERVER="${SERVER%%/*}"  # user@host:port
  HOST="${SERVER#*@}"
  say "PostgreSQL roles $OWNER_ROLE and $APP_ROLE, database $DATABASE"
  admin_sql postgres "CREATE ROLE $OWNER_ROLE LOGIN PASSWORD '$OWNER_PASSWORD'"
  admin_sql postgres "CREATE ROLE $APP_ROLE LOGIN PASSWORD '$APP_PASSWORD'"
  admin_sql postgres "CREATE DATABASE $DATABASE OWNER $OWNER_ROLE ENCODING 'UTF8'"
  admin_sql postgres "REVOKE ALL ON DATABASE $DATABASE FROM PUBLIC"
  admin_sql postgres "GRANT CONNECT, TEMPORARY ON DATABASE $DATABASE TO $APP_ROLE"
  admin_sql "$DATABASE" "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
  admin_sql "$DATABASE" "ALTER SCHEMA public OWNER TO $OWNER_ROLE"
  # The guide adds ?sslmode=verify-full&sslrootcert=…: this server is on loopback, without TLS.
  OWNER_DATABASE_URL="postgresql+psycopg://$OWNER_ROLE:$OWNER_PASSWORD@$HOST/$DATABASE"
  RUNTIME_DATABASE_URL="postgresql+psycopg://$APP_ROLE:$APP_PASSWORD@$HOST/$DATABASE"
  RESTORED_DATABASE_URL="postgresql+psycopg://$OWNER_ROLE:$OWNER_PASSWORD@$HOST/$RESTORED"
else
  say "no DRILL_SERVER_URL: SQLite files, no roles"
  OWNER_DATABASE_URL="sqlite:///$WORK/homeward.sqlite3"
  RUNTIME_DATABASE_URL="$OWNER_DATABASE_URL"
  RESTORED_DATABASE_URL="sqlite:///$WORK/restored.sqlite3"
fi

# --- 2. The settings, in one file as systemd's EnvironmentFile reads it ---------------------------
ETC="$WORK/etc" BACKUPS="$WORK/backups" CHECKPOINTS="$WORK/checkpoints"
mkdir -p "$ETC" "$BACKUPS" "$CHECKPOINTS" "$WORK/var"
cat >"$ETC/homeward.env" <<ENV
HOMEWARD_ENV=production
HOMEWARD_DATABASE_URL='$RUNTIME_DATABASE_URL'
HOMEWARD_PUBLIC_URL=https://homeward.example.org
HOMEWARD_WEB_SECRET_KEY=$(openssl rand -hex 32)
HOMEWARD_INSTANCE_PATH=$WORK/var
HOMEWARD_KEYS_DIR=$ETC/keys
HOMEWARD_DATA_KEYS_DIR=$ETC/data-keys
HOMEWARD_AUDIT_KEY_FILE=$ETC/audit/checkpoint-key.pem
HOMEWARD_BACKUP_KEY_FILE=$ETC/backup.key
HOMEWARD_FORM_SIGNING_KEY_FILE=$ETC/forms/signing-key.pem
HOMEWARD_FORM_SIGNING_CERT_FILE=$ETC/forms/signing-cert.pem
HOMEWARD_DOCUMENT_STORE=$WORK/var/documents
HOMEWARD_TRUSTED_PROXY_HOPS=1
HOMEWARD_MAX_DOCUMENT_BYTES=20971520
HOMEWARD_LOG_FORMAT=json
HOMEWARD_WORKERS=2
ENV
chmod 600 "$ETC/homeward.env"
set -a
# shellcheck disable=SC1091
. "$ETC/homeward.env"
set +a
homeward config check

# --- 3. Keys, made once and shared by every instance -----------------------------------------------
say "keys"
homeward keys rotate
homeward keys rotate-data
homeward audit keygen
(umask 077 && openssl rand -base64 32 > "$HOMEWARD_BACKUP_KEY_FILE")

# The form-signing certificate: a key and a request made here, the certificate issued by the PKI
# (played by a throwaway authority made on the spot).
mkdir -p -m 700 "$(dirname "$HOMEWARD_FORM_SIGNING_KEY_FILE")"
(umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$HOMEWARD_FORM_SIGNING_KEY_FILE")
openssl req -new -key "$HOMEWARD_FORM_SIGNING_KEY_FILE" -subj "/C=KZ/O=Ministry of Justice/CN=Homeward form signing" -out homeward-forms.csr
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Drill PKI" \
  -keyout pki.key -out pki.pem 2>/dev/null
openssl x509 -req -in homeward-forms.csr -CA pki.pem -CAkey pki.key -CAcreateserial -days 2 \
  -out "$HOMEWARD_FORM_SIGNING_CERT_FILE" 2>/dev/null

# --- 4. The schema, migrated by the owner; the runtime role given its rights -----------------------
say "migrations, as the owner"
HOMEWARD_DATABASE_URL=$OWNER_DATABASE_URL homeward db upgrade
if [ -n "${SERVER:-}" ]; then
  HOMEWARD_DATABASE_URL=$OWNER_DATABASE_URL homeward db grant "$APP_ROLE"
  # Served by the owner, the trail's triggers could be dropped: doctor says so.
  if HOMEWARD_DATABASE_URL=$OWNER_DATABASE_URL homeward doctor >"$WORK/doctor-owner.txt"; then
    echo "error: doctor passed the owner role" >&2; exit 1
  fi
  grep -q '^problem  database role: ' "$WORK/doctor-owner.txt"
fi

say "doctor, as the runtime role"
homeward doctor

# --- 5. The first accounts -------------------------------------------------------------------------
say "accounts"
homeward agencies create "Ministry of Justice" --kind operator
homeward agencies create "Legal Aid Almaty" --kind ngo
ADMIN_PASSWORD="drill $(openssl rand -hex 12)"
LAWYER_PASSWORD="drill $(openssl rand -hex 12)"
HOMEWARD_NEW_PASSWORD=$ADMIN_PASSWORD homeward users create a.karimova --role admin --agency "Ministry of Justice"
HOMEWARD_NEW_PASSWORD=$LAWYER_PASSWORD homeward users create lawyer.drill --role lawyer --agency "Legal Aid Almaty"

# --- 6. Serving, as the runtime role, in production ------------------------------------------------
say "serving on $BASE"
homeward serve --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
ready=""
for _ in $(seq 60); do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  if curl --fail --max-time 5 "$BASE/readyz" -o "$WORK/readyz.json" 2>/dev/null; then ready=1; break; fi
  sleep 1
done
[ -n "$ready" ] || { echo "error: /readyz did not answer 200 within 60 s" >&2; cat "$WORK/serve.log" >&2; exit 1; }
jq -c . "$WORK/readyz.json"

# A case with a document, so that the backup has something to carry.
TOKEN=$(curl --fail "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg p "$LAWYER_PASSWORD" '{username: "lawyer.drill", password: $p}')" | jq -r .access_token)
CASE=$(curl --fail "$BASE/api/v1/cases" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"child": {"names": [{"script": "Latn", "given": "Aliya", "family": "Drill"}], "sex": "female"}, "people": []}' \
  | jq -r .id)
curl --fail "$BASE/api/v1/cases/$CASE/documents" -H "Authorization: Bearer $TOKEN" \
  -F kind=consent -F "file=@$SAMPLES/consent-letter.pdf" | jq -c '{document: .kind}'

# Monitoring: /metrics answers loopback, and no one a proxy forwards for.
metrics=$(curl --fail "$BASE/metrics")  # read whole: grep -q would close the pipe on curl
grep -q '^homeward_http_requests_total{' <<<"$metrics"
forwarded=$(curl -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 203.0.113.7' "$BASE/metrics")
[ "$forwarded" = 404 ] || { echo "error: /metrics answered $forwarded through a proxy" >&2; exit 1; }
grep -q '"message": *"Homeward is serving on' "$WORK/serve.log"
grep -q '"route": *"/api/v1/cases/<case_id>/documents"' "$WORK/serve.log"
echo "metrics: loopback 200, forwarded 404; logs are JSON lines"

# --- 7. Upkeep, as the timer runs it -----------------------------------------------------------------
say "upkeep"
homeward upkeep --checkpoint-out "$CHECKPOINTS/$(date -u +%Y%m%dT%H%M%SZ).json"

# --- 8. A backup, and the restore drill into a second database ---------------------------------------
say "backup"
homeward backup --out "$BACKUPS/homeward-$(date -u +%Y%m%dT%H%M%SZ).backup"
homeward audit verify --checkpoint "$(ls -t "$CHECKPOINTS"/*.json | head -n 1)"
stop_server
echo "server stopped, exit 0"

say "restore drill"
if [ -n "${SERVER:-}" ]; then
  admin_sql postgres "CREATE DATABASE $RESTORED OWNER $OWNER_ROLE ENCODING 'UTF8'"
fi
(
  export HOMEWARD_DATABASE_URL=$RESTORED_DATABASE_URL HOMEWARD_DOCUMENT_STORE=$WORK/restored-documents
  ARCHIVE=$(ls -t "$BACKUPS"/homeward-*.backup | head -n 1)
  CHECKPOINT=$(ls -t "$CHECKPOINTS"/*.json | head -n 1)
  homeward db upgrade
  homeward restore "$ARCHIVE"
  homeward audit verify --every-column --checkpoint "$CHECKPOINT"
  [ "$(find "$HOMEWARD_DOCUMENT_STORE" -type f | wc -l)" -ge 1 ]
)
echo "drill passed"
