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
