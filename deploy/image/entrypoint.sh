#!/usr/bin/env bash
# The container image's entrypoint: the command `bin/dialtone <subcommand>` runs (default serve), from
# the working directory (/app in the image) that holds target/dialtone.jar, target/libs and
# target/jvm.flags. No build and no JDK here: the image has the jar and a JRE. ImageIT compares
# what this prints with DIALTONE_PRINT_COMMAND=1 to what bin/dialtone prints.
set -euo pipefail

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
flags="$(cat target/jvm.flags)"
# as bin/dialtone: four carrier threads per core unless DIALTONE_JAVA_OPTS sets the number
scheduler=""
case "${DIALTONE_JAVA_OPTS:-}" in
  *virtualThreadScheduler.parallelism*) ;;
  *) scheduler="-Djdk.virtualThreadScheduler.parallelism=$(( $(nproc 2>/dev/null || echo 2) * 4 ))" ;;
esac

cmd="${1:-serve}"
[ $# -gt 0 ] && shift
# shellcheck disable=SC2206
main_cmd=("$java" $flags $scheduler ${DIALTONE_JAVA_OPTS:-} -jar target/dialtone.jar "$cmd" "$@")

if [ -n "${DIALTONE_PRINT_COMMAND:-}" ]; then
  printf '%s\n' "${main_cmd[@]}"
  exit 0
fi
exec "${main_cmd[@]}"   # java as PID 1: it gets SIGTERM itself and drains
