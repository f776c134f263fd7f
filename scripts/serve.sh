#!/usr/bin/env bash
# `make serve`: the platform as a service on this machine — production settings, migrations, the
# shared cache table and collectstatic first, then WORKERS task workers and gunicorn (WEB_CONCURRENCY
# processes on PORT). SQLite by default (var/kechuang.sqlite3), PostgreSQL with KECHUANG_DB=postgres
# (PGHOST, PGDATABASE, PGUSER, PGPASSWORD). Stops everything it started when it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

missing=()
[ -n "${KECHUANG_SECRET_KEY:-}" ] || missing+=(KECHUANG_SECRET_KEY)
[ -n "${KECHUANG_ALLOWED_HOSTS:-}" ] || missing+=(KECHUANG_ALLOWED_HOSTS)
if [ ${#missing[@]} -gt 0 ]; then
  cat >&2 <<MSG
make serve 拒绝启动：缺少环境变量 ${missing[*]}。
  KECHUANG_SECRET_KEY     随机密钥，至少 50 个字符，例如：python3 -c 'import secrets; print(secrets.token_urlsafe(50))'
  KECHUANG_ALLOWED_HOSTS  本站的主机名，逗号分隔，例如：kechuang.example.gov.cn,10.0.0.5
make serve refuses to start: missing environment variable(s) ${missing[*]} (see docs/deploy.md).
MSG
  exit 2
fi

export DJANGO_SETTINGS_MODULE=config.settings.production KECHUANG_ENV=production
WORKERS=${WORKERS:-1}
mkdir -p "${KECHUANG_VAR_DIR:-var}"
[ -z "${KECHUANG_SQLITE_PATH:-}" ] || mkdir -p "$(dirname "$KECHUANG_SQLITE_PATH")"
"$BIN/python" manage.py check --deploy --fail-level ERROR >/dev/null
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py createcachetable
"$BIN/python" manage.py collectstatic --noinput -v 0

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 143' INT TERM
for i in $(seq 1 "$WORKERS"); do
  "$BIN/python" manage.py db_worker --no-reload --worker-id "$(hostname)-$$-$i" --interval 1 &
  pids+=($!)
done
"$BIN/gunicorn" -c config/gunicorn.conf.py config.wsgi:application &
pids+=($!)
echo "kechuang serving on ${BIND:-127.0.0.1}:${PORT:-8000} (${WEB_CONCURRENCY:-auto} web processes, $WORKERS task workers)" >&2
# any process ending ends the service (systemd or the operator restarts it whole)
wait -n "${pids[@]}"
