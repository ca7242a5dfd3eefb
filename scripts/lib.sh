# Shared set-up for scripts/up and scripts/test: install what is missing, start what is stopped.
# Sourced, not executed. Idempotent: on a machine that has everything it only checks.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.9"
export UV_PYTHON_DOWNLOADS=never
export UV_PROJECT_ENVIRONMENT="${UV_PROJECT_ENVIRONMENT:-$ROOT/.venv}"
PG_HOST=127.0.0.1
PG_PORT=5432
AMQP_PORT=5672
KUBERNETES_VERSION=1.37.0

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "installing $* from the distribution's packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && exec 3>&- 3<&-
}

ensure_python() {
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; return; fi
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    PYTHON=python3; return
  fi
  apt_install python3.11 python3.11-venv
  PYTHON=python3.11
}

ensure_uv() {
  if command -v uv >/dev/null 2>&1 && [ "$(uv --version | awk '{print $2}')" = "$UV_VERSION" ]; then
    UV=uv; return
  fi
  if [ ! -x "$ROOT/.tools/bin/uv" ]; then
    say "installing uv $UV_VERSION into .tools/"
    "$PYTHON" -m venv "$ROOT/.tools" >/dev/null 2>&1 || { apt_install python3-venv; "$PYTHON" -m venv "$ROOT/.tools"; }
    "$ROOT/.tools/bin/pip" install -q "uv==$UV_VERSION"
  fi
  UV="$ROOT/.tools/bin/uv"
}

ensure_postgres() {
  if port_open "$PG_HOST" "$PG_PORT"; then return; fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql
    # Local development and CI use trust auth on loopback, as the machines are set up.
    local hba
    hba="$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)"
    as_root sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$hba"
  fi
  say "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 60); do port_open "$PG_HOST" "$PG_PORT" && return; sleep 1; done
  echo "PostgreSQL did not come up on $PG_HOST:$PG_PORT" >&2; exit 1
}

ensure_rabbitmq() {
  if port_open 127.0.0.1 "$AMQP_PORT"; then return; fi
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  say "starting RabbitMQ"
  # Every quorum queue holds file handles; with the distribution's default of 1024 the
  # broker stops accepting connections once a few hundred queues exist.
  as_root bash -c 'ulimit -n 65536 2>/dev/null || true; rabbitmq-server -detached' || true
  as_root rabbitmqctl await_startup --timeout 120 >/dev/null 2>&1 || true
  for _ in $(seq 1 120); do port_open 127.0.0.1 "$AMQP_PORT" && return; sleep 1; done
  echo "RabbitMQ did not come up on port $AMQP_PORT" >&2; exit 1
}

# promtool validates the Prometheus files. Debian's `prometheus` package has it; the binary
# is extracted into .tools/ rather than the package installed, which would start a server.
ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then PROMTOOL=promtool; return; fi
  PROMTOOL="$ROOT/.tools/bin/promtool"
  if [ -x "$PROMTOOL" ]; then return; fi
  say "extracting promtool from the distribution's prometheus package into .tools/"
  command -v dpkg-deb >/dev/null 2>&1 || { echo "promtool is missing: install Prometheus's promtool" >&2; exit 1; }
  local tmp
  tmp="$(mktemp -d)"
  chmod a+rwx "$tmp"  # apt fetches as its own unprivileged user
  as_root apt-get update -qq
  (cd "$tmp" && apt-get download -qq prometheus)
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
  mkdir -p "$ROOT/.tools/bin"
  install -m 755 "$tmp/root/usr/bin/promtool" "$PROMTOOL"
  rm -rf "$tmp"
}

ensure_environment() {
  ensure_python
  ensure_uv
  ensure_postgres
  ensure_rabbitmq
  say "syncing the workspace (locked versions)"
  (cd "$ROOT" && "$UV" sync --frozen --all-packages -p "$PYTHON" -q)
}
