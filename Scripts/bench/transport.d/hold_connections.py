#!/usr/bin/env python3
"""Open N idle TLS connections to one server and hold them until told to stop.

Used by Scripts/bench/transport to measure a server's memory per idle TLS connection.
Certificates are not verified (the benchmark talks to its own throwaway CA on loopback).

Prints one line `established=K failed=F` once every handshake has finished or failed,
then holds the connections until SIGTERM/SIGINT or until standard input reaches EOF,
and closes them all before exiting.
"""

import argparse
import asyncio
import resource
import signal
import ssl
import sys

HANDSHAKES_IN_FLIGHT_MAXIMUM = 64
HANDSHAKE_TIMEOUT_SECONDS = 15
CONNECTIONS_MAXIMUM = 20_000
HOLD_MAXIMUM_SECONDS = 600


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=1000)
    arguments = parser.parse_args()
    if not 1 <= arguments.count <= CONNECTIONS_MAXIMUM:
        parser.error(f"--count must be between 1 and {CONNECTIONS_MAXIMUM}")
    if not arguments.host.startswith("127.") and arguments.host not in ("localhost", "::1"):
        parser.error("--host must be a loopback address")
    return arguments


def raise_open_files_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed + 64
    if soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def client_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


async def connect(host, port, context, gate):
    async with gate:
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=context, server_hostname=None),
                HANDSHAKE_TIMEOUT_SECONDS,
            )
            return writer
        except (OSError, ssl.SSLError, asyncio.TimeoutError) as error:
            print(f"connect failed: {error!r}", file=sys.stderr)
            return None


async def wait_for_stop():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop():
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, request_stop)
    loop.add_signal_handler(signal.SIGINT, request_stop)
    try:
        loop.add_reader(sys.stdin.fileno(), lambda: request_stop() if not sys.stdin.buffer.read1(4096) else None)
    except (OSError, ValueError):
        pass  # stdin is a file or /dev/null, which cannot be watched: rely on the signals
    try:
        await asyncio.wait_for(stop, HOLD_MAXIMUM_SECONDS)
    except asyncio.TimeoutError:
        print("hold time maximum reached; closing", file=sys.stderr)


async def main():
    arguments = parse_arguments()
    raise_open_files_limit(arguments.count)
    context = client_context()
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT_MAXIMUM)
    attempts = [connect(arguments.host, arguments.port, context, gate) for _ in range(arguments.count)]
    writers = [writer for writer in await asyncio.gather(*attempts) if writer is not None]
    print(f"established={len(writers)} failed={arguments.count - len(writers)}", flush=True)
    await wait_for_stop()
    for writer in writers:
        writer.close()
    await asyncio.gather(*(writer.wait_closed() for writer in writers), return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
