#!/usr/bin/env bash
# Packs the libraries with a unique prerelease version into a temporary local feed, restores them into a tiny app
# outside the repository (eng/package-smoke: no Directory.Build.props, no project references — as a NuGet user
# would) and runs it: the hosted pipeline on the in-process Kafka cluster with the default rules, then the insights
# report over what it read (CallStream.Insights). Before that, it checks each package's CallStream dependencies (exact
# versions; no adapter depends on core). Then a second app
# (eng/package-smoke-kafka) with only CallStream.Kafka + CallStream.Rules (+ CallStream.Kafka.Testing's cluster), and
# checks that it did not restore the core package.
# Needs a Release build of the solution (run after `dotnet build CallStream.sln -c Release`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/callstream-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT

prefix=$(dotnet msbuild src/CallStream/CallStream.csproj -getProperty:VersionPrefix)
suffix="localfeed.$(date -u +%Y%m%d%H%M%S).$$"
version="$prefix-$suffix"
echo "== pack $version into $work/feed"
dotnet pack CallStream.sln -c Release --no-build -o "$work/feed" -p:VersionSuffix="$suffix" >/dev/null
ls -l "$work/feed" | awk '/nupkg$/ {print $5, $9}'

echo "== package dependencies (siblings at exactly this version; the adapters without core)"
python3 - "$work/feed" "$version" <<'PY'
import glob, os, re, sys, zipfile
feed, version = sys.argv[1], sys.argv[2]
problems = []
for path in sorted(glob.glob(os.path.join(feed, "*.nupkg"))):
    with zipfile.ZipFile(path) as package:
        nuspec = package.read(next(n for n in package.namelist() if n.endswith(".nuspec"))).decode("utf-8")
    package_id = re.search(r"<id>([^<]+)</id>", nuspec).group(1)
    siblings = re.findall(r'<dependency id="(CallStream[^"]*)" version="([^"]*)"', nuspec)
    print(package_id + ": " + (", ".join(f"{d} {v}" for d, v in siblings) or "no CallStream dependency"))
    problems += [f"{package_id} depends on {d} {v}, not [{version}]" for d, v in siblings if v != f"[{version}]"]
    if package_id in ("CallStream.Kafka", "CallStream.Mongo", "CallStream.Insights", "CallStream.Rules"):
        problems += [f"{package_id} depends on the core package" for d, _ in siblings if d == "CallStream"]
if problems:
    sys.exit("\n".join(problems))
PY

# make_app DIR SOURCE TEMPLATE: a tiny app from eng/SOURCE, restoring CallStream packages only from the local feed.
make_app() {
  local app=$1 source=$2 template=$3
  mkdir -p "$app"
  sed "s/@VERSION@/$version/g" "$root/eng/$source/$template" > "$app/${template%.template}"
  cp "$root/eng/$source/Program.cs" "$app/"
  cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="CallStream" /><package pattern="CallStream.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
  echo '{ "sdk": { "version": "10.0.100", "rollForward": "latestFeature" } }' > "$app/global.json"
}

echo "== restore, build and run the app (hosted pipeline and report: CallStream, CallStream.Kafka, CallStream.Mongo, CallStream.Insights)"
make_app "$work/app" package-smoke PackageSmoke.csproj.template
(cd "$work/app" && dotnet run -c Release 2>&1) | tee "$work/run.log"
grep -q "^package smoke: 500 read" "$work/run.log"

echo "== restore, build and run the Kafka-only app (CallStream.Kafka + CallStream.Rules, no core)"
make_app "$work/app-kafka" package-smoke-kafka PackageSmokeKafka.csproj.template
(cd "$work/app-kafka" && dotnet run -c Release 2>&1) | tee "$work/run-kafka.log"
grep -q "^package smoke (Kafka + Rules): 500 read" "$work/run-kafka.log"
# The packages it restored: CallStream.Kafka must bring neither the core package nor the report (Chart.js) along.
python3 - "$work/app-kafka/obj/project.assets.json" <<'PY'
import json, sys
libraries = json.load(open(sys.argv[1], encoding="utf-8"))["libraries"]
ours = sorted(name.split("/")[0] for name in libraries if name.split("/")[0].startswith("CallStream"))
print("CallStream packages restored by the Kafka-only app: " + ", ".join(ours))
unwanted = [name for name in ours if name in ("CallStream", "CallStream.Insights", "CallStream.Mongo")]
if unwanted:
    sys.exit("the Kafka-only app pulled " + ", ".join(unwanted) + " transitively")
PY
echo "== packages OK"
