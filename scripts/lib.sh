# Shared helpers for the project's scripts (sourced, not run).
# Everything a fresh Debian/Ubuntu machine lacks is installed here, so CI
# and a newcomer's laptop run the same steps.

# Print a step's name, run it, and say how long it took.
step() {
    local name=$1
    shift
    echo
    echo "==> $name"
    local start=$SECONDS
    "$@"
    echo "    ($name: $((SECONDS - start)) s)"
}

# Install Debian packages that are missing (apt-get update at most once).
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if [ -z "${NATTER_APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        export NATTER_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# Make sure a Rust toolchain managed by rustup is on PATH.
ensure_rust() {
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v rustup >/dev/null 2>&1; then
        # Debian 13 and Ubuntu 24.04 package rustup; older releases do not.
        apt_install curl ca-certificates build-essential || true
        if apt-cache show rustup >/dev/null 2>&1; then
            apt_install rustup
        else
            echo "Rust is not installed. Install it from https://rustup.rs (one command), then run this again." >&2
            exit 1
        fi
    fi
    rustup toolchain list | grep -q stable || rustup toolchain install stable --profile minimal
    command -v cc >/dev/null 2>&1 || apt_install build-essential
}

# What building the FLTK client needs: a C++ compiler, ninja, the X11,
# pango and cairo development packages, and CMake >= 3.28 (Debian 12's is
# older, so a recent one goes into a project-local virtual environment,
# .venv/, whose bin/ is put first on PATH).
ensure_gui_build() {
    apt_install g++ ninja-build python3-venv libx11-dev libxext-dev libxft-dev \
        libxinerama-dev libxcursor-dev libxrender-dev libxfixes-dev \
        libpango1.0-dev libcairo2-dev libfontconfig-dev libfreetype-dev
    local venv
    venv="$(pwd)/.venv"
    if ! "$venv/bin/cmake" --version >/dev/null 2>&1; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "cmake>=3.28"
    fi
    export PATH="$venv/bin:$PATH"
}

# What running the client's window tests needs: a virtual X server, a way to
# type into windows and to copy their text, screenshots, and fonts with
# accents, CJK and colour emoji.
ensure_gui_test() {
    apt_install xvfb xauth xdotool xclip imagemagick x11-utils \
        fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji
}

# Cross-building for Windows (x86_64-pc-windows-gnu) with Debian's
# mingw-w64: the win32-threads compiler (Rust's std and FLTK use Win32
# threads, so no libwinpthread DLL), the Rust target, and cmake for FLTK.
# No CC/CXX/RUSTFLAGS: per-target variables only, so host builds are
# untouched.
ensure_windows_build() {
    ensure_gui_build
    apt_install g++-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 file
    rustup target add x86_64-pc-windows-gnu >/dev/null
    case "$(readlink -f "$(command -v x86_64-w64-mingw32-g++)")" in
        *-win32) ;;
        *)
            echo "x86_64-w64-mingw32-g++ is not the win32-threads compiler" \
                "(update-alternatives --config x86_64-w64-mingw32-g++)" >&2
            exit 1
            ;;
    esac
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    # fltk-sys runs `git apply` and `git reset --hard` in its own FLTK
    # sources under CARGO_HOME: they must not be inside a git work tree.
    local home="${CARGO_HOME:-$HOME/.cargo}"
    if git -C "$home" rev-parse >/dev/null 2>&1; then
        echo "CARGO_HOME ($home) is inside a git work tree, where fltk-sys" \
            "would run 'git reset --hard': use a CARGO_HOME outside it" >&2
        exit 1
    fi
    unset GIT_DIR GIT_WORK_TREE
    export GIT_CEILING_DIRECTORIES="$home"
}

# Running Windows programs here: Wine 8 (64-bit) in a prefix under target/,
# without its Mono and Gecko prompts, with a stand-in for the one DLL that
# Rust programs need and Debian's Wine lacks (scripts/windows/).
ensure_windows_test() {
    ensure_gui_test
    apt_install wine wine64 fonts-wine
    export WINEPREFIX="$(pwd)/target/wine" WINEDEBUG=-all WINEARCH=win64 \
        WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        mkdir -p "$WINEPREFIX"
        wineboot --init >/dev/null 2>&1 || true
        wineserver -w
    fi
    local shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
    if [ ! -f "$shim" ]; then
        x86_64-w64-mingw32-gcc -O2 -shared -s -o "$shim" \
            scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -ladvapi32
    fi
    # One wineserver for the whole run: a program starts in 0.01 s, not
    # 0.25 (it says so, and fails, when one is already running).
    wineserver -p 600 2>/dev/null || true
}
