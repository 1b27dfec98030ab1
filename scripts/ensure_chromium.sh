#!/usr/bin/env bash
# Make sure a headless-capable Chromium is on PATH (Debian package `chromium`).
# Idempotent: does nothing but print the version when chromium is already there.
# Used by `make test` before pytest, because tests/python/test_docs_browser.py
# renders the dbt docs and the HTML report in headless Chromium.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium not found on PATH; installing the Debian package..."
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo -n"
        else
            echo "error: chromium is missing and this is not root (and no sudo)." >&2
            echo "       Install it as root: apt-get update && apt-get install -y chromium" >&2
            exit 1
        fi
    fi
    if ! $SUDO apt-get update -q \
        || ! $SUDO apt-get install -y -q --no-install-recommends chromium; then
        echo "error: could not install chromium with apt-get." >&2
        echo "       Install it yourself (Debian/Ubuntu: apt-get install -y chromium) and make" >&2
        echo "       sure 'chromium' is on PATH; the browser tests need it." >&2
        exit 1
    fi
    if ! command -v chromium >/dev/null 2>&1; then
        echo "error: apt-get finished but 'chromium' is still not on PATH." >&2
        exit 1
    fi
fi

chromium --version
