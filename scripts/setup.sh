#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system packages, a virtualenv, the project.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # vpdq (the reference video hasher the tests compare against) builds against FFmpeg.
  pkg-config ffmpeg libavcodec-dev libavformat-dev libavdevice-dev libavfilter-dev
  libswscale-dev libswresample-dev libavutil-dev
  # The test suite runs a second time against a real PostgreSQL server.
  postgresql
  # hatesonar's ONNX model normalises strings in the en_US.UTF-8 locale.
  locales
  # The console's browser tests drive Debian's Chromium through Playwright
  # (Playwright's own browser download needs the internet).
  chromium
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# hatesonar fails to load without the en_US.UTF-8 locale compiled.
if ! locale -a 2>/dev/null | grep -qi '^en_US\.utf-\?8$'; then
  echo "generating the en_US.UTF-8 locale"
  sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
