#!/bin/sh
# System libraries eventops uses, installed where this machine allows it (root or sudo -n):
#   libzbar0  the zbar library behind the pyzbar decoder (without it: zxing-cpp and OpenCV only)
#   fonts-noto-core, fonts-noto-cjk  badge fonts for Greek, Cyrillic, Arabic, Hebrew, CJK... (without
#             them: the bundled DejaVu Sans, which has no Chinese, Japanese or Korean letters)
#   poppler-utils  with `test`: pdftoppm and pdftotext, to look at the badge PDF in its tests
#   chromium  with `test`: the headless browser that loads the web dashboard in its test
#   cups, printer-driver-cups-pdf  with `test`: a real CUPS and its PDF printer, which the badge
#             printing tests start privately (their own cupsd, config and socket; root only)
#   postgresql  with `test`: initdb and pg_ctl, for the tests of the hub's store on PostgreSQL (the
#             tests start their own server in a temporary directory; the system's is not used)
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

if [ ! -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
    if can_install && echo "installing the Noto fonts (fonts-noto-core, fonts-noto-cjk) for badges in every script..." && \
        apt_install fonts-noto-core fonts-noto-cjk; then
        :
    else
        echo "note: the Noto fonts could not be installed here; badges will use DejaVu Sans (no Chinese, Japanese or Korean letters)."
    fi
fi

if [ "$MODE" = "test" ]; then
    if ! command -v pdftoppm >/dev/null 2>&1; then
        if can_install && echo "installing poppler-utils (pdftoppm) for the badge PDF's tests..." && apt_install poppler-utils; then
            :
        else
            echo "note: poppler-utils could not be installed here; the badge PDF's snapshot tests will be skipped."
        fi
    fi
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
        if can_install && echo "installing headless Chromium for the web dashboard's test..." && apt_install chromium; then
            :
        else
            echo "note: Chromium could not be installed here; the web dashboard's browser test will be skipped."
        fi
    fi
    if { ! command -v cupsd >/dev/null 2>&1 && [ ! -x /usr/sbin/cupsd ]; } || ! command -v lp >/dev/null 2>&1 || [ ! -e /usr/lib/cups/backend/cups-pdf ]; then
        if can_install && echo "installing CUPS and its PDF printer (cups, printer-driver-cups-pdf) for the badge printing tests..." && \
            apt_install cups cups-client printer-driver-cups-pdf; then
            :
        else
            echo "note: CUPS and printer-driver-cups-pdf could not be installed here; the badge printing tests through CUPS will be skipped."
        fi
    fi
    if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        # Debian's package starts a cluster of its own; the tests never use it (they run their own).
        if can_install && echo "installing PostgreSQL for the tests of the hub's PostgreSQL store..." && apt_install postgresql; then
            :
        else
            echo "note: PostgreSQL could not be installed here; the tests of the hub's PostgreSQL store will be skipped."
        fi
    fi
fi
exit 0
