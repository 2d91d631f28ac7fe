#!/usr/bin/env bash
# Runs a command that must fail: checks a non-zero exit code and that its stderr matches every
# pattern (grep -E). Usage: expect_failure.sh PATTERN... -- COMMAND...
set -uo pipefail
patterns=()
while [[ $# -gt 0 && $1 != "--" ]]; do patterns+=("$1"); shift; done
shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Oversubscribed test runs: idle threads and ranks must yield the cores, not spin.
export OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1
err=$(mktemp)
"$@" >/dev/null 2>"$err"
rc=$?
cat "$err"
if [[ $rc -eq 0 ]]; then
    echo "expected a non-zero exit code, got 0" >&2
    exit 1
fi
for p in "${patterns[@]}"; do
    if ! grep -Eq -- "$p" "$err"; then
        echo "stderr does not match '$p'" >&2
        exit 1
    fi
done
echo "failed as expected (exit $rc)"
