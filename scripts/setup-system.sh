#!/bin/sh
# System libraries eventops uses, installed where this machine allows it (root or sudo -n):
#   libzbar0  the zbar library behind the pyzbar decoder (without it: zxing-cpp and OpenCV only)
#   chromium  with `test`: the headless browser that loads the web dashboard in its test
#   python3-venv  with `venv`: Debian's Python needs it to create the virtual environment
# Anything that cannot be installed is said once; eventops works without it.
MODE="${1:-}"

can_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$(id -u)" = "0" ]; then SUDO=""; return 0; fi
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; return 0; fi
    return 1
}

UPDATED=""
apt_install() {
    if [ -z "$UPDATED" ]; then $SUDO apt-get update -qq >/dev/null 2>&1; UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null 2>&1
}

if [ "$MODE" = "venv" ]; then
    VERSION="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null)"
    if can_install && echo "installing python3-venv (needed to create .venv)..." && \
        { apt_install "python${VERSION}-venv" || apt_install python3-venv; }; then
        exit 0
    fi
    echo "error: python3 cannot create a virtual environment here; install python3-venv (apt-get install python3-venv)"
    exit 1
fi

if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libzbar\.so'; then
    if can_install && echo "installing the zbar library (libzbar0) for the pyzbar decoder..." && apt_install libzbar0; then
        :
    else
        echo "note: the zbar library could not be installed here; eventops will decode badges with zxing-cpp and OpenCV only."
    fi
fi

if [ "$MODE" = "test" ]; then
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
        if can_install && echo "installing headless Chromium for the web dashboard's test..." && apt_install chromium; then
            :
        else
            echo "note: Chromium could not be installed here; the web dashboard's browser test will be skipped."
        fi
    fi
fi
exit 0
