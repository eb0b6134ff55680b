# Loopback ports for the benchmark scripts (sourced). Needs python3.

# Prints N distinct free loopback TCP ports, chosen in one process with every
# socket held open until all are chosen, so no two are the same. (Picking one
# port per call can hand the same port out twice: the kernel may give a
# released port to the next bind.) They are released before the caller's
# servers bind them; where a server can bind port 0 and report what it bound,
# prefer that.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
ports = [s.getsockname()[1] for s in sockets]
assert len(set(ports)) == len(ports), ports
print(" ".join(str(port) for port in ports))
PY
}
