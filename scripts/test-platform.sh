#!/usr/bin/env bash
# Starts (idempotently) the services the platform-services tests need — Redis and an SMTP sink —
# and writes their addresses to .test-services/platform.env, which `make test` sources. Stop them
# with `scripts/test-platform.sh stop`.
#
# Redis: the machine's redis-server (installed with apt-get when missing), on 127.0.0.1 only, no
# persistence. SMTP: a small aiosmtpd handler (pip) that stores every message it accepts as one
# JSON file (envelope, headers, decoded text and HTML parts) in a folder the tests read.
#
# Tests that must stop a service mid-test (Redis killed and restarted, SMTP down for a while) start
# their own private instances with PMO_TEST_REDIS_SERVER and PMO_TEST_SMTP_SINK, so the shared
# ones below keep serving the tests running in parallel.
#
# Overrides: TEST_REDIS_PORT (default 56379), TEST_SMTP_PORT (default 52525), PYTHON (python3).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
env_dir="$repo/.test-services"
env_file="$env_dir/platform.env"
state_dir="/tmp/pmo-test-platform-$(printf '%s' "$repo" | md5sum | cut -c1-8)"
redis_port="${TEST_REDIS_PORT:-56379}"
smtp_port="${TEST_SMTP_PORT:-52525}"
python="${PYTHON:-python3}"
sink="$state_dir/smtp_sink.py"
mail_dir="$state_dir/mail"

say() { printf '[test-platform] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 what=$2 i
  for i in $(seq 1 100); do
    port_open "$port" && return 0
    sleep 0.1
  done
  die "$what did not start listening on 127.0.0.1:$port (log in $state_dir)"
}

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 && return
  say "redis-server not found: installing it with apt-get (about 15 s)"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's init script from starting a system-wide Redis on 6379.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; created=1; fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq redis-server >/dev/null || { [ "$created" = 1 ] && rm -f "$policy"; die "apt-get install redis-server failed"; }
  [ "$created" = 1 ] && rm -f "$policy"
  command -v redis-server >/dev/null 2>&1 || die "redis-server still not on PATH after installing it"
}

start_redis() {
  ensure_redis
  if [ "$(redis-cli -p "$redis_port" ping 2>/dev/null || true)" = PONG ]; then
    say "Redis already running on 127.0.0.1:$redis_port"
    return
  fi
  say "starting Redis on 127.0.0.1:$redis_port"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --pidfile "$state_dir/redis.pid" --logfile "$state_dir/redis.log" --dir "$state_dir"
  wait_for_port "$redis_port" Redis
}

ensure_aiosmtpd() {
  "$python" -c 'import aiosmtpd' 2>/dev/null && return
  say "installing aiosmtpd with pip"
  "$python" -m pip install -q --disable-pip-version-check aiosmtpd >&2 || die "pip install aiosmtpd failed"
}

write_sink() {
  cat > "$sink" <<'PY'
"""SMTP sink for the pmo tests: accepts every message and stores it as one JSON file.

usage: smtp_sink.py --port N --dir DIR [--host 127.0.0.1]
Each file holds the envelope (mail_from, rcpt_tos), the headers that matter and the decoded text
and HTML parts. Files appear atomically (written under a temporary name, then renamed).
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import time
import uuid

from aiosmtpd.controller import Controller


class StoreHandler:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        text = html = None
        for part in message.walk():
            if part.is_multipart():
                continue
            kind = part.get_content_type()
            if kind == "text/plain" and text is None:
                text = part.get_content()
            elif kind == "text/html" and html is None:
                html = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "message_id": str(message.get("Message-ID", "")),
            "text": text,
            "html": html,
            "received": time.time(),
        }
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.json"
        temporary = os.path.join(self.directory, "." + name)
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.rename(temporary, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(StoreHandler(args.dir), hostname=args.host, port=args.port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    try:
        loop.run_until_complete(stop)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
PY
}

sink_running() { [ -f "$state_dir/smtp.pid" ] && kill -0 "$(cat "$state_dir/smtp.pid")" 2>/dev/null; }

start_sink() {
  ensure_aiosmtpd
  write_sink
  mkdir -p "$mail_dir"
  if sink_running && port_open "$smtp_port"; then
    say "SMTP sink already running on 127.0.0.1:$smtp_port"
    return
  fi
  say "starting the SMTP sink on 127.0.0.1:$smtp_port (messages in $mail_dir)"
  nohup "$python" "$sink" --port "$smtp_port" --dir "$mail_dir" >"$state_dir/smtp.log" 2>&1 &
  echo $! > "$state_dir/smtp.pid"
  wait_for_port "$smtp_port" "the SMTP sink"
}

stop_all() {
  if [ -f "$state_dir/redis.pid" ] && kill -0 "$(cat "$state_dir/redis.pid")" 2>/dev/null; then
    say "stopping Redis"
    kill "$(cat "$state_dir/redis.pid")" || true
  fi
  if sink_running; then
    say "stopping the SMTP sink"
    kill "$(cat "$state_dir/smtp.pid")" || true
  fi
  rm -f "$state_dir/redis.pid" "$state_dir/smtp.pid"
}

case "${1:-start}" in
  start)
    mkdir -p "$env_dir" "$state_dir"
    chmod 700 "$state_dir"
    start_redis
    start_sink
    python_abs=$(command -v "$python")
    cat > "$env_file" <<EOF
# Written by scripts/test-platform.sh
export PMO_TEST_REDIS_URL='redis://127.0.0.1:$redis_port'
export PMO_TEST_REDIS_SERVER='$(command -v redis-server)'
export PMO_TEST_SMTP_URL='smtp://127.0.0.1:$smtp_port'
export PMO_TEST_SMTP_DIR='$mail_dir'
export PMO_TEST_SMTP_SINK='$python_abs $sink'
EOF
    say "service addresses written to .test-services/platform.env"
    ;;
  stop)
    stop_all
    ;;
  *)
    echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
