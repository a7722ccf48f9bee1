#!/usr/bin/env bash
# Linker wrapper for the static client (scripts/build-static.sh): fltk-sys
# asks for X11, Xft and fontconfig as shared libraries, which rustc marks
# with -Bdynamic; this passes the same link line to cc with every library
# taken from its static archive and no dynamic loader.
args=()
for a in "$@"; do
    case "$a" in
        -Wl,-Bdynamic) args+=("-Wl,-Bstatic") ;;
        -pie | -Wl,-pie | -static-pie) ;;
        *) args+=("$a") ;;
    esac
done
exec cc "${args[@]}" -static -no-pie
