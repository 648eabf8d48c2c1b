#!/usr/bin/env bash
# The benchmarks (issue 9): real ansible-playbook / ansible-inventory runs against the emulated RD Session
# Host, on 127.0.0.1 only; prints one table per measurement. Not part of pass/fail; takes a few minutes.
# Arguments go to tests/benchmarks/run.py (--only NAME, --repeat N). docs/performance.md explains the figures.
set -eu -o pipefail
cd "$(dirname "$0")/.."
RDS_SETUP_FOR=benchmark
# shellcheck source=scripts/_setup.sh
source scripts/_setup.sh
# BENCH_CORE=2.18 runs them on that ansible-core of the test matrix (its venv under .build/core, as the tests use).
python="$VENV/bin/python"
if [ -n "${BENCH_CORE:-}" ]; then
    python="$(core_venv "$BENCH_CORE")/bin/python"
fi
exec "$python" tests/benchmarks/run.py "$@"
