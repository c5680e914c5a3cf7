#!/usr/bin/env bash
# Fetch, once per machine, what the end-to-end tests and the pipeline benchmark
# need beyond a JDK, Maven, Python 3 and cargo, the way testcontainers pulls an
# image on first use:
#   - the Apache Kafka broker and tools jars (tests/kafka/pom.xml), copied by
#     Maven into $CACHE/kafka-<version>/libs;
#   - a Python virtualenv with the independent client's packages
#     (tests/e2e/requirements.txt) in $CACHE/python-<hash of that file>.
# CACHE is $ARTICLE_ENRICHER_CACHE, default ~/.cache/article-enricher.
# Safe to run concurrently (a lock file) and again (a marker per folder).
# Prints KAFKA_LIBS=... and PYTHON=... on stdout; everything else goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${ARTICLE_ENRICHER_CACHE:-${HOME:-/root}/.cache/article-enricher}
mkdir -p "$cache"

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "tests/kafka/fetch.sh: '$1' is not installed: $2" >&2
    exit 2
}

exec 9>"$cache/fetch.lock"
flock 9

version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
libs=$cache/kafka-$version/libs
if [[ ! -f "$libs/.complete" ]]; then
    need java "the Kafka broker needs Java 17 or later (Debian: apt-get install openjdk-17-jre-headless)"
    need mvn "the Kafka jars are fetched with Maven (Debian: apt-get install maven)"
    echo "fetching Apache Kafka $version jars into $libs (once)" >&2
    rm -rf "$libs.partial"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$libs.partial" >&2
    rm -rf "$libs"
    mv "$libs.partial" "$libs"
    touch "$libs/.complete"
fi

requirements=$here/../e2e/requirements.txt
venv=$cache/python-$(sha256sum "$requirements" | cut -c1-12)
if [[ ! -f "$venv/.complete" ]]; then
    need python3 "the end-to-end tests' client is Python 3 (Debian: apt-get install python3 python3-venv)"
    echo "creating $venv with $(grep -v '^#' "$requirements" | tr '\n' ' ')(once)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2 || {
        echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2
        exit 2
    }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    touch "$venv/.complete"
fi

echo "KAFKA_LIBS=$libs"
echo "PYTHON=$venv/bin/python"
