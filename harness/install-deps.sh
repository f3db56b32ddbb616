#!/bin/sh
# install-deps.sh - installs the Debian 12 packages kmharness needs, only
# those that are missing (so a second run is instant and needs no root).
# Used by `make run` (the quick start) and by .ci/run. libclang-rt-14-dev
# (the sanitizer and libFuzzer runtimes) is only recommended by clang, so it
# is named here.  libxml2-utils (xmllint), perl (prove) and yamllint are
# the test suite's readers of the JUnit, TAP and CI-example output.
# bubblewrap is the sandbox of `run --remedy`; gcc-mingw-w64-x86-64 builds
# real Windows programs (the emulated Kmserver.exe service and the decoy,
# emu/kms/, and the .exe example remediation in the tests) with
# binutils-mingw-w64-x86-64.
set -eu
pkgs="make gcc clang pkg-config wine wine64 wine64-tools libwine-dev
      libcmocka-dev libsqlite3-dev sqlite3 util-linux libclang-rt-14-dev
      libxml2-utils perl yamllint bubblewrap gcc-mingw-w64-x86-64
      binutils-mingw-w64-x86-64"
missing=
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "kmharness: installing:$missing" >&2
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq $missing >/dev/null
