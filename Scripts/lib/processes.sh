# Stopping what a script started (sourced).

# Stops process $1 (a child of this shell; nothing when empty or already gone): SIGTERM, up to
# 5 s to exit, then SIGKILL; reaps it either way.
stop_pid() {
    local pid="$1"
    [[ -n "${pid}" ]] || return 0
    kill -0 "${pid}" 2>/dev/null || { wait "${pid}" 2>/dev/null || true; return 0; }
    kill -TERM "${pid}" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "${pid}" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
}
