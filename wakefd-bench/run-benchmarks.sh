#!/usr/bin/env bash
# Runs wakefd's comparison suite and writes docs/benchmarks.md and docs/benchmarks.svg.
#   wakefd-bench/run-benchmarks.sh           full run (about 15 minutes on 2 cores)
#   wakefd-bench/run-benchmarks.sh --quick   under a minute, wide error bars (says so in the report)
# Needs: Maven, a JDK >= 22 (found as the build finds it), gcc, python3; taskset for the one-CPU runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/find-jdk.sh
wakefd_find_jdk
quick=0
[ "${1:-}" = "--quick" ] && quick=1

out=wakefd-bench/target/bench
mkdir -p "$out"
echo "building the benchmarks..." >&2
mvn -B -q -pl wakefd-bench -am package -DskipTests >&2
gcc -O2 -pthread -o "$out/cfloor" wakefd-bench/src/main/c/cfloor.c -lm

pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }
if [ $quick = 1 ]; then
  jmh=(-f 1 -wi 1 -w 200ms -i 2 -r 200ms)
  cmode=quick
else
  jmh=(-f 2 -wi 3 -w 1s -i 5 -r 1s)
  cmode=full
fi
jar=wakefd-bench/target/benchmarks.jar
run_jmh() { # name, regexp, [pin]
  local name=$1 re=$2
  echo "JMH: $name" >&2
  if [ "${3:-}" = pin ]; then
    pin "$WAKEFD_JAVA" -jar "$jar" "$re" "${jmh[@]}" -rf json -rff "$out/$name.json" >"$out/$name.log" 2>&1
  else
    "$WAKEFD_JAVA" -jar "$jar" "$re" "${jmh[@]}" -rf json -rff "$out/$name.json" >"$out/$name.log" 2>&1
  fi
}

echo "C floor..." >&2
"$out/cfloor" $cmode >"$out/c.jsonl"
pin "$out/cfloor" $cmode pingpong | sed 's/c.roundtrip_poll_read/c.roundtrip_poll_read.1cpu/' >>"$out/c.jsonl"
run_jmh cost 'NotifyBench|ReadBench|FfmFloorBench'
run_jmh contention 'ContentionBench'
run_jmh roundtrip-1cpu 'RoundTripBench|PollerDispatchBench' pin
if [ $quick = 0 ]; then
  run_jmh roundtrip-2cpu 'RoundTripBench'
fi

jdk=$("$WAKEFD_JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.vm\.version = //p' | head -n1)
python3 wakefd-bench/src/main/python/report.py --dir "$out" --quick $quick --jdk "$jdk" \
  --command "wakefd-bench/run-benchmarks.sh${1:+ $1}" --md docs/benchmarks.md --svg docs/benchmarks.svg
echo "wrote docs/benchmarks.md and docs/benchmarks.svg" >&2
