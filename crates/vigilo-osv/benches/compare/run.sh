#!/usr/bin/env bash
# One run of all three matchers on the same world: the Rust bench (which
# writes the world on first use), then Renovate's offline matcher, then the
# Python matcher. Environment: VIGILO_OSV_BENCH_RECORDS (default 500000) and
# COMPARE_SBOMS, how many SBOMs the slower matchers match (default 20).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
records="${VIGILO_OSV_BENCH_RECORDS:-500000}"
sboms="${COMPARE_SBOMS:-20}"
world="$root/target/tmp/osv-world-$records"

cd "$root"
VIGILO_OSV_BENCH_RECORDS="$records" VIGILO_OSV_BENCH_CHECK_SBOMS="$sboms" \
  cargo bench -p vigilo-osv --bench index

cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund
node renovate.mjs "$world" "$sboms"

[ -d .venv ] || { python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt; }
.venv/bin/python python_matcher.py "$world" "$sboms"
