#!/usr/bin/env bash
# Packs the libraries with a unique prerelease version into a temporary local feed, restores them into a tiny app
# outside the repository (eng/package-smoke: no Directory.Build.props, no project references — as a NuGet user
# would) and runs it: the hosted pipeline on the in-process Kafka cluster with the default rules.
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
ls "$work/feed"

app="$work/app"
mkdir -p "$app"
sed "s/@VERSION@/$version/g" "$root/eng/package-smoke/PackageSmoke.csproj.template" > "$app/PackageSmoke.csproj"
cp "$root/eng/package-smoke/Program.cs" "$app/"
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

echo "== restore, build and run the app"
(cd "$app" && dotnet run -c Release 2>&1) | tee "$work/run.log"
grep -q "^package smoke: 500 read" "$work/run.log"
echo "== packages OK"
