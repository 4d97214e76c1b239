"""Runs the official fal-client (1.0.3) against a running fal emulator, unmodified.

fal-client hard-codes https and fal's hosts. The harness only redirects URLs at the transport layer:
https://<FAL_RUN_HOST / FAL_QUEUE_RUN_HOST> (pointed at the emulator through fal-client's own environment
variables) becomes http://, and the hard-coded https://rest.fal.ai and https://v3.fal.media become the
emulator's /rest and /cdn prefixes. Any other destination is refused, so nothing leaves the machine.

Usage: python3 fal_client_fidelity.py http://127.0.0.1:PORT KEY
Prints one JSON summary line; exits non-zero on the first mismatch.
"""
import json
import os
import sys
import tempfile
from urllib.parse import urlsplit

BASE = sys.argv[1].rstrip("/")
KEY = sys.argv[2]
# Stretches the one timeline that must be observed in order (Queued first): > 1 under a sanitizer, whose
# slowdown of the in-process emulator can otherwise outlast the whole queue before the first status.
TIME_SCALE = int(sys.argv[3]) if len(sys.argv) > 3 else 1
HOSTPORT = urlsplit(BASE).netloc

# fal-client reads these at import time.
os.environ["FAL_KEY"] = KEY
os.environ["FAL_RUN_HOST"] = f"{HOSTPORT}/run"
os.environ["FAL_QUEUE_RUN_HOST"] = f"{HOSTPORT}/queue"

import httpx  # noqa: E402

HOST_PREFIXES = {"rest.fal.ai": "/rest", "v3.fal.media": "/cdn"}


def redirect(request: httpx.Request) -> None:
    url = request.url
    if url.host in HOST_PREFIXES:
        request.url = httpx.URL(f"{BASE}{HOST_PREFIXES[url.host]}{url.raw_path.decode('ascii')}")
    elif f"{url.host}:{url.port}" == HOSTPORT:
        request.url = url.copy_with(scheme="http")
    else:
        raise RuntimeError(f"refusing to contact {url}")
    request.headers["Host"] = HOSTPORT


_sync_handle = httpx.HTTPTransport.handle_request
_async_handle = httpx.AsyncHTTPTransport.handle_async_request


def sync_handle(self, request):
    redirect(request)
    return _sync_handle(self, request)


async def async_handle(self, request):
    redirect(request)
    return await _async_handle(self, request)


httpx.HTTPTransport.handle_request = sync_handle
httpx.AsyncHTTPTransport.handle_async_request = async_handle

import fal_client  # noqa: E402
from fal_client.client import Completed, InProgress, Queued  # noqa: E402

assert fal_client.__version__.startswith("1.0.3"), fal_client.__version__

ENDPOINT = "fal-ai/illusion-diffusion"
ARGS = {"prompt": "a castle", "image_url": "https://example.com/pattern.png", "image_size": "square", "seed": 42}
summary = {}


def check(condition, message):
    if not condition:
        print(json.dumps({"failed": message, "summary": summary}))
        sys.exit(1)


def get(url):
    return httpx.get(url, timeout=30)


# submit + status(with_logs=True) + result
step = str(1500 * TIME_SCALE)
handle = fal_client.submit(ENDPOINT, arguments=ARGS, headers={"X-Fal-Emulator-Queue-Depth": "2", "X-Fal-Emulator-Queue-Step-Ms": step, "X-Fal-Emulator-Latency-Ms": step})
check(handle.status_url.startswith(BASE + "/queue/"), f"status_url {handle.status_url}")
seen = []
for _ in range(400 * TIME_SCALE):
    status = handle.status(with_logs=True)
    seen.append(type(status).__name__)
    if isinstance(status, Queued):
        check(isinstance(status.position, int), "queue position is an int")
    if isinstance(status, InProgress):
        check(isinstance(status.logs, list), "in-progress logs are a list")
    if isinstance(status, Completed):
        check(status.error is None, f"unexpected error {status.error}")
        check(len(status.logs) > 0 and "message" in status.logs[0], "completed logs")
        break
    import time
    time.sleep(0.05)
# Only the order is certain when the machine is loaded; InProgress is checked deterministically below.
order = ["Queued", "InProgress", "Completed"]
check(seen[0] == "Queued" and seen[-1] == "Completed" and [order.index(s) for s in seen] == sorted(order.index(s) for s in seen), f"status sequence {seen}")
running = fal_client.submit(ENDPOINT, arguments=ARGS, headers={"X-Fal-Emulator-Queue-Depth": "0", "X-Fal-Emulator-Latency-Ms": "60000"})
in_progress = running.status(with_logs=True)
check(isinstance(in_progress, InProgress) and isinstance(in_progress.logs, list) and in_progress.logs, f"in progress with logs: {in_progress}")
running.cancel()
result = handle.get()
check(result["seed"] == 42, "seed echoed")
check(result["image"]["width"] == 512 and result["image"]["height"] == 512, "square preset")
png = get(result["image"]["url"])
check(png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n", "image is a PNG")
check(len(png.content) == result["image"]["file_size"], "file_size matches")


def png_pixels(data):
    """Decodes the IDAT stream with zlib (which checks Adler-32) and returns (width, height, raw length)."""
    import struct
    import zlib
    offset, idat, width, height = 8, b"", 0, 0
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        check(zlib.crc32(kind + body) == struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])[0], "chunk CRC")
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            idat += body
        offset += 12 + length
    return width, height, len(zlib.decompress(idat))


width, height, raw = png_pixels(png.content)
check((width, height, raw) == (512, 512, 512 * (1 + 3 * 512)), f"PNG decodes: {(width, height, raw)}")
summary["submit_status_result"] = sorted(set(seen))

# result() and status() through fresh handles built from the request id
again = fal_client.result(ENDPOINT, handle.request_id)
check(again == result, "result by id")
check(isinstance(fal_client.status(ENDPOINT, handle.request_id, with_logs=True), Completed), "status by id")

# cancel
queued = fal_client.submit(ENDPOINT, arguments=ARGS, headers={"X-Fal-Emulator-Queue-Depth": "100", "X-Fal-Emulator-Queue-Step-Ms": "1000"})
queued.cancel()
after = queued.status()
check(isinstance(after, Completed) and after.error, "cancelled request completes with an error")
summary["cancel"] = after.error_type

# subscribe with queue updates
updates = []
output = fal_client.subscribe(
    ENDPOINT, arguments=ARGS, with_logs=True, on_queue_update=lambda update: updates.append(type(update).__name__),
    headers={"X-Fal-Emulator-Queue-Depth": "2", "X-Fal-Emulator-Queue-Step-Ms": "200", "X-Fal-Emulator-Latency-Ms": "400"})
check(output == result, "subscribe output equals submit output for the same input")
check(updates and updates[-1] == "Completed", f"queue updates {updates}")
summary["subscribe_updates"] = len(updates)

# upload_file (CDN v3 with a token from rest) and the legacy initiate + PUT repository
with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as file:
    file.write(png.content)
    path = file.name
url = fal_client.upload_file(path)
check(url.startswith(BASE + "/cdn/files/"), f"upload url {url}")
check(get(url).content == png.content, "uploaded bytes served back")
legacy = fal_client.upload(b"legacy bytes", "text/plain", file_name="note.txt", repository="fal")
check(get(legacy).content == b"legacy bytes", "initiate + PUT upload")
os.unlink(path)
summary["upload"] = "ok"

# run (fal.run) and stream (SSE partial outputs)
ran = fal_client.run(ENDPOINT, arguments=ARGS)
check(ran == result, "run output")
events = list(fal_client.stream("fal-ai/fast-sdxl/image-to-image", arguments={"prompt": "p", "image_url": "https://x/y.png", "num_images": 2}))
check(len(events) >= 2 and len(events[-1]["images"]) == 2, f"stream events {len(events)}")
summary["stream_events"] = len(events)

# fal-client's own retries against injected 429s and nginx 503s
for mode in ("429", "503"):
    scenario = f"python-retry-{mode}"
    retried = fal_client.submit(ENDPOINT, arguments=ARGS, headers={
        "X-Fal-Emulator-Failure": mode, "X-Fal-Emulator-Failure-Times": "2", "X-Fal-Emulator-Scenario": scenario})
    check(retried.request_id, "submit succeeded after retries")
    log = httpx.get(f"{BASE}/_emulator/requests", headers={"Authorization": f"Key {KEY}"}, timeout=30).json()
    check(log["scenarios"][scenario] == {"attempts": 3, "failures": 2}, f"{mode} retries {log['scenarios'].get(scenario)}")
summary["retries"] = "429 and 503 retried twice each"

# validation errors surface as fal's 422 through the client
try:
    fal_client.run(ENDPOINT, arguments=[1, 2])
    check(False, "non-object body accepted")
except fal_client.client.FalClientHTTPError as error:
    check(error.status_code == 422 and isinstance(error.message, list), f"422 shape {error.status_code} {error.message}")

# schema validation (the generator's validator, overlays applied): a width that is not a multiple of 8
try:
    fal_client.run(ENDPOINT, arguments={**ARGS, "image_size": {"width": 1001, "height": 512}})
    check(False, "width 1001 accepted")
except fal_client.client.FalClientHTTPError as error:
    check(error.status_code == 422, f"status {error.status_code}")
    check(error.message == [{"loc": ["body", "image_size", "width"], "msg": "1001 is not a multiple of 8", "type": "multiple_of"}], f"detail {error.message}")
summary["validation"] = "422 for width 1001"

print(json.dumps({"ok": True, "summary": summary}))
