#!/usr/bin/env python3
"""A minimal leader for the agent footprint benchmark: mutual TLS with a
coordinator certificate, welcomes every agent as leader of term 1, and
acknowledges every report (PROTOCOL.md, "Agent reports" / "Agent sessions").
It answers pings with pongs. Prints 'ready PORT' once listening; stops on SIGTERM.

usage: coordinator.py CERT KEY CA
"""
import socket
import ssl
import struct
import sys
import threading

TERM = 1
KIND_PING, KIND_PONG, KIND_REPORT, KIND_ACK, KIND_HELLO, KIND_WELCOME = 1, 2, 6, 7, 8, 9


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data, offset):
    value, shift = 0, 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, offset


def frame(kind, payload):
    return struct.pack(">IBB", len(payload) + 2, 1, kind) + payload


def read_exact(conn, count):
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def acknowledged_sequence(report):
    """first + count - 1 from a report's header, or None for an empty report."""
    offset = 1
    _, offset = read_varint(report, offset)  # incarnation
    _, offset = read_varint(report, offset)  # highest seen term
    first, offset = read_varint(report, offset)
    names, offset = read_varint(report, offset)
    for _ in range(names):
        length, offset = read_varint(report, offset)
        offset += length
    count, offset = read_varint(report, offset)
    return first + count - 1 if count else None


def serve(conn):
    try:
        while True:
            length, _version, kind = struct.unpack(">IBB", read_exact(conn, 6))
            payload = read_exact(conn, length - 2)
            if kind == KIND_HELLO:
                welcome = b"\x01" + varint(TERM) + struct.pack(">I", 5) + b"bench" + varint(0)
                conn.sendall(frame(KIND_WELCOME, welcome))
            elif kind == KIND_REPORT:
                sequence = acknowledged_sequence(payload)
                if sequence is not None:
                    conn.sendall(frame(KIND_ACK, b"\x01" + varint(TERM) + varint(sequence)))
            elif kind == KIND_PING:
                conn.sendall(frame(KIND_PONG, payload))
    except (ConnectionError, OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    cert, key, ca = sys.argv[1:4]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.load_verify_locations(ca)
    context.verify_mode = ssl.CERT_REQUIRED
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print("ready", listener.getsockname()[1], flush=True)
    while True:
        raw, _ = listener.accept()
        try:
            conn = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
