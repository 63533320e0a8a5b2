#!/usr/bin/env bash
# The end-to-end figure: `callstream replay` of a 1,000,000-row log through a rule file (the default rules unless given) against Python's
# csv module counting the rows of the same file. Builds the CLI twice, as `dotnet build` leaves it (JIT, what
# `dotnet run` and the portable tool package run) and published for this machine's platform (ReadyToRun: precompiled,
# see src/CallStream.Cli/README.md), generates the log once (seed 42) and runs the three commands side by side with
# hyperfine when it is installed, otherwise with a plain timing loop. Usage:
#   benchmarks/replay-vs-python.sh [ROWS] [RUNS] [RULES]   (defaults: 1000000 rows, 10 runs, the default rules;
#   for example benchmarks/rules/long-windows.rules: day-long sliding windows with distinct, max and sum)
# REPLAY_ARGS adds options to both replays, for example REPLAY_ARGS="--rule-threads 1".
set -euo pipefail
rows=${1:-1000000}
runs=${2:-10}
rules=${3:-default}
[ "$rules" = default ] || rules=$(cd "$(dirname "$rules")" && pwd)/$(basename "$rules")
root=$(cd "$(dirname "$0")/.." && pwd)
work=${TMPDIR:-/tmp}/callstream-replay-vs-python
mkdir -p "$work"
dotnet build "$root/src/CallStream.Cli" -c Release -v q -nologo >/dev/null
cli=("dotnet" "$root/src/CallStream.Cli/bin/Release/net10.0/CallStream.Cli.dll")
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
dotnet publish "$root/src/CallStream.Cli" -c Release -r "$rid" --self-contained false -o "$work/r2r" -v q -nologo >/dev/null
log="$work/log-$rows.csv"
[ -f "$log" ] || "${cli[@]}" generate --rows "$rows" --seed 42 --output "$log"
replay="${cli[*]} replay --input $log --rules $rules --alerts $work/alerts.ndjson ${REPLAY_ARGS:-}"
replay_r2r="$work/r2r/CallStream.Cli replay --input $log --rules $rules --alerts $work/alerts-r2r.ndjson ${REPLAY_ARGS:-}"
count="python3 -c \"import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))))\" $log"
echo "rules: $rules; options: ${REPLAY_ARGS:-none}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 2 -r "$runs" "$replay" "$replay_r2r" "$count"
else
  for name in replay replay_r2r count; do
    cmd=${!name}
    for _ in $(seq "$runs"); do
      /usr/bin/env time -f "$name %e s wall, %U s user" bash -c "$cmd" >/dev/null
    done
  done
fi
sha256sum "$work/alerts.ndjson" "$work/alerts-r2r.ndjson"
