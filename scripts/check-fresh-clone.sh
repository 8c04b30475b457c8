#!/usr/bin/env bash
# Clones this repository's committed HEAD into a temporary directory and runs ./wakefd there as a
# new user would: the first call builds the jar (one notice line on stderr), then --help, inspect
# and a short demo must succeed with no warnings. Usage: scripts/check-fresh-clone.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$root" "$tmp/wakefd"
cd "$tmp/wakefd"
git log --oneline -1 >&2
./wakefd --help >"$tmp/help.out" 2>"$tmp/help.err"
grep -q "Usage: wakefd" "$tmp/help.out"
if [ "$(wc -l <"$tmp/help.err")" != 1 ] || ! grep -q "^wakefd: building" "$tmp/help.err"; then
  echo "check-fresh-clone: expected exactly the one build notice on stderr, got:" >&2
  cat "$tmp/help.err" >&2
  exit 1
fi
./wakefd inspect self --json >/dev/null
./wakefd demo --laps 500 --wakes 10000 >"$tmp/demo.out" 2>"$tmp/demo.err"
if grep -q WARNING "$tmp/demo.err"; then
  echo "check-fresh-clone: the demo printed a warning:" >&2
  cat "$tmp/demo.err" >&2
  exit 1
fi
cat "$tmp/demo.out"
echo "check-fresh-clone: ./wakefd built and ran from a fresh clone" >&2
