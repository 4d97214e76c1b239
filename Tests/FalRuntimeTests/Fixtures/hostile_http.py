#!/usr/bin/env python3
"""HTTP servers that stall, flood or lie, for the transport contract tests and the hostile-server probe.

One threading server on 127.0.0.1 (printed as `listening on http://127.0.0.1:PORT`), plus a second port
whose accept queue is kept full so connecting to it never completes (`connect-timeout port N`). Exits when
its parent goes away. Every behaviour ends when the client disconnects.

  /echo                  answers JSON: method, headers, body length and sha256, whether the body came chunked
  /status/N              answers status N with a small JSON body
  /sse-pieces            three server-sent events written a few bytes at a time
  /sse-silent            an event-stream head, then nothing
  /sse-huge-line?mib=N   an event-stream head, then one `data:` line of N MiB (default 100) without a newline
  /sse-flood             events as fast as the client takes them
  /never-answers         reads the request, never answers
  /head-then-stall       a head promising 100 bytes, then nothing
  /endless?status=N      status N and a chunked body that never ends
  /lying-length          Content-Length of 1 GiB, 10 bytes, then nothing
  /redirect-loop         302 to itself
  /redirect              302 to /echo
  /slow?s=S              answers after S seconds
"""
import hashlib, json, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs


class Server(ThreadingHTTPServer):
    request_queue_size = 256  # 64 concurrent connections must not overflow the listen backlog
    daemon_threads = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        digest, size = hashlib.sha256(), 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = self.rfile.readline()
                length = int(line.strip().split(b";")[0] or b"0", 16)
                if length == 0:
                    self.rfile.readline()
                    break
                chunk = self.rfile.read(length)
                digest.update(chunk)
                size += len(chunk)
                self.rfile.readline()
            return size, digest.hexdigest(), True
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            remaining -= len(chunk)
        return size, digest.hexdigest(), False

    def do_GET(self): self.route()
    def do_POST(self): self.route()
    def do_PUT(self): self.route()

    def stall(self, seconds=600):
        # Until the client goes away (a read returns EOF) or the time is up.
        self.connection.settimeout(seconds)
        try:
            while self.connection.recv(65536):
                pass
        except OSError:
            pass
        self.close_connection = True

    def event_stream_head(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True

    def route(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        try:
            if path == "/echo":
                size, sha, chunked = self.read_body()
                return self.send_json(200, {
                    "method": self.command, "headers": {k.lower(): v for k, v in self.headers.items()},
                    "size": size, "sha256": sha, "chunked": chunked})
            self.read_body()
            if path.startswith("/status/"):
                status = int(path.split("/")[2])
                return self.send_json(status, {"detail": "status %d" % status})
            if path == "/slow":
                time.sleep(float(query.get("s", ["3"])[0]))
                return self.send_json(200, {"slow": True})
            if path == "/sse-pieces":
                self.event_stream_head()
                text = "".join('event: status\ndata: {"n": %d}\n\n' % n for n in range(3))
                for index in range(0, len(text), 5):
                    self.wfile.write(text[index:index + 5].encode())
                    self.wfile.flush()
                    time.sleep(0.002)
                return
            if path == "/sse-silent":
                self.event_stream_head()
                return self.stall()
            if path == "/sse-huge-line":
                self.event_stream_head()
                mib = int(query.get("mib", ["100"])[0])
                self.wfile.write(b"data: ")
                block = b"a" * (1 << 20)
                for _ in range(mib):
                    self.wfile.write(block)
                return self.stall(30)
            if path == "/sse-flood":
                self.event_stream_head()
                event = ('data: {"status": "IN_PROGRESS", "pad": "%s"}\n\n' % ("x" * 1000)).encode()
                while True:
                    self.wfile.write(event * 64)
                    time.sleep(0.0005)
            if path == "/never-answers":
                return self.stall()
            if path == "/head-then-stall":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b'{"a":')
                self.wfile.flush()
                return self.stall()
            if path == "/endless":
                status = int(query.get("status", ["200"])[0])
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = b"x" * 65536
                chunk = b"%x\r\n%s\r\n" % (len(block), block)
                while True:  # ~100 MB/s: a flood, with the GIL left to the other handlers now and then
                    self.wfile.write(chunk)
                    time.sleep(0.0005)
            if path == "/lying-length":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(1 << 30))
                self.end_headers()
                self.wfile.write(b"0123456789")
                self.wfile.flush()
                return self.stall()
            if path == "/redirect-loop":
                self.send_response(302)
                self.send_header("Location", "/redirect-loop")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/echo")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.send_json(404, {"detail": "no route " + path})
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.close_connection = True


def blackhole():
    """A listener whose accept queue is full: new connections are never completed."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        client = socket.socket()
        client.setblocking(False)
        try:
            client.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(client)
    time.sleep(0.2)
    return listener, fillers, port


def main():
    server = Server(("127.0.0.1", 0), Handler)
    hole = blackhole()
    print("connect-timeout port %d" % hole[2], flush=True)
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    parent = os.getppid()
    while os.getppid() == parent:  # the parent is gone: so are we
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    main()
