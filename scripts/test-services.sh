#!/usr/bin/env bash
# Install (Debian packages) and check the servers the test suite needs.
# PostgreSQL and Redis are expected on 127.0.0.1; start them when they are installed but stopped.
set -euo pipefail

need_pkgs=()
command -v pg_ctlcluster >/dev/null || need_pkgs+=(postgresql)
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
[ -x /usr/sbin/snmpd ] || need_pkgs+=(snmpd)
command -v snmpbulkwalk >/dev/null || need_pkgs+=(snmp)
command -v fping >/dev/null || need_pkgs+=(fping)
command -v ip >/dev/null || need_pkgs+=(iproute2)
[ -x /usr/bin/victoria-metrics ] || need_pkgs+=(victoria-metrics)
# The Zabbix bridge tests run a real Zabbix 6.0 (server, PostgreSQL schema, PHP API frontend);
# naming php8.2-cgi keeps apt from pulling Apache.
[ -x /usr/sbin/zabbix_server ] && [ -d /usr/share/zabbix-server-pgsql ] || need_pkgs+=(zabbix-server-pgsql)
[ -f /usr/share/zabbix/api_jsonrpc.php ] || need_pkgs+=(zabbix-frontend-php)
command -v php >/dev/null || need_pkgs+=(php-cli)
command -v php-cgi >/dev/null || need_pkgs+=(php-cgi php8.2-cgi)
php -m 2>/dev/null | grep -qx pgsql || need_pkgs+=(php-pgsql)
# tests/wardflux/test_deploy_files.py: `compose config` (Debian bookworm ships docker-compose 1.29).
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || need_pkgs+=(docker-compose)
# The console's browser tests drive Debian's chromium through Playwright (no downloaded browser).
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-services: need Debian packages ${need_pkgs[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "test-services: installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Debian's snmpd package starts a system agent on :161; the tests run their own.
if pgrep -x snmpd >/dev/null && [ -f /run/snmpd.pid ]; then
  kill "$(cat /run/snmpd.pid)" 2>/dev/null || true
fi

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "test-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 || { echo "test-services: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "test-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "test-services: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
echo "test-services: ready"
