# Shell functions shared by .ci/run and bench/run: Debian packages, and PostgreSQL 15 run as an
# unprivileged user in a folder under /tmp on a free loopback port. Source it; needs bash.
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PG_USER=scalepress-ci            # postgres refuses to run as root, so it runs as this account
PG_TMP="" PG_PORT="" PGBIN="" PG_KEEP=""

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'ci: ERROR: %s\n' "$*" >&2; exit 1; }
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# Install Debian packages; refresh the package lists only when the plain install fails.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends "$@" \
    || { as_root apt-get update && as_root apt-get install -y --no-install-recommends "$@"; } \
    || true   # the caller checks the result and fails with a clear message
}

# Browser tests must run against a real Chromium (REQUIRE_BROWSER=1 turns skips into failures).
ensure_chromium() {
  [[ -x $CHROMIUM ]] || { log "Installing chromium"; apt_install chromium; }
  [[ -x $CHROMIUM ]] || die "Chromium is missing at $CHROMIUM and could not be installed"
  "$CHROMIUM" --version 2>/dev/null || die "$CHROMIUM exists but does not run"
}

# axe-core (the accessibility checker the browser tests inject into pages), from npm into
# var/axe; without npm it is left missing and the tests say so (REQUIRE_BROWSER fails them).
AXE_VERSION=4.14.1
AXE_JS=${AXE_JS:-var/axe/node_modules/axe-core/axe.min.js}
ensure_axe() {
  [[ -f $AXE_JS ]] && grep -q "axe v$AXE_VERSION" "$AXE_JS" && return 0
  command -v npm >/dev/null || { command -v apt-get >/dev/null && apt_install npm; }
  command -v npm >/dev/null || { log "npm is missing: axe-core not installed"; return 0; }
  log "Installing axe-core $AXE_VERSION"
  mkdir -p var/axe
  npm install --prefix var/axe --no-audit --no-fund --silent "axe-core@$AXE_VERSION" \
    || log "npm could not install axe-core"
}

# Find initdb/pg_ctl/postgres: Debian's versioned dir first, then PATH, else install them.
find_pgbin() {
  local d on_path
  on_path=$(command -v pg_ctl 2>/dev/null || true)   # may be a symlink (e.g. /usr/local/bin)
  for d in /usr/lib/postgresql/15/bin "$(dirname "$(readlink -f "${on_path:-/nonexistent/x}")")"; do
    if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then PGBIN=$d; return 0; fi
  done
  return 1
}
ensure_postgres() {
  find_pgbin || { log "Installing postgresql-15"; apt_install postgresql-15; }
  find_pgbin || apt_install postgresql
  find_pgbin || die "PostgreSQL 15 server binaries (initdb, pg_ctl, postgres) not found and could not be installed"
  "$PGBIN/postgres" --version
}

# Run a command as the unprivileged database owner, from its own dir so the cwd is readable.
as_pg() {
  (cd "$PG_TMP" || exit
   if [[ $EUID -ne 0 ]]; then exec "$@"
   elif command -v runuser >/dev/null; then exec runuser -u "$PG_USER" -- "$@"
   elif command -v setpriv >/dev/null; then exec setpriv --reuid="$PG_USER" --regid="$PG_USER" --init-groups -- "$@"
   else exec su -s /bin/bash "$PG_USER" -c "$(printf '%q ' "$@")"; fi)
}

# start_postgres [FOLDER]: a throwaway cluster in a new folder under /tmp, or the cluster kept in
# FOLDER (created on first use; the benchmarks keep their 100,000 posts between runs).
start_postgres() {
  [[ $EUID -ne 0 ]] || id "$PG_USER" >/dev/null 2>&1 \
    || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
  # Under /tmp (world-traversable) so the postgres user can reach it whatever $TMPDIR is.
  if [[ -n ${1:-} ]]; then PG_TMP=$1; PG_KEEP=1; mkdir -p "$PG_TMP"; else PG_TMP=$(mktemp -d /tmp/scalepress-pg.XXXXXX); PG_KEEP=""; fi
  if [[ $EUID -eq 0 ]]; then chown "$PG_USER:" "$PG_TMP"; fi
  as_pg test -w "$PG_TMP" || die "$PG_USER cannot write to $PG_TMP"
  PG_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  local locale=C   # no grep -q below: with pipefail, SIGPIPE in `locale` would look like "no match"
  if locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null; then locale=C.UTF-8; fi
  log "Starting PostgreSQL on 127.0.0.1:$PG_PORT (data in $PG_TMP/data, locale $locale)"
  if [[ -f $PG_TMP/data/PG_VERSION ]]; then
    as_pg sed -i -e "s/^port = .*/port = $PG_PORT/" "$PG_TMP/data/postgresql.conf"
    as_pg "$PGBIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 60 start \
      || { cat "$PG_TMP/postgres.log" >&2 || true; die "PostgreSQL failed to start"; }
    return 0
  fi
  as_pg "$PGBIN/initdb" -D "$PG_TMP/data" -A trust -U scalepress --encoding=UTF8 --locale="$locale" >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }
  # Test-only cluster: durability is pointless, speed matters.
  cat >>"$PG_TMP/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  as_pg "$PGBIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 60 start \
    || { cat "$PG_TMP/postgres.log" >&2 || true; die "PostgreSQL failed to start"; }
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U scalepress scalepress
}

stop_postgres() {
  [[ -n $PG_TMP && -d $PG_TMP ]] || return 0
  [[ ! -f $PG_TMP/data/postmaster.pid ]] || as_pg "$PGBIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null || true
  [[ -n ${PG_KEEP:-} ]] || rm -rf "$PG_TMP"   # a kept cluster (start_postgres FOLDER) stays
}


# Redis for the scale-out tests and the benchmarks; they start their own servers with it.
ensure_redis() {
  command -v redis-server >/dev/null || { log "Installing redis-server"; apt_install redis-server; }
  command -v redis-server >/dev/null || die "redis-server is missing and could not be installed"
  redis-server --version
}

# nginx in front of gunicorn (deploy/), with brotli where Debian has the module; the edge tests,
# `make serve` and the benchmarks run it as an ordinary user in a folder of their own.
ensure_nginx() {
  export PATH=$PATH:/usr/sbin
  local installed=""
  command -v nginx >/dev/null || { log "Installing nginx-light"; apt_install nginx-light; installed=1; }
  [[ -f /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so ]] \
    || apt_install libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static
  command -v nginx >/dev/null || die "nginx is missing and could not be installed"
  # Debian starts a system nginx on port 80 when it installs one; ours runs on its own. A
  # system nginx that was there before is left alone.
  if [[ -n $installed ]] && command -v service >/dev/null; then
    as_root service nginx stop >/dev/null 2>&1 || true
  fi
  nginx -v
}
