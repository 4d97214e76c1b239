#!/usr/bin/env python3
"""A small stand-in for fal's hosts, for FalRuntime's tests until they run against the emulator.

Serves /queue, /run, /rest, /cdn (fal's hosts under path prefixes, like the emulator) plus test
controls under /__. 127.0.0.1 only; exits when its parent (the test process) goes away.
Faults are chosen per request with the `X-Test-Fault` header and counted per `X-Test-Fault-Id`,
so each test gets its own deterministic sequence.
"""
import hashlib, json, os, socket, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

KEY = os.environ.get("FAKE_FAL_KEY", "test-key")
CDN_TOKEN = "cdn-token-123"
LOCK = threading.Lock()
LOG = []            # every request: method, path, has_auth, auth_scheme, fault_id
REQUESTS = {}       # request id -> state
FILES = {}          # file id -> {size, sha256, parts}
MULTIPART = {}      # upload id -> {file_id, parts: {n: (size, sha)}}
ATTEMPTS = {}       # fault id -> attempts seen
JWKS = {"keys": []}
HOOKS = []          # webhook deliveries received at /hook: headers and base64 body
CONFIG = {"cdn_fail": False}
ISSUED_TOKENS = {CDN_TOKEN}  # storage tokens the CDN accepts; each token request issues a new one
REVOKED_TOKENS = {}          # token -> status (401/403) the CDN answers it with


def now():
    return time.time()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # ---- helpers
    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self, digest=None):
        length = int(self.headers.get("Content-Length") or 0)
        chunks, remaining = [], length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
            if digest is not None:
                digest.update(chunk)
            else:
                chunks.append(chunk)
        return b"".join(chunks), length - remaining

    def authorized(self):
        return self.headers.get("Authorization") == "Key " + KEY

    def latency(self):
        # The emulator's control header is honoured too, so benchmarks can run against this server.
        if self.headers.get("X-Fal-Emulator-Latency-Ms") is not None:
            return float(self.headers.get("X-Fal-Emulator-Latency-Ms")) / 1000
        return float(self.headers.get("X-Test-Latency") or 0.3)

    def attempt(self):
        fid = self.headers.get("X-Test-Fault-Id")
        if not fid:
            return 1
        with LOCK:
            ATTEMPTS[fid] = ATTEMPTS.get(fid, 0) + 1
            return ATTEMPTS[fid]

    def record(self, path):
        auth = self.headers.get("Authorization") or ""
        with LOCK:
            LOG.append({"method": self.command, "path": path, "auth": auth.split(" ")[0] if auth else None,
                        "has_key": KEY in auth, "fault_id": self.headers.get("X-Test-Fault-Id"),
                        "target": self.headers.get("x-fal-target-url"),
                        "headers": {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-fal")}})

    # Applies a fault; returns True when the request was answered (or dropped) here.
    def inject(self, fault, attempt):
        if not fault:
            return False
        kind, _, count = fault.rpartition("x")
        if not count.isdigit():
            kind, count = fault, "1"
        limit = int(count)
        if attempt > limit:
            return False
        if kind == "429":
            self.send_json(429, {"detail": "rate limited"}, {"Retry-After": "0"})
        elif kind.startswith("429after:"):
            # A hostile or broken Retry-After (inf, nan, 1e20, a date in year 9999): the client must not trap
            # and must not sleep longer than its policy's maxDelay.
            self.send_json(429, {"detail": "rate limited"}, {"Retry-After": kind[len("429after:"):]})
        elif kind == "nginx503":
            page = b"<html><body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>"
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        elif kind == "app503":
            self.send_json(503, {"detail": "runner unavailable"}, {"x-fal-request-id": "app-req", "x-fal-error-type": "runner_unavailable"})
        elif kind == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
        elif kind == "hang":
            # Received, then no answer at all: the client's timeout fires with no response begun.
            time.sleep(3)
            self.close_connection = True
        elif kind == "resetafterhead":
            # The answer began (so libcurl will not quietly retry it), then the connection is reset.
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            self.wfile.flush()
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
        elif kind == "stall":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"request_id": ')
            self.wfile.flush()
            time.sleep(4)
            self.close_connection = True
        elif kind == "422":
            self.send_json(422, {"detail": [{"loc": ["body", "image_size", "width"], "msg": "ensure this value is a multiple of 8", "type": "value_error"}]})
        else:
            return False
        return True

    # ---- dispatch
    def do_GET(self): self.route()
    def do_POST(self): self.route()
    def do_PUT(self): self.route()

    def route(self):
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        if path == "/proxy":
            target = urlsplit(self.headers.get("x-fal-target-url") or "")
            path, query = target.path, parse_qs(target.query)
            self.record("/proxy" + path)
            proxied = True
        else:
            self.record(path)
            proxied = False
        parts = [p for p in path.split("/") if p]
        try:
            if parts[:1] == ["__"]:
                return self.controls(parts[1:])
            if parts[:1] == ["hook"]:
                body, _ = self.read_body()
                import base64
                with LOCK:
                    HOOKS.append({"headers": {k: v for k, v in self.headers.items()}, "body": base64.b64encode(body).decode()})
                return self.send_json(200, {})
            if parts[:1] == ["jwks.json"]:
                return self.send_json(200, JWKS)
            if parts[:1] == ["offsite"]:
                return self.send_json(200, {"images": [], "seed": 7, "offsite": True})
            if parts[:1] in (["queue"], ["run"], ["rest"]) and not proxied and not self.authorized():
                self.read_body(hashlib.sha256())
                return self.send_json(401, {"detail": "missing or bad key"})
            if parts[:1] == ["queue"]:
                return self.queue(parts[1:], query)
            if parts[:1] == ["run"]:
                return self.run(parts[1:])
            if parts[:1] == ["rest"]:
                return self.rest(parts[1:], query)
            if parts[:1] == ["cdn"]:
                return self.cdn(parts[1:])
            if parts[:1] == ["gcs"]:
                return self.gcs(parts[1:])
            if parts[:1] == ["slow"]:
                time.sleep(float(query.get("s", ["3"])[0]))
                return self.send_json(200, {"slow": True})
            self.read_body(hashlib.sha256())
            return self.send_json(404, {"detail": "no route " + path})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def controls(self, parts):
        body, _ = self.read_body()
        if parts == ["log"]:
            with LOCK:
                return self.send_json(200, LOG)
        if parts == ["hooks"]:
            with LOCK:
                return self.send_json(200, HOOKS)
        if parts == ["reset"]:
            with LOCK:
                LOG.clear()
            return self.send_json(200, {})
        if parts == ["jwks"]:
            JWKS.clear()
            JWKS.update(json.loads(body))
            return self.send_json(200, {})
        if parts == ["revoke-cdn-token"]:
            request = json.loads(body)
            with LOCK:
                REVOKED_TOKENS[request["token"]] = request.get("status", 401)
            return self.send_json(200, {})
        if parts == ["config"]:
            CONFIG.update(json.loads(body))
            return self.send_json(200, CONFIG)
        if parts[:1] == ["files"]:
            return self.send_json(200, FILES.get(parts[1], {}))
        return self.send_json(404, {})

    # ---- queue.fal.run
    def queue(self, parts, query):
        attempt = self.attempt()
        if self.command == "POST":
            body, _ = self.read_body()
            if self.inject(self.headers.get("X-Test-Fault"), attempt):
                return
            rid = str(uuid.uuid4())
            app = "/".join(parts[:3] if parts[0] in ("workflows", "comfy") else parts[:2])
            REQUESTS[rid] = {"input": json.loads(body or b"{}"), "created": now(),
                             "latency": self.latency(),
                             "fault": self.headers.get("X-Test-Fault") or "", "cancelled": False, "app": app,
                             "path": "/".join(parts), "webhook": query.get("fal_webhook", [None])[0],
                             "headers": {k.lower(): v for k, v in self.headers.items()}}
            base = "%s/queue/%s/requests/%s" % (self.base(), app, rid)
            return self.send_json(200, {"request_id": rid, "response_url": base, "status_url": base + "/status",
                                        "cancel_url": base + "/cancel", "queue_position": 0})
        # .../requests/{id}[/status[/stream]|/cancel]
        i = parts.index("requests")
        rid, rest = parts[i + 1], parts[i + 2:]
        state = REQUESTS.get(rid)
        if state is None:
            return self.send_json(404, {"detail": "request not found"})
        state.setdefault("lookups", []).append("/".join(parts[:i]))
        if rest == ["cancel"] and self.command == "PUT":
            state["cancelled"] = True
            return self.send_json(202, {"status": "CANCELLATION_REQUESTED"})
        if rest == ["status"]:
            return self.send_json(200, self.status(state, "1" in query.get("logs", []) or "true" in query.get("logs", [])))
        if rest == ["status", "stream"]:
            return self.status_stream(state)
        if rest == []:
            if "redirect-offsite" in state["fault"]:
                self.send_response(302)
                self.send_header("Location", "/offsite/result")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if "fail" in state["fault"]:
                return self.send_json(500, {"detail": "boom"}, {"x-fal-error-type": "runner_error", "x-fal-request-id": rid})
            if "badoutput" in state["fault"]:
                return self.send_json(200, {"images": [{"url": 5}], "seed": 1})
            return self.send_json(200, self.output(state["input"]))
        return self.send_json(404, {"detail": "bad queue path"})

    def status(self, state, logs):
        elapsed = now() - state["created"]
        latency = state["latency"]
        if state["cancelled"]:
            body = {"status": "COMPLETED", "error": "Request cancelled", "error_type": "cancelled"}
        elif elapsed < latency / 2:
            body = {"status": "IN_QUEUE", "queue_position": 1 if elapsed < latency / 4 else 0}
        elif elapsed < latency:
            body = {"status": "IN_PROGRESS"}
        else:
            body = {"status": "COMPLETED", "metrics": {"inference_time": latency}}
        # `observed`: no phase is skipped, whatever the load: IN_QUEUE and IN_PROGRESS are each served at
        # least once before the request moves on, so tests see them without depending on timing.
        if "observed" in state["fault"] and not state["cancelled"]:
            served = state.setdefault("served", set())
            for phase in ("IN_QUEUE", "IN_PROGRESS"):
                if phase not in served and body["status"] != phase:
                    body = {"status": "IN_QUEUE", "queue_position": 0} if phase == "IN_QUEUE" else {"status": "IN_PROGRESS"}
                    break
                if body["status"] == phase:
                    break
            served.add(body["status"])
        if body["status"] == "COMPLETED" and not state["cancelled"]:
            if "fail" in state["fault"]:
                body["error"] = "boom"
                body["error_type"] = "runner_error"
        body["logs"] = None  # fal sends the key either way; fal-client 1.0.3 requires it
        if logs and body["status"] != "IN_QUEUE":
            body["logs"] = [{"message": "step 1", "level": "INFO", "source": "user", "timestamp": "2026-01-01T00:00:00Z"}]
        return body

    def status_stream(self, state):
        if "no-sse" in state["fault"]:
            return self.send_json(405, {"detail": "streaming not supported here"})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        last, sent = None, 0
        deadline = now() + 30
        while now() < deadline:
            body = self.status(state, True)
            if body != last:
                self.wfile.write(("data: %s\n\n" % json.dumps(body)).encode())
                self.wfile.flush()
                last, sent = body, sent + 1
                if body["status"] == "COMPLETED":
                    return
                if "sse-drop" in state["fault"] and sent == 1:
                    return
            time.sleep(0.005)

    def output(self, input):
        return {"images": [{"url": self.base() + "/cdn/files/out.png", "width": 8, "height": 8, "content_type": "image/png"}],
                "seed": input.get("seed", 42), "prompt": input.get("prompt"), "echo": input}

    # ---- fal.run
    def run(self, parts):
        body, _ = self.read_body()
        if self.inject(self.headers.get("X-Test-Fault"), self.attempt()):
            return
        data = json.loads(body or b"{}")
        if parts[-1:] == ["stream"]:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for step in range(3):
                event = {"images": [], "seed": step, "prompt": data.get("prompt")}
                self.wfile.write(("data: %s\n\n" % json.dumps(event)).encode())
                self.wfile.flush()
                time.sleep(0.01)
            return
        return self.send_json(200, self.output(data))

    # ---- rest.fal.ai
    def rest(self, parts, query):
        body, _ = self.read_body()
        if parts == ["storage", "auth", "token"]:
            expires = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now() + 3600)) + ".123456+00:00"
            token = "%s-%s" % (CDN_TOKEN, uuid.uuid4().hex[:12])
            with LOCK:
                ISSUED_TOKENS.add(token)
            return self.send_json(200, {"token": token, "token_type": "Bearer", "base_url": self.base() + "/cdn", "expires_at": expires})
        if parts == ["storage", "upload", "initiate"]:
            request = json.loads(body)
            fid = str(uuid.uuid4())
            FILES[fid] = {"file_name": request.get("file_name"), "content_type": request.get("content_type")}
            return self.send_json(200, {"upload_url": "%s/gcs/%s" % (self.base(), fid), "file_url": "%s/cdn/files/%s" % (self.base(), fid)})
        return self.send_json(404, {})

    def gcs(self, parts):
        digest = hashlib.sha256()
        _, size = self.read_body(digest)
        FILES.setdefault(parts[0], {}).update({"size": size, "sha256": digest.hexdigest(), "via": "initiate",
                                               "auth_header": self.headers.get("Authorization"),
                                               "content_type": self.headers.get("Content-Type")})
        return self.send_json(200, {})

    # ---- v3.fal.media
    def cdn(self, parts):
        auth = self.headers.get("Authorization") or ""
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        with LOCK:
            rejection = REVOKED_TOKENS.get(token) or (None if token in ISSUED_TOKENS else 401)
        # Uploads named `reject-token…` are refused whatever the token, to show the refresh happens once.
        if (self.headers.get("X-Fal-File-Name") or "").startswith("reject-token"):
            rejection = 401
        if rejection:
            self.read_body(hashlib.sha256())
            return self.send_json(rejection, {"detail": "bad cdn token"})
        if parts == ["files", "upload"]:
            digest = hashlib.sha256()
            _, size = self.read_body(digest)
            if CONFIG.get("cdn_fail") or (self.headers.get("X-Fal-File-Name") or "").startswith("fail-cdn"):
                return self.send_json(500, {"detail": "cdn down"}, {"x-fal-request-id": "cdn"})
            fid = str(uuid.uuid4())
            FILES[fid] = {"size": size, "sha256": digest.hexdigest(), "via": "cdn", "file_name": self.headers.get("X-Fal-File-Name"),
                          "content_type": self.headers.get("Content-Type")}
            return self.send_json(200, {"access_url": "%s/cdn/files/%s" % (self.base(), fid)})
        if parts == ["files", "upload", "multipart"]:
            self.read_body()
            fid, uid = str(uuid.uuid4()), str(uuid.uuid4())
            MULTIPART[uid] = {"file_id": fid, "parts": {}}
            FILES[fid] = {"via": "multipart", "file_name": self.headers.get("X-Fal-File-Name")}
            return self.send_json(200, {"access_url": "%s/cdn/files/%s" % (self.base(), fid), "uploadId": uid})
        if len(parts) == 5 and parts[2] == "multipart" and self.command == "PUT":
            uid, number = parts[3], int(parts[4])
            digest = hashlib.sha256()
            _, size = self.read_body(digest)
            MULTIPART.setdefault(uid, {"file_id": None, "parts": {}})["parts"][number] = (size, digest.hexdigest())
            return self.send_json(200, {}, {"ETag": '"etag-%d"' % number})
        if len(parts) == 5 and parts[4] == "complete":
            body, _ = self.read_body()
            upload = MULTIPART[parts[3]]
            listed = json.loads(body)["parts"]
            numbers = [p["partNumber"] for p in listed]
            ok = numbers == sorted(upload["parts"]) and all(p["etag"] == '"etag-%d"' % p["partNumber"] for p in listed)
            if not ok:
                return self.send_json(400, {"detail": "parts do not match"})
            FILES[upload["file_id"]].update({"size": sum(s for s, _ in upload["parts"].values()),
                                             "part_sha256": [upload["parts"][n][1] for n in sorted(upload["parts"])]})
            return self.send_json(200, {})
        self.read_body(hashlib.sha256())
        return self.send_json(404, {})


def main():
    ThreadingHTTPServer.request_queue_size = 512  # tests open many connections at once
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    parent = os.getppid()

    def watchdog():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
