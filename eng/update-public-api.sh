#!/usr/bin/env bash
# Regenerates the public API files (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt, Microsoft.CodeAnalysis.PublicApiAnalyzers)
# of every packable project under src/: builds them once with warnings not as errors, adds each symbol the analyzer
# reports as undeclared (RS0016) to PublicAPI.Unshipped.txt and removes each declared symbol it cannot find (RS0017).
# Run it after changing public API (or after merging branches that did) and review the diff. At a release, move
# the Unshipped lines to Shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dir=$(dirname "$project")
  # Not packed (src/CallStream.Generation): no public API to track.
  grep -q '<IsPackable>false</IsPackable>' "$project" && continue
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$file" ] || printf '#nullable enable\n' > "$dir/$file"
  done
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Build everything once (references in place), then recompile each project alone so its warnings are reported.
for project in src/*/*.csproj; do
  dotnet build "$project" -c Release -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= -clp:NoSummary >/dev/null 2>&1 || true
done
for project in src/*/*.csproj; do
  dotnet build "$project" -c Release --no-incremental --no-dependencies --no-restore -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= -clp:NoSummary >>"$log" 2>&1 || true
done
python3 - "$log" <<'PY'
import re, sys, collections
adds, removes = collections.defaultdict(set), collections.defaultdict(set)
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.search(r"(RS0016|RS0017): Symbol '(.+?)' (?:is not part|is part).*\[(.+?)/[^/]+\.csproj\]", line)
    if not m: continue
    code, symbol, project = m.groups()
    (adds if code == "RS0016" else removes)[project].add(symbol)
for project in set(adds) | set(removes):
    for name in ("PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"):
        path = f"{project}/{name}"
        lines = open(path, encoding="utf-8").read().splitlines()
        header, body = lines[:1], set(lines[1:]) - removes[project]
        if name.endswith("Unshipped.txt"):
            body |= adds[project]
        open(path, "w", encoding="utf-8").write("\n".join(header + sorted(body, key=lambda s: s.lstrip("~"))) + "\n")
    print(f"{project}: +{len(adds[project])} -{len(removes[project])}")
PY
echo "Public API files updated; check with: dotnet build CallStream.sln -c Release"
