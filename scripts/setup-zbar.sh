#!/bin/sh
# Installs the zbar shared library that pyzbar needs, where this machine allows it.
# Without it eventops still works with the zxing-cpp and OpenCV decoders.
if ldconfig -p 2>/dev/null | grep -q 'libzbar\.so'; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
    fi
    if [ "$SUDO" != "none" ]; then
        echo "installing the zbar library (libzbar0) for the pyzbar decoder..."
        ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq libzbar0) >/dev/null 2>&1 && exit 0
    fi
fi
echo "note: the zbar library could not be installed here; eventops will decode badges with zxing-cpp and OpenCV only."
exit 0
