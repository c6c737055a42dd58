#!/bin/sh
# Install the Debian packages Stratus needs when pkg-config or a header check can't find them.
set -e
missing=""
need() { # pkg-config-name-or-header debian-package
    case "$1" in
        /*) [ -e "$1" ] || missing="$missing $2" ;;
        *) pkg-config --exists "$1" 2>/dev/null || missing="$missing $2" ;;
    esac
}
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
need libuv libuv1-dev
need libcjson libcjson-dev
need libmicrohttpd libmicrohttpd-dev
need inih libinih-dev
need sqlite3 libsqlite3-dev
need criterion libcriterion-dev
need libcrypt libcrypt-dev
need uuid uuid-dev
need libcrypto libssl-dev
need libcurl libcurl4-openssl-dev
need /usr/bin/aws awscli
need /usr/lib/python3/dist-packages/boto3/__init__.py python3-boto3   # tests/clients/ddb (e2e)
need /usr/bin/jq jq
need /usr/bin/gnuplot gnuplot-nox
need /usr/bin/time time
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# botocore's DynamoDB API model, read at build time by scripts/gen_ddb_model.py
# Debian 12's copy specifically: the tests pin its messages, and a newer botocore from pip
# (which this machine may also have) models TableName differently.
ddb_model=/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json
if [ ! -e "$ddb_model" ] && [ ! -e "$ddb_model.gz" ]; then
    missing="$missing python3-botocore"
fi
# The e2e tests of the AWS SDK for JavaScript and dynamodb-admin (tests/clients/ddb) need
# Node.js and npm; a machine with Node.js from elsewhere (it bundles npm) keeps its own.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v flock >/dev/null 2>&1 || missing="$missing util-linux"
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
