#!/usr/bin/env bash
# Cross-compile natter.exe (the window) and natter-server.exe for 64-bit
# Windows (x86_64-pc-windows-gnu) from Debian or Ubuntu, with mingw-w64 and
# FLTK built from source. Installs what it needs. Leaves
#   target/x86_64-pc-windows-gnu/release/natter.exe
#   target/x86_64-pc-windows-gnu/release/natter-server.exe
# each one file, stripped, needing only DLLs every Windows 10 and 11 has
# (checked here), and prints their sizes and the DLLs they import.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust
ensure_windows_build

target=x86_64-pc-windows-gnu
out=${CARGO_TARGET_DIR:-target}/$target/release
cargo build --release --target "$target" -p natter-server --bin natter-server
cargo build --release --target "$target" -p natter-client --bin natter

# Only what Windows itself has: no MinGW runtime (libstdc++-6.dll,
# libgcc_s_seh-1.dll, libwinpthread-1.dll) or any other DLL beside the exe.
system_dlls='^(kernel32|user32|gdi32|gdiplus|advapi32|shell32|ole32|oleaut32|comctl32|comdlg32|winspool\.drv|uuid|ws2_32|userenv|ntdll|msvcrt|bcryptprimitives|combase|imm32|msimg32|winmm|odbc32|shlwapi|iphlpapi|secur32|crypt32|bcrypt|dwmapi|uxtheme|version|api-ms-win-[a-z0-9-]+)(\.dll)?$'
for exe in natter natter-server; do
    file="$out/$exe.exe"
    echo
    echo "$exe.exe: $(stat -c %s "$file") bytes"
    dlls=$(x86_64-w64-mingw32-objdump -p "$file" | awk '/DLL Name:/ { print tolower($3) }' | sort -u)
    echo "  imports: $(echo "$dlls" | tr '\n' ' ')"
    for dll in $dlls; do
        if ! [[ $dll =~ $system_dlls ]]; then
            echo "error: $exe.exe needs $dll, which Windows does not have" >&2
            exit 1
        fi
    done
done
for exe in natter natter-server; do
    strings -el "$out/$exe.exe" | grep -q '^ProductVersion$' || {
        echo "error: $exe.exe has no version information" >&2
        exit 1
    }
done
file "$out/natter.exe" | grep -q '(GUI)' || {
    echo "error: natter.exe would open a console window" >&2
    exit 1
}
file "$out/natter-server.exe" | grep -q '(console)' || {
    echo "error: natter-server.exe is not a console program" >&2
    exit 1
}
