#!/usr/bin/env bash
# Installs dependencies if missing, builds with the ci preset and runs the whole test suite.
# This is what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci -j 2
