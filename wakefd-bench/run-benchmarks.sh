#!/usr/bin/env bash
# Runs wakefd's comparison suite (the C floor and JMH) and writes docs/benchmarks.md and
# docs/benchmarks.svg from the results. Run from anywhere; see docs/benchmarking.md.
#   wakefd-bench/run-benchmarks.sh           full run: 3 forks, 3 x 1 s warm-up, 5 x 1 s (about 40 min on 2 CPUs)
#   wakefd-bench/run-benchmarks.sh --quick   smoke run in well under a minute: no forks, short
#                                            iterations, wide error bars (the page says so)
#   wakefd-bench/run-benchmarks.sh [--quick] --group bridge-rivals       only the bridge against JCTools,
#   wakefd-bench/run-benchmarks.sh [--quick] --group bridge-rivals-1cpu  Disruptor, Agrona, ABQ (issue 15),
#                                            and a page from every result in target/bench
# Needs: Maven, a JDK >= 22 (found as the build finds it), gcc; taskset (util-linux) for the
# one-CPU round trips (without it they run unpinned and the page says so).
set -euo pipefail
usage() { echo "usage: $0 [--quick] [--group bridge-rivals|bridge-rivals-1cpu]" >&2; exit 2; }
quick=0
group=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --group) [ $# -ge 2 ] || usage; group=$2; shift 2 ;;
    *) usage ;;
  esac
done
case "$group" in ""|bridge-rivals|bridge-rivals-1cpu) ;; *) usage ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/find-jdk.sh
wakefd_find_jdk

out=wakefd-bench/target/bench
jar=wakefd-bench/target/benchmarks.jar
cfloor=wakefd-bench/target/cfloor
echo "building wakefd-bench (benchmarks.jar and the C floor)..." >&2
mvn -B -q -pl wakefd-bench -am package -DskipTests >&2
mkdir -p "$out"
sync # the build's writes are flushed now, not by the kernel in the middle of the first measurements
if [ -z "$group" ]; then
  rm -f "$out"/*.json "$out"/*.jsonl "$out"/*.log # never mix in an earlier run's results
else
  rm -f "$out/$group".json "$out/$group".log # one group: keep the other groups' results for the page
fi

# Native access for wakefd (FFM) and Netty (JNI). JMH's forks inherit the host JVM's options.
# JDK 24+ warns when JMH uses sun.misc.Unsafe; the option to allow it silently exists from 23.
java_opts=(--enable-native-access=ALL-UNNAMED)
[ "$(wakefd_java_feature "$WAKEFD_JAVA")" -ge 23 ] && java_opts+=(--sun-misc-unsafe-memory-access=allow)

pinned=1
pin() { if [ $pinned = 1 ]; then taskset -c 0 "$@"; else "$@"; fi; }
command -v taskset >/dev/null || { pinned=0; echo "taskset not found: one-CPU round trips run unpinned" >&2; }
cpus=$(nproc)

if [ $quick = 1 ]; then
  jmh=(-f 0 -wi 1 -w 100ms -i 3 -r 100ms)
  cmode=quick
else
  jmh=(-f 3 -wi 3 -w 1s -i 5 -r 1s)
  cmode=full
fi

run_jmh() { # result-name, benchmark regexp, [pin], [extra java options...]
  local name=$1 re=$2 how=${3:-}
  shift 3 || shift $#
  echo "JMH: $name" >&2
  local cmd=("$WAKEFD_JAVA" "${java_opts[@]}" "$@" -jar "$jar" "$re" "${jmh[@]}" -rf json -rff "$out/$name.json")
  [ "$how" = pin ] && cmd=(pin "${cmd[@]}")
  if ! "${cmd[@]}" >"$out/$name.log" 2>&1; then
    tail -n 30 "$out/$name.log" >&2
    echo "JMH run '$name' failed; full log: $out/$name.log" >&2
    exit 1
  fi
}

report=(--dir "$out" --md docs/benchmarks.md --svg docs/benchmarks.svg
        --command "wakefd-bench/run-benchmarks.sh$([ $quick = 1 ] && echo ' --quick')")
[ $quick = 1 ] && report+=(--quick)
[ $pinned = 0 ] && report+=(--unpinned)

# The bridge against its rivals (issue 15): unpinned and pinned apart, then the whole JVM on one CPU.
# 32 benchmarks in the first group: 2 forks x (2 + 3) s each keeps a full group near 7 minutes.
rivals() {
  local saved=("${jmh[@]}")
  [ $quick = 1 ] || jmh=(-f 2 -wi 2 -w 1s -i 3 -r 1s)
  case "$1" in
    bridge-rivals) run_jmh bridge-rivals 'bench\.BridgeRivalsBench\.' ;;
    bridge-rivals-1cpu)
      jmh+=(-p placement=unpinned)
      run_jmh bridge-rivals-1cpu 'bench\.BridgeRivalsBench\.fromIdle' pin ;;
  esac
  jmh=("${saved[@]}")
}
if [ -n "$group" ]; then
  rivals "$group"
  # a page from whatever results target/bench holds, beside the committed one (not over it)
  "$WAKEFD_JAVA" -cp "$jar" dev.wakefd.bench.report.Report --dir "$out" --md "$out/benchmarks.md" \
      --svg "$out/benchmarks.svg" --command "wakefd-bench/run-benchmarks.sh --group $group" \
      $([ $quick = 1 ] && echo --quick) $([ $pinned = 0 ] && echo --unpinned)
  echo "ran group $group; results and a page from them in $out (benchmarks.md)" >&2
  exit 0
fi

echo "C floor..." >&2
"$cfloor" $cmode write,read,pair,flag >"$out/c.jsonl"
pin "$cfloor" $cmode pingpong >"$out/c-1cpu.jsonl"
run_jmh cost 'bench\.(NotifyBench|ReadBench|FfmFloorBench)\.'
echo "C floor, again (the page averages the two runs)..." >&2
"$cfloor" $cmode write,read,pair,flag >>"$out/c.jsonl"
run_jmh contention 'bench\.ContentionBench\.'
run_jmh bridge 'bench\.BridgeBench\.'
run_jmh bridge-latency 'bench\.BridgeLatencyBench\.'
run_jmh bridge-latency-1cpu 'bench\.BridgeLatencyBench\.' pin
rivals bridge-rivals
rivals bridge-rivals-1cpu
paired_jvms=5
[ $quick = 1 ] && paired_jvms=1
echo "paired comparisons: cost against the C loops and Netty, the bridge against its baselines ($paired_jvms JVMs)..." >&2
paired=("$WAKEFD_JAVA" "${java_opts[@]}" -cp "$jar" dev.wakefd.bench.Paired)
paired_flag=()
[ $quick = 1 ] && paired_flag=(--quick)
for _ in $(seq "$paired_jvms"); do
  "${paired[@]}" cost "${paired_flag[@]}" >>"$out/paired-cost.jsonl"
  pin "${paired[@]}" latency "${paired_flag[@]}" >>"$out/paired-1cpu.jsonl"
  if [ "$cpus" -ge 2 ]; then "${paired[@]}" throughput "${paired_flag[@]}" >>"$out/paired.jsonl"; fi
done
run_jmh roundtrip-1cpu 'bench\.(RoundTripBench|PollerDispatchBench)\.' pin
pin "$cfloor" $cmode pingpong >>"$out/c-1cpu.jsonl" # again: the page averages the two runs
run_jmh virtual-1cpu 'bench\.VirtualRoundTripBench\.' pin -Djmh.executor=VIRTUAL
if [ "$cpus" -ge 2 ]; then
  "$cfloor" $cmode pingpong >"$out/c-2cpu.jsonl"
  run_jmh roundtrip-2cpu 'bench\.RoundTripBench\.' ''
  "$cfloor" $cmode pingpong >>"$out/c-2cpu.jsonl"
  run_jmh virtual-2cpu 'bench\.VirtualRoundTripBench\.' '' -Djmh.executor=VIRTUAL
fi

"$WAKEFD_JAVA" -cp "$jar" dev.wakefd.bench.report.Report "${report[@]}"
echo "wrote docs/benchmarks.md and docs/benchmarks.svg (raw results and JMH logs: $out)" >&2
