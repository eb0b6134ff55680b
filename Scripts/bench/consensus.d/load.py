#!/usr/bin/env python3
"""Write and read load for Scripts/bench/consensus: the same client drives HotSwap and etcd.

Standard library only. Every write is one HTTPS request over a keep-alive connection
(http.client.HTTPSConnection, server certificate verified against --ca):

  hotswap  PUT  /api/v1/environments/NAME  {"defaultStrategy":"canary","requiresApproval":false}
           acknowledged = 200 or 201 (committed and applied)
  etcd     POST /v3/kv/put  {"key": base64(NAME), "value": base64(the same 52-byte JSON)}
           acknowledged = 200 with a response header (committed and applied)

Every HotSwap request carries "Authorization: Bearer TOKEN", the token read from --token-file.

Reads are each system's default, linearizable read of one record:

  hotswap  GET  /api/v1/environments/NAME   acknowledged = 200 (ReadIndex or lease, then applied)
  etcd     POST /v3/kv/range {"key": base64(NAME)}   acknowledged = 200 with a response header

Names cycle over NAME_COUNT names ("bench-00".."bench-31") because HotSwap holds at most 64
environments; etcd gets the same keys, so both systems mostly replace existing records.

Modes (each prints one JSON object on stdout):
  sequential  --count N: one client, one connection, one write at a time; latency p50/p99/mean
  reads       --count N: one client, one connection, one linearizable read at a time of the
              names the writes made; latency p50/p99/mean
  throughput  --clients C --seconds S: C concurrent clients (threads, split over --processes
              processes so that Python's GIL is not the ceiling), each with its own connection;
              acknowledged writes per second
  failover    --kill-pid PID: opens keep-alive connections to the surviving members, sends
              SIGKILL to PID, then starts a write attempt every --interval seconds, round-robin
              over the targets, each with its own connection and a per-attempt timeout; reports
              the time from the kill until the first acknowledged write.
"""
import argparse
import base64
import http.client
import json
import multiprocessing
import os
import queue
import signal
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from bench_client import make_context, percentile  # noqa: E402  (Scripts/lib is not a package)

BODY = b'{"defaultStrategy":"canary","requiresApproval":false}'
NAME_COUNT = 32


def name_for(index):
    return "bench-%02d" % (index % NAME_COUNT)


class Target:
    def __init__(self, system, address, context, timeout, token=None):
        host, port = address.rsplit(":", 1)
        self.system, self.host, self.port = system, host, int(port)
        self.address, self.context, self.timeout = address, context, timeout
        self.headers = {"Authorization": "Bearer " + token} if system == "hotswap" and token else {}

    def connect(self):
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=self.timeout)
        connection.connect()
        return connection

    def request(self, name):
        if self.system == "hotswap":
            return "PUT", "/api/v1/environments/" + name, BODY
        body = json.dumps({"key": base64.b64encode(name.encode()).decode(),
                           "value": base64.b64encode(BODY).decode()}).encode()
        return "POST", "/v3/kv/put", body

    def write(self, connection, name):
        """One write; returns (acknowledged, status, body). Raises on connection errors."""
        method, path, body = self.request(name)
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **self.headers})
        response = connection.getresponse()
        data = response.read()
        if self.system == "hotswap":
            return response.status in (200, 201), response.status, data
        ok = response.status == 200 and b'"header"' in data and b'"error"' not in data
        return ok, response.status, data


    def read(self, connection, name):
        """One linearizable read; returns (acknowledged, status, body). Raises on connection errors."""
        if self.system == "hotswap":
            connection.request("GET", "/api/v1/environments/" + name, headers=self.headers)
        else:
            body = json.dumps({"key": base64.b64encode(name.encode()).decode()}).encode()
            connection.request("POST", "/v3/kv/range", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
        if self.system == "hotswap":
            return response.status == 200, response.status, data
        return response.status == 200 and b'"header"' in data, response.status, data


def sequential(args, operation="write"):
    target = Target(args.system, args.targets[0], make_context(args.ca), args.timeout, args.token)
    perform = target.write if operation == "write" else target.read
    connection = target.connect()
    for index in range(args.warmup):
        ok, status, data = perform(connection, name_for(index))
        if not ok:
            raise SystemExit("warm-up %s failed: %s %r" % (operation, status, data[:200]))
    latencies, failures = [], 0
    started = time.perf_counter()
    for index in range(args.count):
        before = time.perf_counter()
        ok, status, data = perform(connection, name_for(index))
        after = time.perf_counter()
        if ok:
            latencies.append((after - before) * 1000.0)
        else:
            failures += 1
            if failures <= 3:
                print("%s failed: %s %r" % (operation, status, data[:200]), file=sys.stderr)
    elapsed = time.perf_counter() - started
    connection.close()
    latencies.sort()
    print(json.dumps({
        "writes": len(latencies), "failures": failures,
        "p50_ms": round(percentile(latencies, 0.50), 2), "p99_ms": round(percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "max_ms": round(latencies[-1], 2) if latencies else None,
        "writes_per_second": round(len(latencies) / elapsed, 1)}))


def throughput_process(system, addresses, ca, token, timeout, clients, first_client, start_at, seconds, results):
    context = make_context(ca)
    counts = [0] * clients
    errors = [0] * clients
    connections = []
    for client in range(clients):
        target = Target(system, addresses[(first_client + client) % len(addresses)], context, timeout, token)
        connections.append((target, target.connect()))

    def run(client):
        target, connection = connections[client]
        name = name_for(first_client + client)
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        while True:
            try:
                ok, _, _ = target.write(connection, name)
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                try:
                    connection = target.connect()
                except OSError:
                    time.sleep(0.01)
            if time.time() > deadline:
                break
            if ok:
                counts[client] += 1
            else:
                errors[client] += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(client,)) for client in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((sum(counts), sum(errors)))


def throughput(args):
    processes = max(1, min(args.processes, args.clients))
    results = multiprocessing.Queue()
    start_at = time.time() + args.setup_seconds
    workers, first = [], 0
    for process in range(processes):
        share = args.clients // processes + (1 if process < args.clients % processes else 0)
        worker = multiprocessing.Process(target=throughput_process, args=(
            args.system, args.targets, args.ca, args.token, args.timeout, share, first, start_at, args.seconds, results))
        first += share
        worker.start()
        workers.append(worker)
    acknowledged = failed = 0
    for _ in workers:
        count, errors = results.get(timeout=args.setup_seconds + args.seconds + 120)
        acknowledged += count
        failed += errors
    for worker in workers:
        worker.join()
    print(json.dumps({"clients": args.clients, "processes": processes, "seconds": args.seconds,
                      "acknowledged": acknowledged, "failures": failed,
                      "writes_per_second": round(acknowledged / args.seconds, 1)}))


def failover(args):
    context = make_context(args.ca)
    targets = [Target(args.system, address, context, args.timeout, args.token) for address in args.targets]
    idle = {target.address: queue.SimpleQueue() for target in targets}
    for target in targets:  # one warm connection per survivor and per expected concurrent attempt
        for _ in range(args.warm_connections):
            idle[target.address].put(target.connect())
    done = threading.Event()
    lock = threading.Lock()
    outcome = {"elapsed": None, "attempts": 0, "failures": 0, "statuses": {}}
    killed_at = [0.0]

    def attempt(target, index):
        try:
            connection = idle[target.address].get_nowait()
        except queue.Empty:
            connection = None
        try:
            if connection is None:
                connection = target.connect()
            ok, status, _ = target.write(connection, name_for(index))
            finished = time.monotonic()
            idle[target.address].put(connection)
            key = str(status)
        except (OSError, http.client.HTTPException) as error:
            ok, finished, key = False, time.monotonic(), type(error).__name__
            if connection is not None:
                connection.close()
        with lock:
            outcome["statuses"][key] = outcome["statuses"].get(key, 0) + 1
            if ok and outcome["elapsed"] is None:
                outcome["elapsed"] = finished - killed_at[0]
                outcome["acknowledged_by"] = target.address
                done.set()
            elif not ok:
                outcome["failures"] += 1

    os.kill(args.kill_pid, signal.SIGKILL)
    killed_at[0] = time.monotonic()
    index = 0
    while not done.is_set() and time.monotonic() - killed_at[0] < args.give_up:
        if threading.active_count() - 1 < args.max_in_flight:
            threading.Thread(target=attempt, args=(targets[index % len(targets)], index), daemon=True).start()
            index += 1
        done.wait(args.interval)
    outcome["attempts"] = index
    result = {"elapsed_ms": None if outcome["elapsed"] is None else round(outcome["elapsed"] * 1000.0, 1),
              "attempts": index, "failures": outcome["failures"], "statuses": outcome["statuses"],
              "acknowledged_by": outcome.get("acknowledged_by")}
    print(json.dumps(result), flush=True)
    os._exit(0 if outcome["elapsed"] is not None else 1)  # do not wait for attempts still hanging


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["sequential", "reads", "throughput", "failover"])
    parser.add_argument("--system", choices=["hotswap", "etcd"], required=True)
    parser.add_argument("--targets", required=True, help="HOST:PORT[,HOST:PORT...]")
    parser.add_argument("--ca", required=True, help="CA certificate that verifies the servers")
    parser.add_argument("--token-file", help="hotswap: the file holding the bearer token every request carries")
    parser.add_argument("--timeout", type=float, default=10.0, help="socket timeout per request, seconds")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--setup-seconds", type=float, default=3.0)
    parser.add_argument("--kill-pid", type=int)
    parser.add_argument("--interval", type=float, default=0.01, help="between failover attempts, seconds")
    parser.add_argument("--max-in-flight", type=int, default=400)
    parser.add_argument("--warm-connections", type=int, default=8)
    parser.add_argument("--give-up", type=float, default=60.0, help="failover: seconds before giving up")
    args = parser.parse_args()
    args.targets = [t for t in args.targets.split(",") if t]
    args.token = None
    if args.system == "hotswap":
        if not args.token_file:
            parser.error("hotswap needs --token-file")
        with open(args.token_file, encoding="ascii") as file:
            args.token = file.read().strip()
    if args.mode == "failover" and args.kill_pid is None:
        parser.error("failover needs --kill-pid")
    modes = {"sequential": sequential, "reads": lambda a: sequential(a, "read"), "throughput": throughput,
             "failover": failover}
    modes[args.mode](args)


if __name__ == "__main__":
    main()
