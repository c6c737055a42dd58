#!/bin/sh
# Build and run a subset of unit tests under ASan+UBSan, for working on one module:
#   sh scripts/unit-one.sh tests/unit/test_ddb_num.c -- storage/ddb_num.c storage/ddb_attr.c
# Core (sim/core/*.c) is always linked. The binary goes to build/one/<first test name>.
set -e
tests=""; srcs=""; side=t
for a in "$@"; do
    if [ "$a" = "--" ]; then side=s; continue; fi
    if [ $side = t ]; then tests="$tests $a"; else srcs="$srcs $a"; fi
done
first=$(basename $(echo $tests | cut -d' ' -f1) .c)
mkdir -p build/one
PKGS="libuv libcjson libmicrohttpd inih sqlite3 libcrypt uuid libcrypto libcurl"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wpedantic -Wshadow \
   -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wformat=2 -Wundef \
   -Wwrite-strings -Wvla -Wimplicit-fallthrough -Wno-unused-parameter \
   -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g3 \
   -I. -Isim -Isim/core $(pkg-config --cflags $PKGS) \
   -o build/one/$first $tests $srcs sim/core/*.c $(pkg-config --libs $PKGS) -lm -lpthread -lcriterion
ASAN_OPTIONS=detect_leaks=1 ./build/one/$first --jobs 2
