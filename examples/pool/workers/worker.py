"""A pool worker: serves JSON-line requests on 127.0.0.1:<port>.

Usage: python3 worker.py --id w1 --port 41234

It announces readiness with one stdout line, `READY <id> <port>`, once it listens. Each connection
carries requests, one JSON object per line; every request gets one or more JSON lines back, the last
with "end": true. Errors are answers too: {"ok": false, "error": {"status": 4xx, "code", "message"}}.
"""

import argparse
import json
import os
import socketserver
import sys
import threading

SESSIONS = {}  # session id -> {name: value}
SESSIONS_LOCK = threading.Lock()


class BadRequest(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.status = status


def require(request, field, kind):
    value = request.get(field)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BadRequest("BAD_FIELD", f"'{field}' must be a {kind.__name__}, got {json.dumps(value)}")
    return value


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def compute(request):
    fn = require(request, "fn", str)
    args = request.get("args")
    if not isinstance(args, list) or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
        raise BadRequest("BAD_FIELD", f"'args' must be a list of numbers, got {json.dumps(args)}")
    if fn == "sum":
        return sum(args)
    if fn == "product":
        out = 1
        for a in args:
            out *= a
        return out
    if fn == "fib":
        if len(args) != 1 or not isinstance(args[0], int) or not 0 <= args[0] <= 1000:
            raise BadRequest("BAD_FIELD", "'fib' takes one integer from 0 to 1000")
        return fib(args[0])
    raise BadRequest("UNKNOWN_FUNCTION", f"no function {json.dumps(fn)}; known: sum, product, fib")


class Handler(socketserver.StreamRequestHandler):
    def send(self, message):
        self.wfile.write((json.dumps(message) + "\n").encode())
        self.wfile.flush()

    def handle(self):
        for raw in self.rfile:
            try:
                try:
                    request = json.loads(raw)
                except ValueError:
                    raise BadRequest("BAD_JSON", "a request is one JSON object per line")
                if not isinstance(request, dict):
                    raise BadRequest("BAD_JSON", "a request is one JSON object per line")
                self.serve(request, require(request, "op", str))
            except BadRequest as error:
                self.send({"ok": False, "error": {"status": error.status, "code": error.code, "message": str(error)}, "end": True})

    def serve(self, request, op):
        worker = self.server.worker_id
        if op == "ping":
            self.send({"ok": True, "result": "pong", "worker": worker, "pid": os.getpid(), "end": True})
        elif op == "echo":
            self.send({"ok": True, "result": request.get("payload"), "worker": worker, "end": True})
        elif op == "compute":
            self.send({"ok": True, "result": compute(request), "worker": worker, "end": True})
        elif op == "stream":
            chunks = require(request, "chunks", list)
            for chunk in chunks:
                self.send({"chunk": chunk})
            self.send({"ok": True, "result": len(chunks), "worker": worker, "end": True})
        elif op == "hold":
            # Acknowledge, then never answer: the request stays in flight until the worker dies.
            self.send({"chunk": "holding"})
            threading.Event().wait()
        elif op == "crash":
            os._exit(3)
        elif op == "set":
            session, name = require(request, "session", str), require(request, "name", str)
            with SESSIONS_LOCK:
                SESSIONS.setdefault(session, {})[name] = request.get("value")
            self.send({"ok": True, "result": None, "worker": worker, "end": True})
        elif op == "get":
            session, name = require(request, "session", str), require(request, "name", str)
            with SESSIONS_LOCK:
                variables = SESSIONS.get(session, {})
                if name not in variables:
                    raise BadRequest("NO_VARIABLE", f"session {json.dumps(session)} has no variable {json.dumps(name)}", 404)
                value = variables[name]
            self.send({"ok": True, "result": value, "worker": worker, "end": True})
        elif op == "end_session":
            session = require(request, "session", str)
            with SESSIONS_LOCK:
                existed = SESSIONS.pop(session, None) is not None
            self.send({"ok": True, "result": existed, "worker": worker, "end": True})
        elif op == "sessions":
            with SESSIONS_LOCK:
                names = sorted(SESSIONS)
            self.send({"ok": True, "result": names, "worker": worker, "end": True})
        else:
            raise BadRequest("UNKNOWN_OP", f"no operation {json.dumps(op)}")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # a restarted worker binds its port again at once
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--id", required=True)
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    server = Server(("127.0.0.1", options.port), Handler)
    server.worker_id = options.id
    print(f"READY {options.id} {options.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
