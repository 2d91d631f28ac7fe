#!/usr/bin/env bash
# Installs Laminar's build and test dependencies from Debian 12 packages (run as root).
# Packages already present are skipped; nothing is asked (no standard input needed).
set -euo pipefail
packages=(
    build-essential cmake git pkg-config clang-format
    openmpi-bin libopenmpi-dev libhdf5-openmpi-dev
    libboost-program-options-dev libyaml-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
    librandom123-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
    python3 python3-numpy python3-h5py python3-matplotlib
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
