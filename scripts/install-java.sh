#!/usr/bin/env bash
# Java for the Spark target (docs/spark.md): pyspark 4 needs Java 17 or 21. Installs
# Debian's openjdk-17-jre-headless when no suitable `java` is on the PATH; nothing is
# downloaded from anywhere but the system's package repositories. Idempotent: a machine
# with Java 17+ is left alone.
#
#   scripts/install-java.sh          install when missing (needs root or sudo)
#   scripts/install-java.sh --check  exit 0 when Java 17+ is present, 1 otherwise
set -euo pipefail

java_major() {
  command -v java >/dev/null 2>&1 || return 1
  # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' on stderr.
  java -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n1
}

have_java() {
  local major
  major="$(java_major)" || return 1
  [ -n "$major" ] && [ "$major" -ge 17 ]
}

if have_java; then
  [ "${1:-}" = "--check" ] || echo "java $(java_major) present"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-java: no Java 17+ and no apt-get; install a Java 17 or 21 runtime" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-java: need root (or sudo) to apt-get install openjdk-17-jre-headless" >&2
    exit 1
  fi
fi
echo "install-java: installing openjdk-17-jre-headless from the system's packages"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The JRE's post-install configures man pages for alternatives: the slim images have none.
$SUDO mkdir -p /usr/share/man/man1
$SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
have_java || { echo "install-java: java still missing after the install" >&2; exit 1; }
echo "java $(java_major) installed"
