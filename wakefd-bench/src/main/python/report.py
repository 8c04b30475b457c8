#!/usr/bin/env python3
"""Turns the C floor's JSON lines and JMH's JSON results into docs/benchmarks.md and an SVG chart."""
import argparse, json, math, os, platform, subprocess

ap = argparse.ArgumentParser()
ap.add_argument("--dir", required=True)
ap.add_argument("--quick", type=int, default=0)
ap.add_argument("--jdk", default="?")
ap.add_argument("--command", required=True)
ap.add_argument("--md", required=True)
ap.add_argument("--svg", required=True)
a = ap.parse_args()

def load_jmh(name):
    path = os.path.join(a.dir, name + ".json")
    if not os.path.exists(path):
        return {}
    out = {}
    for r in json.load(open(path)):
        key = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
        if r.get("params"):
            key += "[" + ",".join(f"{k}={v}" for k, v in sorted(r["params"].items())) + "]"
        pm = r["primaryMetric"]
        out[key] = {"score": pm["score"], "err": pm.get("scoreError", float("nan")), "unit": pm["scoreUnit"],
                    "p50": pm.get("scorePercentiles", {}).get("50.0"), "p99": pm.get("scorePercentiles", {}).get("99.0")}
    return out

c = {}
for line in open(os.path.join(a.dir, "c.jsonl")):
    if line.strip():
        r = json.loads(line)
        c[r["name"]] = r
cost = load_jmh("cost")
cont = load_jmh("contention")
rt1 = load_jmh("roundtrip-1cpu")
rt2 = load_jmh("roundtrip-2cpu")

def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

def fmt(v, err=None, digits=1):
    v, err = num(v), num(err)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    s = f"{v:,.{digits}f}"
    if err is not None and not math.isnan(err):
        s += f" ± {err:,.{digits}f}"
    return s

def ratio(x, y):
    return f"{x / y:.2f}x" if x and y else "n/a"

cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
lines = []
w = lines.append
w("# wakefd benchmarks")
w("")
if a.quick:
    w("> **Quick run**: one fork, short iterations; the error bars are wide and the numbers are only a smoke test. Run without `--quick` for numbers to quote.")
    w("")
w(f"Machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, JDK {a.jdk}. ")
w(f"Reproduce with `{a.command}` from the repository root; it rebuilds, runs the C floor "
  "(`wakefd-bench/src/main/c/cfloor.c`, in a process with an extra idle thread, as a JVM has) and JMH, then rewrites this page and `benchmarks.svg`.")
w("")
w("JMH scores are means with their 99.9% error; C figures are the median of 200 batches ± their standard deviation. Round trips are JMH sample-time medians (p50) and p99.")
w("")

# ---- notify cost
cw = c.get("c.write", {}).get("median")
notify = [
    ("C `write(2)` to an eventfd (floor)", cw, c.get("c.write", {}).get("err"), "c"),
    ("wakefd `EventFd.signal()`", cost.get("NotifyBench.eventFdSignal", {}).get("score"), cost.get("NotifyBench.eventFdSignal", {}).get("err"), "w"),
    ("wakefd `Waker.wake()`, wake pending", cost.get("NotifyBench.wakerWakePending", {}).get("score"), cost.get("NotifyBench.wakerWakePending", {}).get("err"), "w"),
    ("wakefd `Waker.wake()` from idle, plus `drain()`", cost.get("NotifyBench.wakerWakeIdleThenDrain", {}).get("score"), cost.get("NotifyBench.wakerWakeIdleThenDrain", {}).get("err"), "w"),
    ("Netty 4.2 `Native.eventFdWrite` (JNI)", cost.get("NotifyBench.nettyEventFdWrite", {}).get("score"), cost.get("NotifyBench.nettyEventFdWrite", {}).get("err"), "p"),
    ("JDK `Selector.wakeup()`, coalesced", cost.get("NotifyBench.selectorWakeupCoalesced", {}).get("score"), cost.get("NotifyBench.selectorWakeupCoalesced", {}).get("err"), "p"),
    ("JDK `Selector.wakeup()` + `selectNow()`", cost.get("NotifyBench.selectorWakeupThenSelectNow", {}).get("score"), cost.get("NotifyBench.selectorWakeupThenSelectNow", {}).get("err"), "p"),
    ("JDK `Pipe` 1-byte write", cost.get("NotifyBench.pipeWrite", {}).get("score"), cost.get("NotifyBench.pipeWrite", {}).get("err"), "p"),
    ("C acquire-load of a set flag (floor for a pending wake)", c.get("c.flag_load", {}).get("median"), c.get("c.flag_load", {}).get("err"), "c"),
    ("bare FFM `write(2)` (no guard), critical", cost.get("FfmFloorBench.bareWriteCritical", {}).get("score"), cost.get("FfmFloorBench.bareWriteCritical", {}).get("err"), "f"),
    ("bare FFM `write(2)` (no guard), not critical", cost.get("FfmFloorBench.bareWrite", {}).get("score"), cost.get("FfmFloorBench.bareWrite", {}).get("err"), "f"),
]
netty = cost.get("NotifyBench.nettyEventFdWrite", {}).get("score")
selc = cost.get("NotifyBench.selectorWakeupCoalesced", {}).get("score")
w("## Notify cost (ns per call, lower is better)")
w("")
w("| What | ns/op | vs C `write(2)` | vs Netty JNI write | vs JDK coalesced wakeup |")
w("|---|---:|---:|---:|---:|")
for label, v, e, kind in notify:
    w(f"| {label} | {fmt(v, e, 2 if v and v < 10 else 1)} | {ratio(v, cw)} | {ratio(v, netty)} | {ratio(v, selc)} |")
w("")
cr = c.get("c.read_empty", {}).get("median")
w("## Read cost on an empty fd (ns per call)")
w("")
w("| What | ns/op | vs C `read(2)` |")
w("|---|---:|---:|")
for label, key in [("wakefd `EventFd.tryRead()`", "ReadBench.tryReadEmpty"), ("wakefd `Waker.drain()`", "ReadBench.wakerDrainEmpty")]:
    v = cost.get(key, {}).get("score")
    w(f"| {label} | {fmt(v, cost.get(key, {}).get('err'))} | {ratio(v, cr)} |")
w(f"| C `read(2)` (floor) | {fmt(cr, c.get('c.read_empty', {}).get('err'))} | 1.00x |")
w("")

w("## Contention: total calls per microsecond, all threads together (higher is better)")
w("")
w("| Threads | `Waker.wake()` (pending) | `EventFd.signal()` | JDK `Selector.wakeup()` |")
w("|---:|---:|---:|---:|")
for t in (1, 2, 4):
    row = [fmt(cont.get(f"ContentionBench.{m}_{t}t", {}).get("score"), cont.get(f"ContentionBench.{m}_{t}t", {}).get("err"))
           for m in ("wakerWake", "eventFdSignal", "selectorWakeup")]
    w(f"| {t} | " + " | ".join(row) + " |")
w("")
w(f"This machine has {os.cpu_count()} CPUs, so 4 threads share them; the pending Waker is a read of a shared cache line, so its total rate grows with threads while the kernel serialises eventfd writes and the JDK's wakeup takes a lock.")
w("")

rts = [("C `poll(2)`+`read(2)` ping-pong (floor)", None),
       ("wakefd `await()`, platform threads", "RoundTripBench.awaitPlatform"),
       ("wakefd `await()`, echo on a virtual thread", "RoundTripBench.awaitVirtualEcho"),
       ("wakefd `Waker` wake/await", "RoundTripBench.wakerAwait"),
       ("wakefd `Poller` handler", "RoundTripBench.poller"),
       ("JDK `Selector` wakeup/select", "RoundTripBench.selector"),
       ("JDK `LockSupport` park/unpark", "RoundTripBench.lockSupport"),
       ("Netty `eventLoop.execute()` hand-off (task unparks caller)", "RoundTripBench.nettyExecute"),
       ("Netty epoll loop woken through wakefd-netty, back through `await()`", "RoundTripBench.nettyViaWakefd")]
c1 = c.get("c.roundtrip_poll_read.1cpu", {}).get("median")
c2 = c.get("c.roundtrip_poll_read", {}).get("median")
w("## Wake-up round trips (ns, lower is better)")
w("")
w("One op is a whole trip: wake the other side, which sleeps, and get woken back. On one CPU (`taskset -c 0`) this measures the software; across the two vCPUs of a KVM guest it mostly measures the host waking an idle vCPU.")
w("")
w("| Mechanism | one CPU p50 | one CPU p99 | vs C (one CPU) | two CPUs p50 | vs C (two CPUs) |")
w("|---|---:|---:|---:|---:|---:|")
for label, key in rts:
    if key is None:
        p50, p99 = c1, c.get("c.roundtrip_poll_read.1cpu", {}).get("p99")
        q50 = c2
    else:
        p50, p99 = rt1.get(key, {}).get("p50"), rt1.get(key, {}).get("p99")
        q50 = rt2.get(key, {}).get("p50")
    w(f"| {label} | {fmt(p50, None, 0)} | {fmt(p99, None, 0)} | {ratio(p50, c1)} | {fmt(q50, None, 0)} | {ratio(q50, c2)} |")
w("")
w("## Poller dispatch as registrations grow (one CPU, ns per round trip)")
w("")
w("| Registered fds | p50 | p99 |")
w("|---:|---:|---:|")
disp = {}
for n in (10, 1000, 10000):
    r = rt1.get(f"PollerDispatchBench.dispatch[registered={n}]", {})
    disp[n] = r.get("p50")
    w(f"| {n:,} | {fmt(r.get('p50'), None, 0)} | {fmt(r.get('p99'), None, 0)} |")
w("")

def goal(text, ok):
    return f"| {text} | {'met' if ok else ('not met' if ok is not None else 'n/a')} |"
sig = cost.get("NotifyBench.eventFdSignal", {}).get("score")
tr = cost.get("ReadBench.tryReadEmpty", {}).get("score")
wp = cost.get("NotifyBench.wakerWakePending", {}).get("score")
aw = rt1.get("RoundTripBench.awaitPlatform", {}).get("p50")
av = rt1.get("RoundTripBench.awaitVirtualEcho", {}).get("p50")
se = rt1.get("RoundTripBench.selector", {}).get("p50")
def ok(cond):
    try:
        return bool(cond())
    except TypeError:
        return None
w("## Goals")
w("")
w("| Goal | This run |")
w("|---|---|")
w(goal(f"`signal()` within 1.10x of C `write(2)` ({ratio(sig, cw)})", ok(lambda: sig <= 1.10 * cw)))
w(goal(f"`tryRead()` on empty within 1.10x of C `read(2)` ({ratio(tr, cr)})", ok(lambda: tr <= 1.10 * cr)))
w(goal(f"`signal()` faster than Netty's JNI write ({ratio(sig, netty)})", ok(lambda: sig < netty)))
w(goal(f"`Waker.wake()` while pending at most 2 ns ({fmt(wp, None, 2)} ns)", ok(lambda: wp <= 2)))
w(goal(f"`Waker.wake()` pending 100x cheaper than Netty's write ({ratio(netty, wp)} cheaper)", ok(lambda: netty / wp >= 100)))
w(goal(f"`Waker.wake()` pending 5x cheaper than JDK coalesced wakeup ({ratio(selc, wp)} cheaper)", ok(lambda: selc / wp >= 5)))
w4 = cont.get("ContentionBench.wakerWake_4t", {}).get("score"); w1 = cont.get("ContentionBench.wakerWake_1t", {}).get("score")
w(goal(f"Waker total wake rate grows with threads (4 threads / 1 thread: {ratio(w4, w1)})", ok(lambda: w4 > w1)))
w(goal(f"platform `await` round trip within 1.15x of C on one CPU ({ratio(aw, c1)})", ok(lambda: aw <= 1.15 * c1)))
w(goal(f"platform `await` round trip at least 2x faster than Selector ({ratio(se, aw)} faster)", ok(lambda: se >= 2 * aw)))
w(goal(f"virtual-thread round trip within 2x of platform ({ratio(av, aw)})", ok(lambda: av <= 2 * aw)))
w(goal(f"poller dispatch flat within 1.3x from 10 to 10,000 fds ({ratio(disp.get(10000), disp.get(10))})",
       ok(lambda: disp[10000] <= 1.3 * disp[10])))
w("")
w("![benchmarks chart](benchmarks.svg)")
open(a.md, "w").write("\n".join(lines) + "\n")

# ---- chart: two panels of horizontal bars, log scale
panels = [("Notify and read cost, ns (log scale)", [(l, v) for l, v, _, k in notify if v] +
           [("wakefd tryRead() empty", tr), ("C read(2) empty", cr)]),
          ("Round trip on one CPU, p50 ns (log scale)",
           [(l.replace("`", ""), (c1 if k is None else rt1.get(k, {}).get("p50"))) for l, k in rts])]
width, bar_h, left = 980, 18, 430
y = 20
parts = []
for title, rows in panels:
    rows = [(l.replace("`", ""), v) for l, v in rows if v]
    if not rows:
        continue
    parts.append(f'<text x="10" y="{y + 14}" font-size="15" font-weight="bold">{title}</text>')
    y += 26
    lo = min(v for _, v in rows) / 2
    hi = max(v for _, v in rows) * 1.2
    scale = (width - left - 90) / (math.log10(hi) - math.log10(lo))
    for label, v in rows:
        bw = max(2, (math.log10(v) - math.log10(lo)) * scale)
        color = "#2b7bb9" if label.startswith("wakefd") else ("#888" if label.startswith("C ") or label.startswith("bare") else "#e8a33d")
        parts.append(f'<text x="{left - 8}" y="{y + 13}" font-size="12" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h - 4}" fill="{color}"/>')
        parts.append(f'<text x="{left + bw + 5:.1f}" y="{y + 13}" font-size="12">{v:,.2f}</text>' if v < 10 else
                     f'<text x="{left + bw + 5:.1f}" y="{y + 13}" font-size="12">{v:,.0f}</text>')
        y += bar_h
    y += 20
svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" font-family="sans-serif">'
       f'<rect width="100%" height="100%" fill="white"/>' + "".join(parts) +
       f'<text x="10" y="{y - 6}" font-size="11" fill="#555">blue: wakefd, orange: Netty and the JDK, grey: C and bare FFM floors{" (quick run)" if a.quick else ""}</text></svg>')
open(a.svg, "w").write(svg)
