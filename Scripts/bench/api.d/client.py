#!/usr/bin/env python3
"""Login and probe clients for Scripts/bench/api (issue G), standard library only.

The read load itself comes from hey and wrk; this helper does what they cannot: logins from
several source addresses (the coordinator's login bucket is 1 a second per address, burst 10,
fixed), and a low-rate probe whose every request is timed and stamped, so the spike's effect
can be read second by second. Every connection verifies the server's certificate against --ca.

Modes (each prints one JSON object on stdout):
  logins  --count N: N logins one after another, each on a new connection from the next source
          address, the connection made before the clock starts (the TLS handshake is not the
          login's cost): latency p50/p95/p99/mean of request -> answer, answers by status
  stream  --rate R --seconds S: R logins a second (open loop: each is started on schedule by a
          pool of --workers threads; when all are busy the schedule slips, and the achieved rate
          says so), each on a new connection from the next source address and as the next user;
          latency includes the handshake; answers by status and error kind
  probe   --rate R --seconds S --out FILE: GET --path R times a second over one keep-alive
          connection (a new one after an error or a close), writing "EPOCH STATUS MS" per
          request (STATUS "error:KIND" when there was no answer)
  spike-report --probe FILE --start T0 --end T1: the probe's view of a spike that ran from
          epoch T0 to T1: p50/p99 before, answers during, and after T1 the seconds until the
          first request of an unbroken run of 2xx answers to the end, and the p99 after that
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import ssl
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from bench_client import make_context, percentile  # noqa: E402  (Scripts/lib is not a package)


def latency_summary(milliseconds):
    values = sorted(milliseconds)
    if not values:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    return {"count": len(values), "p50_ms": round(percentile(values, 0.50), 2),
            "p95_ms": round(percentile(values, 0.95), 2), "p99_ms": round(percentile(values, 0.99), 2),
            "mean_ms": round(statistics.fmean(values), 2)}


def error_kind(error):
    """A short name for a failed request's exception (the table groups errors by it)."""
    if isinstance(error, (TimeoutError, ssl.SSLError)) and "timed out" in str(error):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionResetError):
        return "reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed"
    return type(error).__name__


class Endpoint:
    """One coordinator's API address, reached from a chosen source address."""

    def __init__(self, target, ca, timeout):
        host, port = target.rsplit(":", 1)
        self.host, self.port, self.timeout = host, int(port), timeout
        self.context = make_context(ca)

    def connect(self, source=None):
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=self.timeout,
                                                 source_address=(source, 0) if source else None)
        connection.connect()
        return connection


def login_body(user, password):
    return json.dumps({"username": user, "password": password}).encode()


def post_login(connection, user, password):
    connection.request("POST", "/api/v1/auth/login", body=login_body(user, password),
                       headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def count(table, key):
    table[str(key)] = table.get(str(key), 0) + 1


def logins(args):
    endpoint = Endpoint(args.target, args.ca, args.timeout)
    password = open(args.password_file, encoding="utf-8").read().strip()
    latencies, statuses, errors = [], {}, {}
    for index in range(args.count):
        source = args.sources[index % len(args.sources)]
        user = args.users[index % len(args.users)]
        try:
            connection = endpoint.connect(source)
            started = time.perf_counter()
            status = post_login(connection, user, password)
            elapsed = (time.perf_counter() - started) * 1000
            connection.close()
        except (OSError, http.client.HTTPException) as error:
            count(errors, error_kind(error))
            continue
        count(statuses, status)
        if 200 <= status < 300:
            latencies.append(elapsed)
    print(json.dumps({**latency_summary(latencies), "statuses": statuses, "errors": errors}))


def stream(args):
    endpoint = Endpoint(args.target, args.ca, args.timeout)
    password = open(args.password_file, encoding="utf-8").read().strip()
    lock = threading.Lock()
    latencies, statuses, errors = [], {}, {}

    def one(index):
        source = args.sources[index % len(args.sources)]
        user = args.users[index % len(args.users)]
        started = time.perf_counter()
        try:
            connection = endpoint.connect(source)
            status = post_login(connection, user, password)
            connection.close()
        except (OSError, http.client.HTTPException) as error:
            with lock:
                count(errors, error_kind(error))
            return
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            count(statuses, status)
            if 200 <= status < 300:
                latencies.append(elapsed)

    total = int(args.rate * args.seconds)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
        for index in range(total):
            delay = started + index / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index)
        submitted = time.monotonic() - started
    print(json.dumps({**latency_summary(latencies), "attempted": total,
                      "attempted_per_second": round(total / max(submitted, 1e-9), 1),
                      "statuses": statuses, "errors": errors}))


def probe(args):
    endpoint = Endpoint(args.target, args.ca, args.timeout)
    token = open(args.token_file, encoding="utf-8").read().strip()
    headers = {"Authorization": "Bearer " + token}
    connection = None
    started = time.monotonic()
    with open(args.out, "w", encoding="utf-8") as out:
        for index in range(int(args.rate * args.seconds)):
            delay = started + index / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            stamp, began = time.time(), time.perf_counter()
            try:
                if connection is None:
                    connection = endpoint.connect()
                connection.request("GET", args.path, headers=headers)
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                outcome = "error:" + error_kind(error)
                if connection is not None:
                    connection.close()
                connection = None
            out.write("%.6f %s %.3f\n" % (stamp, outcome, (time.perf_counter() - began) * 1000))
    if connection is not None:
        connection.close()
    print(json.dumps({"requests": int(args.rate * args.seconds)}))


def spike_report(args):
    rows = []
    with open(args.probe, encoding="utf-8") as lines:
        for line in lines:
            stamp, outcome, milliseconds = line.split()
            rows.append((float(stamp), outcome, float(milliseconds)))
    ok = lambda outcome: outcome.isdigit() and 200 <= int(outcome) < 300
    before = [ms for stamp, outcome, ms in rows if stamp < args.start and ok(outcome)]
    during = {}
    for stamp, outcome, _ in rows:
        if args.start <= stamp < args.end:
            count(during, outcome)
    after = [row for row in rows if row[0] >= args.end]
    recovered_at = None
    for stamp, outcome, _ in reversed(after):
        if not ok(outcome):
            break
        recovered_at = stamp
    settled = [ms for stamp, outcome, ms in after if recovered_at is not None and stamp >= recovered_at]
    after_answers = {}
    for _, outcome, _ in after:
        count(after_answers, outcome)
    print(json.dumps({"before": latency_summary(before), "during": during, "after": after_answers,
                      "recovery_seconds": None if recovered_at is None else round(max(0.0, recovered_at - args.end), 2),
                      "settled": latency_summary(settled)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_subparsers(dest="mode", required=True)
    for name in ("logins", "stream", "probe"):
        mode = modes.add_parser(name)
        mode.add_argument("--target", required=True, help="HOST:PORT of the coordinator's API")
        mode.add_argument("--ca", required=True)
        mode.add_argument("--timeout", type=float, default=10.0)
    for name in ("logins", "stream"):
        modes.choices[name].add_argument("--users", type=lambda text: text.split(","), required=True)
        modes.choices[name].add_argument("--password-file", required=True)
        modes.choices[name].add_argument("--sources", type=lambda text: text.split(","), required=True)
    modes.choices["logins"].add_argument("--count", type=int, required=True)
    for name in ("stream", "probe"):
        modes.choices[name].add_argument("--rate", type=float, required=True)
        modes.choices[name].add_argument("--seconds", type=float, required=True)
    modes.choices["stream"].add_argument("--workers", type=int, default=64)
    modes.choices["probe"].add_argument("--token-file", required=True)
    modes.choices["probe"].add_argument("--path", default="/api/v1/nodes")
    modes.choices["probe"].add_argument("--out", required=True)
    report = modes.add_parser("spike-report")
    report.add_argument("--probe", required=True)
    report.add_argument("--start", type=float, required=True)
    report.add_argument("--end", type=float, required=True)
    args = parser.parse_args()
    {"logins": logins, "stream": stream, "probe": probe, "spike-report": spike_report}[args.mode](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
