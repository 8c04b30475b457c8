#!/usr/bin/env bash
# Runs wakefd's comparison suite (the C floor and JMH) and writes docs/benchmarks.md,
# docs/benchmarks.svg and docs/benchmarks.json (the page's tables and figures as data) from the
# results. Run from anywhere; see docs/benchmarking.md. WAKEFD_BENCH_REPORT_DIR=DIR writes those
# three files to DIR instead (`wakefd bench` uses it to leave the committed docs alone).
#   wakefd-bench/run-benchmarks.sh           full run: 3 forks, 3 x 1 s warm-up, 5 x 1 s (about 70 min on 2 CPUs)
#   wakefd-bench/run-benchmarks.sh --quick   smoke run in well under a minute: no forks, short
#                                            iterations, wide error bars (the page says so)
#   wakefd-bench/run-benchmarks.sh [--quick] --group waits
#                                            only the waiting layer's groups (issue 14, about 8 min):
#                                            waits-virtual, waits-platform, waits-async,
#                                            waits-dispatch, waits-idle; each can also be named
#                                            alone. Writes docs/benchmarks-waits.md only.
#   wakefd-bench/run-benchmarks.sh [--quick] --group posix
#                                            only the POSIX-only fallback against eventfd/epoll
#                                            (issue 18, about 5 min; one JMH run, both platforms
#                                            forked); prints JMH's table, leaves docs/ alone
#   wakefd-bench/run-benchmarks.sh [--quick] --group shm
#                                            only wakefd-shm across processes against a Unix
#                                            socket, Aeron IPC and Python (issue 17): three
#                                            JVM runs merged (about 5 min); writes
#                                            docs/benchmarks-shm.md only
#   wakefd-bench/run-benchmarks.sh [--quick] --group bridge-rivals       only the bridge against JCTools,
#   wakefd-bench/run-benchmarks.sh [--quick] --group bridge-rivals-1cpu  Disruptor, Agrona, ABQ (issue 15),
#   wakefd-bench/run-benchmarks.sh [--quick] --group bridge-paired       the issue 15 goals paired (bridge and
#                                            anchors in one JVM by turns; 5 JVMs per placement) and the
#                                            per-item fence cost (BridgeFenceBench), batches of 64 in
#                                            JMH too (bridge-batches.json), about 5 min
#                                            and a page from every result in target/bench
# Needs: Maven, a JDK >= 22 (found as the build finds it), gcc; taskset (util-linux) for the
# one-CPU round trips (without it they run unpinned and the page says so).
set -euo pipefail
usage() { echo "usage: $0 [--quick] [--group GROUP]" >&2; exit 2; }
quick=0
group=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --group) [ $# -ge 2 ] || usage; group=$2; shift ;;
    *) usage ;;
  esac
  shift
done
case "$group" in
  ""|waits|waits-virtual|waits-platform|waits-async|waits-dispatch|waits-idle|posix|shm|bridge-rivals|bridge-rivals-1cpu|bridge-paired) ;;
  *) echo "unknown group '$group'" >&2; usage ;;
esac

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
elif [ "$group" = posix ]; then
  rm -f "$out"/posix.json "$out"/posix.log
elif [ "$group" = bridge-rivals ] || [ "$group" = bridge-rivals-1cpu ]; then
  rm -f "$out/$group".json "$out/$group".log # one group: keep the other groups' results for the page
elif [ "$group" = bridge-paired ]; then
  rm -f "$out"/paired-rivals*.jsonl "$out"/bridge-fence.json "$out"/bridge-fence.log "$out"/bridge-batches.*
else
  rm -f "$out"/waits-*.json "$out"/waits-*.jsonl "$out"/waits-*.log
fi

# Native access for wakefd (FFM) and Netty (JNI). JMH's forks inherit the host JVM's options.
# JDK 24+ warns when JMH uses sun.misc.Unsafe; the option to allow it silently exists from 23.
java_opts=(--enable-native-access=ALL-UNNAMED)
[ "$(wakefd_java_feature "$WAKEFD_JAVA")" -ge 23 ] && java_opts+=(--sun-misc-unsafe-memory-access=allow)

# The shm group (issue 17): wakefd-shm against a Unix socket and Aeron IPC, each peer a child
# process placed by the scheduler. Three JVM runs (one with --quick; the Python exchanges in the
# first only), merged into docs/benchmarks-shm.md with the runs' range and each goal judged per
# run, so that one run's vCPU placement does not decide a verdict. Aeron needs these opens.
run_shm() {
  local runs=3 shm_flag=() files=()
  [ $quick = 1 ] && { shm_flag=(--quick); runs=1; }
  local jvm=("$WAKEFD_JAVA" "${java_opts[@]}" --add-opens java.base/jdk.internal.misc=ALL-UNNAMED
    --add-opens java.base/java.util.zip=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    -cp "$jar" dev.wakefd.bench.shm.ShmBench)
  rm -f "$out"/shm.jsonl "$out"/shm.log "$out"/shm-run*.jsonl "$out"/shm-run*.log
  for i in $(seq 1 $runs); do
    local only=throughput,from-idle,idle-cpu
    [ "$i" = 1 ] && only=$only,python
    echo "shm group: run $i of $runs ($only)..." >&2
    "${jvm[@]}" "${shm_flag[@]}" --only "$only" --python "$root/wakefd-shm/src/main/python" \
      --jsonl "$out/shm-run$i.jsonl" >"$out/shm-run$i.log" 2>&1
    files+=("$out/shm-run$i.jsonl")
  done
  "${jvm[@]}" --md docs/benchmarks-shm.md --report "${files[@]}" >/dev/null
  echo "shm group: wrote docs/benchmarks-shm.md (raw: ${files[*]}, logs beside them)" >&2
}
if [ "$group" = shm ]; then
  run_shm
  exit 0
fi

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

jmh_more=() # extra JMH options for the next run_jmh calls (the waits groups set them)
run_jmh() { # result-name, benchmark regexp, [pin], [extra java options...]
  local name=$1 re=$2 how=${3:-}
  shift 3 || shift $#
  echo "JMH: $name" >&2
  local cmd=("$WAKEFD_JAVA" "${java_opts[@]}" "$@" -jar "$jar" "$re" "${jmh[@]}" "${jmh_more[@]}" -rf json -rff "$out/$name.json")
  [ "$how" = pin ] && cmd=(pin "${cmd[@]}")
  if ! "${cmd[@]}" >"$out/$name.log" 2>&1; then
    tail -n 30 "$out/$name.log" >&2
    echo "JMH run '$name' failed; full log: $out/$name.log" >&2
    exit 1
  fi
}

# The waiting layer (issue 14): virtual-thread round trips against the JDK's Pipe and a Unix-domain
# socket pair at scheduler parallelism 1 and 2 and with the whole JVM on one CPU; platform round trips
# against the C floor in the same process, unpinned and on one CPU; readAsync completion; dispatch
# with 10 and 10,000 fds; the CPU of 10,000 idle virtual waiters. Page: docs/benchmarks-waits.md.
waits_groups() { # [group]
  local g=${1:-waits}
  echo "group: ${g}" >&2
  local saved=("${jmh[@]}")
  # 2 forks of 2 + 3 one-second iterations: the whole waits group stays under 8 minutes
  [ $quick = 1 ] || jmh=(-f 2 -wi 2 -w 1s -i 3 -r 1s)
  if [ "$g" = waits ] || [ "$g" = waits-virtual ]; then
    run_jmh waits-virtual-par1 'bench\.VirtualWaitBench\.' '' -Djmh.executor=VIRTUAL -Djdk.virtualThreadScheduler.parallelism=1
    run_jmh waits-virtual-par2 'bench\.VirtualWaitBench\.' '' -Djmh.executor=VIRTUAL -Djdk.virtualThreadScheduler.parallelism=2
    run_jmh waits-virtual-1cpu 'bench\.VirtualWaitBench\.' pin -Djmh.executor=VIRTUAL
    # A writer outside the JVM (a C echo process): sub-poller, platform poller and the JDK's
    # socket, scheduler idle and busy, from idle (50 µs gap) only: the group stays within its time.
    jmh_more=(-p gapNanos=50000)
    run_jmh waits-foreign 'bench\.ForeignEchoBench\.' '' -Djmh.executor=VIRTUAL
    jmh_more=()
  fi
  if [ "$g" = waits ] || [ "$g" = waits-platform ]; then
    run_jmh waits-platform 'bench\.PlatformWaitBench\.' ''
    run_jmh waits-platform-1cpu 'bench\.PlatformWaitBench\.' pin
  fi
  if [ "$g" = waits ] || [ "$g" = waits-async ]; then
    run_jmh waits-async 'bench\.AsyncWaitBench\.' ''
  fi
  if [ "$g" = waits ] || [ "$g" = waits-dispatch ]; then
    jmh_more=(-p registered=10,10000)
    run_jmh waits-dispatch 'bench\.PollerDispatchBench\.' ''
    jmh_more=()
  fi
  if [ "$g" = waits ] || [ "$g" = waits-idle ]; then
    local secs=10
    [ $quick = 1 ] && secs=2
    echo "idle: 10,000 virtual waiters, ${secs} s" >&2
    "$WAKEFD_JAVA" "${java_opts[@]}" -cp "$jar" dev.wakefd.bench.IdleCpu 10000 "$secs" >"$out/waits-idle.jsonl"
    "$WAKEFD_JAVA" "${java_opts[@]}" -cp "$jar" dev.wakefd.bench.IdleCpu 10000 "$secs" exposed >>"$out/waits-idle.jsonl"
  fi
  jmh=("${saved[@]}")
  local how="wakefd-bench/run-benchmarks.sh --group ${g}"
  [ $quick = 1 ] && how="wakefd-bench/run-benchmarks.sh --quick --group ${g}"
  waits_report=(--dir "$out" --md docs/benchmarks-waits.md --command "$how")
  [ $quick = 1 ] && waits_report+=(--quick)
  "$WAKEFD_JAVA" -cp "$jar" dev.wakefd.bench.report.WaitsReport "${waits_report[@]}"
  echo "wrote docs/benchmarks-waits.md (group ${g}; raw results: $out)" >&2
}
# The POSIX-only fallback (pipe + poll(2), as on macOS and the BSDs) beside eventfd/epoll, in one
# JMH run: each platform is its own fork (-Dwakefd.platform=posix is a per-JVM choice), so even
# --quick forks once here.
run_posix() {
  local saved=("${jmh[@]}")
  [ $quick = 1 ] && jmh=(-f 1 -wi 1 -w 200ms -i 3 -r 200ms)
  run_jmh posix 'bench\.PlatformCost(Linux|Posix)Bench\.'
  jmh=("${saved[@]}")
}
if [ "$group" = posix ]; then
  echo "group: posix (POSIX-only fallback vs eventfd/epoll)" >&2
  run_posix
  sed -n '/^Benchmark /,$p' "$out/posix.log"
  echo "group posix done (raw results: $out/posix.json; docs/ not rewritten)" >&2
  exit 0
fi
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
# The issue 15 goals paired (dev.wakefd.bench.PairedRivals): from idle unpinned, pinned apart and on
# one CPU; steady, bursts, idle consumer and batches unpinned; then the per-item fence cost.
bridge_paired() {
  local jvms=5 flag=()
  [ $quick = 1 ] && { jvms=1; flag=(--quick); }
  local p=("$WAKEFD_JAVA" "${java_opts[@]}" -cp "$jar" dev.wakefd.bench.Paired)
  echo "group bridge-paired: the bridge and its anchors by turns ($jvms JVMs per comparison)..." >&2
  for _ in $(seq "$jvms"); do
    "${p[@]}" rivals-idle unpinned "${flag[@]}" >>"$out/paired-rivals.jsonl"
    pin "${p[@]}" rivals-idle unpinned "${flag[@]}" >>"$out/paired-rivals-1cpu.jsonl"
    if [ "$cpus" -ge 2 ]; then
      "${p[@]}" rivals-idle apart "${flag[@]}" >>"$out/paired-rivals.jsonl"
      "${p[@]}" rivals-flow "${flag[@]}" >>"$out/paired-rivals.jsonl"
      "${p[@]}" rivals-batches "${flag[@]}" >>"$out/paired-rivals.jsonl"
    fi
  done
  local saved=("${jmh[@]}")
  [ $quick = 1 ] || jmh=(-f 2 -wi 2 -w 1s -i 3 -r 1s)
  run_jmh bridge-fence 'bench\.BridgeFenceBench\.'
  # the batch goal in JMH too (the same benchmark as bridge-rivals)
  [ "$cpus" -ge 2 ] && { jmh_more=(-p channel=bridge,jctoolsSpin)
    run_jmh bridge-batches 'bench\.BridgeRivalsBench\.batches$'; jmh_more=(); }
  jmh=("${saved[@]}")
}
if [ "$group" = bridge-paired ]; then
  bridge_paired
  "$WAKEFD_JAVA" -cp "$jar" dev.wakefd.bench.report.Report --dir "$out" --md "$out/benchmarks.md" \
      --svg "$out/benchmarks.svg" --command "wakefd-bench/run-benchmarks.sh --group $group" \
      $([ $quick = 1 ] && echo --quick) $([ $pinned = 0 ] && echo --unpinned)
  echo "ran group $group; results in $out (paired-rivals*.jsonl, bridge-fence.json; page: benchmarks.md)" >&2
  exit 0
fi
if [ "$group" = bridge-rivals ] || [ "$group" = bridge-rivals-1cpu ]; then
  rivals "$group"
  # a page from whatever results target/bench holds, beside the committed one (not over it)
  "$WAKEFD_JAVA" -cp "$jar" dev.wakefd.bench.report.Report --dir "$out" --md "$out/benchmarks.md" \
      --svg "$out/benchmarks.svg" --command "wakefd-bench/run-benchmarks.sh --group $group" \
      $([ $quick = 1 ] && echo --quick) $([ $pinned = 0 ] && echo --unpinned)
  echo "ran group $group; results and a page from them in $out (benchmarks.md)" >&2
  exit 0
fi
if [ -n "$group" ]; then
  waits_groups "$group"
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
bridge_paired
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
run_posix
run_jmh roundtrip-1cpu 'bench\.(RoundTripBench|PollerDispatchBench)\.' pin
pin "$cfloor" $cmode pingpong >>"$out/c-1cpu.jsonl" # again: the page averages the two runs
run_jmh virtual-1cpu 'bench\.VirtualRoundTripBench\.' pin -Djmh.executor=VIRTUAL
if [ "$cpus" -ge 2 ]; then
  "$cfloor" $cmode pingpong >"$out/c-2cpu.jsonl"
  run_jmh roundtrip-2cpu 'bench\.RoundTripBench\.' ''
  "$cfloor" $cmode pingpong >>"$out/c-2cpu.jsonl"
  run_jmh virtual-2cpu 'bench\.VirtualRoundTripBench\.' '' -Djmh.executor=VIRTUAL
fi

waits_groups waits
run_shm

report_dir=${WAKEFD_BENCH_REPORT_DIR:-docs}
mkdir -p "$report_dir"
# The command line the page quotes. Not a $(...) in the assignment below: under set -e an
# assignment takes its command substitution's status, and a false test there ended a full run
# here, after its hour of measurements, without a page.
quoted="wakefd-bench/run-benchmarks.sh"
if [ $quick = 1 ]; then quoted="$quoted --quick"; fi
report=(--dir "$out" --md "$report_dir/benchmarks.md" --svg "$report_dir/benchmarks.svg" --json "$report_dir/benchmarks.json"
        --command "$quoted")
[ $quick = 1 ] && report+=(--quick)
[ $pinned = 0 ] && report+=(--unpinned)
"$WAKEFD_JAVA" -cp "$jar" dev.wakefd.bench.report.Report "${report[@]}"
echo "wrote $report_dir/benchmarks.md, .svg and .json (raw results and JMH logs: $out)" >&2
