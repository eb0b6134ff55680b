"""Loads a coordinator with audited writes for Scripts/bench/snapshot: WRITERS keep-alive HTTPS
connections, each replacing its own environment again and again (PUT /api/v1/environments/NAME, names of the longest length,
alternating its approval timeout so every write changes the state), until TOTAL writes were
acknowledged in all. Each write leaves an audit record, so the fleet state grows with them.
Usage: load.py API_URL CA TOKEN_FILE TOTAL WRITERS"""
import http.client
import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from bench_client import make_context  # noqa: E402


def environment_name(index):
    """The longest name an environment may have (63 characters), so each audit record is as large
    as an environment write makes it."""
    return ("bench-%02d-" % index).ljust(63, "x")


def writer(url, context, token, index, count, failures):
    connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    for number in range(count):
        body = '{"defaultStrategy":"rolling","requiresApproval":false,"approvalTimeoutSeconds":%d}' % (60 + number % 2)
        connection.request("PUT", "/api/v1/environments/" + environment_name(index), body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        if answer.status not in (200, 201):
            failures.append(answer.status)
            return


def main():
    url, ca, token_file, total, writers = sys.argv[1:6]
    url, total, writers = urllib.parse.urlparse(url), int(total), int(writers)
    token = open(token_file).read().strip()
    context = make_context(ca)
    failures = []
    threads = [threading.Thread(target=writer, args=(url, context, token, index, total // writers, failures))
               for index in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit("writes refused with status %s" % sorted(set(failures)))


main()
