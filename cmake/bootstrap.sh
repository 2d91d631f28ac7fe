#!/usr/bin/env bash
# Fresh Debian 12 machine, as root: install dependencies, build the release binary and run the
# example network on 2 MPI ranks. Output in out/brunel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
cmake --preset release
cmake --build --preset release -j "$(nproc)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -np 2 --oversubscribe build/release/bin/laminar run configs/examples/brunel.yaml --output out/brunel
echo "bootstrap: done; see out/brunel/summary.json"
