#!/usr/bin/env bash
# Start, stop and report the real services the test suite and the `services` profile use:
# PostgreSQL, Redis, MinIO, Elasticsearch 9 and ClamAV's clamd, each on its own loopback port, with their data
# under one temporary directory so tests never touch a user's data.
#
#   scripts/services.sh up [SERVICE...]    install what is missing (cached), start what is not running, wait until healthy
#   scripts/services.sh stop SERVICE...    stop, keeping the data (a later `up` resumes it; tests use this)
#   scripts/services.sh down [SERVICE...]  stop and delete the temporary data
#   scripts/services.sh status   one line per service; exit 1 if any is down
#   scripts/services.sh env      print the LUUTRU_TEST_* variables the tests read
#
# `up` is idempotent: a second call finds every service healthy and returns in about a second.
set -euo pipefail

BASE=${LUUTRU_SERVICES_DIR:-/tmp/luutru-services}
# The cache must be readable by the service user, so as root it lives under /var/cache, not /root.
if [ "$(id -u)" = 0 ]; then CACHE=${LUUTRU_CACHE_DIR:-/var/cache/luutru}; else CACHE=${LUUTRU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/luutru}; fi
SVC_USER=luutru-svc            # PostgreSQL and Elasticsearch refuse to run as root

PG_PORT=${LUUTRU_PG_PORT:-55432}
REDIS_PORT=${LUUTRU_REDIS_PORT:-56379}
MINIO_PORT=${LUUTRU_MINIO_PORT:-59000}
ES_PORT=${LUUTRU_ES_PORT:-59200}
CLAMD_PORT=${LUUTRU_CLAMD_PORT:-53310}
S3_ACCESS_KEY=${LUUTRU_TEST_S3_ACCESS_KEY:-luutru-test}
S3_SECRET_KEY=${LUUTRU_TEST_S3_SECRET_KEY:-luutru-test-secret}

# Pinned versions. Elasticsearch: the newest 9.x integ-test-zip Maven Central serves here (9.2.9 and
# 9.3.0 are not served). MinIO community edition is source-only; this is its newest module version.
ES_VERSION=9.2.8
MINIO_MODULE=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for NAME SECONDS CHECK...
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    (( SECONDS - start < limit )) || die "$name did not become healthy within ${limit}s; see its log under $BASE/$name/"
    sleep 0.5
  done
  log "$name healthy after $((SECONDS - start))s"
}

apt_ensure() {  # install Debian packages that are missing, and only those
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_user() {
  id -u "$SVC_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$SVC_USER"
}

as_svc() { runuser -u "$SVC_USER" -- "$@"; }

java21_home() {  # Elasticsearch 9 needs Java 21 or newer; the default Java here is 17
  local j
  for j in "${ES_JAVA_HOME:-}" /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/temurin-2[1-4]* /usr/lib/jvm/java-2[1-9]*; do
    [ -n "$j" ] && [ -x "$j/bin/java" ] && { echo "$j"; return 0; }
  done
  return 1
}

# ---------------------------------------------------------------------------- PostgreSQL
pg_healthy() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

pg_up() {
  [ -n "$PG_BIN" ] || { apt_ensure postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); }
  if pg_healthy; then log "postgresql already running on $PG_PORT"; return; fi
  local dir=$BASE/postgresql
  mkdir -p "$dir"; chown "$SVC_USER" "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    as_svc "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || die "initdb failed; see $dir/initdb.log"
  fi
  as_svc "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PG_PORT -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  wait_for postgresql 60 pg_healthy
  as_svc "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc "SELECT 1 FROM pg_roles WHERE rolname='luutru'" | grep -q 1 \
    || as_svc "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE ROLE luutru LOGIN SUPERUSER PASSWORD 'luutru'"
  as_svc "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='luutru'" | grep -q 1 \
    || as_svc "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE luutru OWNER luutru"
}

pg_down() {
  [ -d "$BASE/postgresql/data" ] && as_svc "$PG_BIN/pg_ctl" -D "$BASE/postgresql/data" -m fast -w stop >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------- Redis
redis_healthy() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_up() {
  apt_ensure redis-server
  if redis_healthy; then log "redis already running on $REDIS_PORT"; return; fi
  mkdir -p "$BASE/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$BASE/redis" --save "" --appendonly no \
    --daemonize yes --pidfile "$BASE/redis/redis.pid" --logfile "$BASE/redis/redis.log"
  wait_for redis 30 redis_healthy
}

redis_down() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------------------- MinIO
MINIO_BIN=$CACHE/bin/minio

minio_healthy() { curl -fs "http://127.0.0.1:$MINIO_PORT/minio/health/ready" >/dev/null; }

minio_install() {
  [ -x "$MINIO_BIN" ] && [ -f "$CACHE/bin/minio.version" ] && [ "$(cat "$CACHE/bin/minio.version")" = "$MINIO_MODULE" ] && return
  command -v go >/dev/null || apt_ensure golang-go
  log "building MinIO from source ($MINIO_MODULE); the first build takes a few minutes"
  mkdir -p "$CACHE/bin"
  GOBIN=$CACHE/bin GOFLAGS=-trimpath go install "$MINIO_MODULE"
  echo "$MINIO_MODULE" >"$CACHE/bin/minio.version"
}

minio_up() {
  apt_ensure curl
  if minio_healthy; then log "minio already running on $MINIO_PORT"; return; fi
  minio_install
  mkdir -p "$BASE/minio/data"
  MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3_SECRET_KEY MINIO_BROWSER=off \
    nohup "$MINIO_BIN" server --quiet --address "127.0.0.1:$MINIO_PORT" "$BASE/minio/data" \
    >"$BASE/minio/minio.log" 2>&1 &
  echo $! >"$BASE/minio/minio.pid"
  wait_for minio 60 minio_healthy
}

minio_down() {
  [ -f "$BASE/minio/minio.pid" ] && kill "$(cat "$BASE/minio/minio.pid")" 2>/dev/null || true
  pkill -f "$MINIO_BIN server .*127.0.0.1:$MINIO_PORT" 2>/dev/null || true
}

# ---------------------------------------------------------------------------- Elasticsearch
ES_HOME=$CACHE/elasticsearch-$ES_VERSION

es_healthy() { curl -fs "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" | grep -q '"status":"\(green\|yellow\)"'; }

es_install() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return
  local zip=$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null || apt_ensure maven
    log "fetching Elasticsearch $ES_VERSION from Maven Central (about 100 MB)"
    mvn -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:get \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" -Dtransitive=false
  fi
  apt_ensure unzip
  mkdir -p "$CACHE"
  rm -rf "$ES_HOME.partial"; mkdir -p "$ES_HOME.partial"
  unzip -q "$zip" -d "$ES_HOME.partial"
  mv "$ES_HOME.partial/elasticsearch-$ES_VERSION" "$ES_HOME"; rmdir "$ES_HOME.partial"
}

es_up() {
  apt_ensure curl
  if es_healthy; then log "elasticsearch already running on $ES_PORT"; return; fi
  es_install
  local java; java=$(java21_home) || die "Elasticsearch $ES_VERSION needs Java 21+; install a JDK 21+ (e.g. Temurin) under /usr/lib/jvm"
  local dir=$BASE/elasticsearch
  mkdir -p "$dir/config" "$dir/data" "$dir/logs"
  cp -r "$ES_HOME/config/." "$dir/config/"
  cat >"$dir/config/elasticsearch.yml" <<YML
cluster.name: luutru-test
node.name: luutru-test-1
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $((ES_PORT + 100))
path.data: $dir/data
path.logs: $dir/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YML
  chown -R "$SVC_USER" "$dir"
  chmod -R a+rX "$ES_HOME"; chmod o+x "$BASE"
  as_svc env ES_JAVA_HOME="$java" ES_PATH_CONF="$dir/config" ES_JAVA_OPTS="-Xms1g -Xmx1g" \
    "$ES_HOME/bin/elasticsearch" -d -p "$dir/es.pid" >"$dir/start.log" 2>&1 \
    || die "Elasticsearch failed to start; see $dir/start.log and $dir/logs/"
  wait_for elasticsearch 180 es_healthy
}

es_down() {
  [ -f "$BASE/elasticsearch/es.pid" ] && kill "$(cat "$BASE/elasticsearch/es.pid")" 2>/dev/null || true
  local i; for i in $(seq 1 60); do port_open "$ES_PORT" || break; sleep 0.5; done
}

# ---------------------------------------------------------------------------- ClamAV
# Offline there are no signature updates, so the test daemon loads a local database holding only the
# EICAR test signature (an .ndb body signature, so trailing newlines do not defeat it). Production
# runs freshclam against the official databases instead.
EICAR_HEX=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a

clamd_healthy() { printf 'zPING\0' | timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CLAMD_PORT; cat >&3; head -c 4 <&3" 2>/dev/null | grep -q PONG; }

clamd_up() {
  apt_ensure clamav-daemon
  if clamd_healthy; then log "clamd already running on $CLAMD_PORT"; return; fi
  local dir=$BASE/clamav
  mkdir -p "$dir/db"
  echo "Eicar-Test-Signature:0:*:$EICAR_HEX" >"$dir/db/eicar.ndb"
  cat >"$dir/clamd.conf" <<CONF
TCPSocket $CLAMD_PORT
TCPAddr 127.0.0.1
DatabaseDirectory $dir/db
PidFile $dir/clamd.pid
LogFile $dir/clamd.log
TemporaryDirectory $dir
StreamMaxLength 2000M
MaxFileSize 2000M
MaxScanSize 4000M
Foreground no
CONF
  clamd --config-file="$dir/clamd.conf" >"$dir/start.log" 2>&1 || die "clamd failed to start; see $dir/start.log"
  wait_for clamav 60 clamd_healthy
}

clamd_down() { [ -f "$BASE/clamav/clamd.pid" ] && kill "$(cat "$BASE/clamav/clamd.pid")" 2>/dev/null || true; }

# ---------------------------------------------------------------------------- commands
print_env() {
  cat <<ENV
export LUUTRU_TEST_PG_URL=postgresql+psycopg://luutru:luutru@127.0.0.1:$PG_PORT/luutru
export LUUTRU_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export LUUTRU_TEST_S3_ENDPOINT=127.0.0.1:$MINIO_PORT
export LUUTRU_TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY
export LUUTRU_TEST_S3_SECRET_KEY=$S3_SECRET_KEY
export LUUTRU_TEST_ES_URL=http://127.0.0.1:$ES_PORT
export LUUTRU_TEST_CLAMD=127.0.0.1:$CLAMD_PORT
ENV
}

status() {
  local bad=0 name check
  for name in postgresql redis minio elasticsearch clamav; do
    case $name in
      postgresql) check=pg_healthy ;; redis) check=redis_healthy ;;
      minio) check=minio_healthy ;; elasticsearch) check=es_healthy ;; clamav) check=clamd_healthy ;;
    esac
    if [ "$name" = postgresql ] && [ -z "$PG_BIN" ]; then check=false; fi
    if $check >/dev/null 2>&1; then printf '%-14s up\n' "$name"; else printf '%-14s DOWN\n' "$name"; bad=1; fi
  done
  return $bad
}

SERVICES=(postgresql redis minio elasticsearch clamav)

# Map service names to their functions; with no names, every service.
selected() {
  local name
  (($#)) || set -- "${SERVICES[@]}"
  for name in "$@"; do
    case $name in
      postgresql) echo pg ;; redis) echo redis ;; minio) echo minio ;; elasticsearch) echo es ;; clamav) echo clamd ;;
      *) die "unknown service '$name'; choose from: ${SERVICES[*]}" ;;
    esac
  done
}

command=${1:-}; shift || true
case $command in
  up)
    mkdir -p "$BASE" "$CACHE"
    apt_ensure postgresql redis-server curl unzip clamav-daemon
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    ensure_user
    for fn in $(selected "$@"); do "${fn}_up"; done
    print_env >"$BASE/env"
    log "services up; variables in $BASE/env"
    ;;
  stop)
    for fn in $(selected "$@"); do "${fn}_down"; done
    log "stopped; data kept under $BASE"
    ;;
  down)
    if (($#)); then
      for name in "$@"; do "$(selected "$name")_down"; rm -rf "${BASE:?}/$name"; done
      log "stopped and removed: $*"
    else
      clamd_down; es_down; minio_down; redis_down; pg_down
      rm -rf "$BASE"
      log "all services stopped; $BASE removed"
    fi
    ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 up|stop|down [SERVICE...] | status | env   (services: ${SERVICES[*]})" >&2; exit 2 ;;
esac
