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
# as bin/dialtone: the start-up cache recorded for this jar, JDK and flags (the image's build runs
# `aot-training` once), used when it exists
jar="target/dialtone.jar"
aot_cache() {
  local key
  key="$( { echo "${JAVA_HOME:-}"; cat target/jvm.flags 2>/dev/null; echo "${DIALTONE_JAVA_OPTS:-}"; cksum < "$jar"; } \
          | cksum | cut -d' ' -f1)"
  echo "target/aot/dialtone-$key.aot"
}
aot=()
if [ "$cmd" = "aot-training" ]; then
  mkdir -p target/aot
  aot=("-XX:AOTCacheOutput=$(aot_cache)")
elif [ -f "$(aot_cache)" ]; then
  aot=("-XX:AOTCache=$(aot_cache)")
fi
# shellcheck disable=SC2206
main_cmd=("$java" $flags $scheduler ${aot[@]+"${aot[@]}"} ${DIALTONE_JAVA_OPTS:-} -jar "$jar" "$cmd" "$@")

if [ -n "${DIALTONE_PRINT_COMMAND:-}" ]; then
  printf '%s\n' "${main_cmd[@]}"
  exit 0
fi
exec "${main_cmd[@]}"   # java as PID 1: it gets SIGTERM itself and drains
