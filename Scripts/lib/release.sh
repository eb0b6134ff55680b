# The hotswap binary a script runs (sourced). Needs REPO_ROOT and the caller's log function.

# Sets HOTSWAP_BIN: the binary the caller named in HOTSWAP_BIN, used as it is (for trying a
# benchmark: figures come from release builds); else .build/$1/hotswap ($1: release, the
# default, or debug), built first unless BENCH_SKIP_BUILD is 1. Returns 1, saying why, when
# there is no such executable.
resolve_hotswap_bin() {
    local configuration="${1:-release}"
    if [[ -n "${HOTSWAP_BIN:-}" ]]; then
        [[ -x "${HOTSWAP_BIN}" ]] || { log "error: HOTSWAP_BIN=${HOTSWAP_BIN} is not an executable"; return 1; }
        log "using ${HOTSWAP_BIN} (not built by this run)"
        return 0
    fi
    HOTSWAP_BIN="${REPO_ROOT}/.build/${configuration}/hotswap"
    if [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]]; then
        [[ -x "${HOTSWAP_BIN}" ]] || { log "error: BENCH_SKIP_BUILD=1 but ${HOTSWAP_BIN} does not exist"; return 1; }
        return 0
    fi
    log "building hotswap (${configuration})"
    (cd "${REPO_ROOT}" && swift build -c "${configuration}" --product hotswap) >&2
}
