#!/bin/sh
# Install what `make fuzz` needs and `make test` does not: clang and libFuzzer's runtime
# (Debian 12: clang, libclang-rt-14-dev). Run by the fuzz target only.
set -e
missing=""
command -v clang >/dev/null 2>&1 || missing="$missing clang"
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
    missing="$missing libclang-rt-14-dev"
if [ -n "$missing" ]; then
    echo "fuzz-deps: installing$missing"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
