#!/usr/bin/env python3
"""A stub Kubernetes API server for chart-test's lookup check: enough discovery for helm's
`--dry-run=server` and one Secret, `hotswap-tls` in namespace `hotswap`, whose data holds ca.key only
when the first argument is `with-ca-key`. It listens on 127.0.0.1 at a port of the kernel's choice
and writes that port to the file the second argument names, once it accepts connections."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WITH_CA_KEY = sys.argv[1] == "with-ca-key"
SECRET_PATH = "/api/v1/namespaces/hotswap/secrets/hotswap-tls"
DISCOVERY = {
    "/version": {"major": "1", "minor": "32", "gitVersion": "v1.32.0"},
    "/api": {"kind": "APIVersions", "versions": ["v1"]},
    "/apis": {"kind": "APIGroupList", "groups": []},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "secrets", "singularName": "secret", "namespaced": True, "kind": "Secret", "verbs": ["get"]}]},
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def answer(self, status, body):
        encoded = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in DISCOVERY:
            return self.answer(200, DISCOVERY[path])
        if path == SECRET_PATH:
            data = {"ca.pem": "Y2E=", "ca.key": "a2V5"} if WITH_CA_KEY else {"ca.pem": "Y2E="}
            metadata = {"name": "hotswap-tls", "namespace": "hotswap"}
            return self.answer(200, {"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "data": data})
        self.answer(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".new", "w") as port_file:
    port_file.write(str(server.server_address[1]))
# Renamed once written, so that a reader never sees a partial port.
os.rename(sys.argv[2] + ".new", sys.argv[2])
server.serve_forever()
