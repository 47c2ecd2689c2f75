#!/usr/bin/env bash
# fuzz-one.sh GO PKG TARGET FUZZTIME: fuzz one target. Go's fuzz coordinator
# (up to Go 1.26, golang/go#75804) can end a duration-bounded run with a bare
# "context deadline exceeded" failure when the deadline races a busy worker:
# no input failed and nothing is written to testdata/fuzz. Such a run is
# tried again, up to twice; any other failure (a failing input, a panic, a t.Error)
# fails at once.
set -uo pipefail
go_cmd=$1 pkg=$2 target=$3 fuzztime=$4
for attempt in 1 2 3; do
  out=$("$go_cmd" test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg" 2>&1)
  status=$?
  printf '%s\n' "$out"
  [ "$status" -eq 0 ] && exit 0
  if [ "$attempt" -lt 3 ] && grep -q 'context deadline exceeded' <<<"$out" &&
     ! grep -qE 'Failing input written|panic:|_test\.go:[0-9]+:' <<<"$out"; then
    echo "fuzz-one: $target ended on the fuzz coordinator's deadline race (golang/go#75804), no failing input; running it again"
    continue
  fi
  exit "$status"
done
