# The hotswap binary a benchmark measures (sourced). Needs REPO_ROOT.

# Sets HOTSWAP_BIN: the binary the caller named in HOTSWAP_BIN, measured as it is (for trying a
# script: figures come from release builds); else .build/release/hotswap, built first unless
# BENCH_SKIP_BUILD is 1. Returns 1, saying why, when there is no such executable.
resolve_hotswap_bin() {
    if [[ -n "${HOTSWAP_BIN:-}" ]]; then
        [[ -x "${HOTSWAP_BIN}" ]] || { echo "[bench] error: HOTSWAP_BIN=${HOTSWAP_BIN} is not an executable" >&2; return 1; }
        echo "[bench] measuring ${HOTSWAP_BIN} (not built by this run)" >&2
        return 0
    fi
    HOTSWAP_BIN="${REPO_ROOT}/.build/release/hotswap"
    if [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]]; then
        [[ -x "${HOTSWAP_BIN}" ]] || { echo "[bench] error: BENCH_SKIP_BUILD=1 but ${HOTSWAP_BIN} does not exist" >&2; return 1; }
        return 0
    fi
    echo "[bench] building hotswap (release)" >&2
    (cd "${REPO_ROOT}" && swift build -c release --product hotswap) >&2
}
