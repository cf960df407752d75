#!/usr/bin/env bash
# The image's HEALTHCHECK: GET /observe/health/live on the server's port with bash alone (the JRE
# image has no curl); exit 0 when it answers 200.
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}"
printf 'GET /observe/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 5 status <&3
case "$status" in
  "HTTP/1.1 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
