"""The official Python client (fal-client 1.0.3) as the benchmark's peer, pointed at a local server.

fal-client hard-codes https and fal's hosts; only the transport is redirected (https -> http on the
local server, rest.fal.ai / v3.fal.media -> its /rest and /cdn prefixes), as the emulator's fidelity
test does. Anything else is refused, so nothing leaves the machine.

Usage: python3 fal_client_peer.py BASE_URL KEY roundtrip N ENDPOINT PAYLOAD_JSON HEADERS_JSON
       python3 fal_client_peer.py BASE_URL KEY concurrent TOTAL WORKERS ENDPOINT PAYLOAD_JSON HEADERS_JSON
Prints one JSON line: {"samples_ms": [...]} or {"seconds": S, "completed": N}.
"""
import asyncio, json, os, sys, time
from urllib.parse import urlsplit

BASE, KEY, MODE = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
HOSTPORT = urlsplit(BASE).netloc
os.environ["FAL_KEY"] = KEY
os.environ["FAL_RUN_HOST"] = f"{HOSTPORT}/run"
os.environ["FAL_QUEUE_RUN_HOST"] = f"{HOSTPORT}/queue"

import httpx  # noqa: E402

PREFIXES = {"rest.fal.ai": "/rest", "v3.fal.media": "/cdn"}


def redirect(request):
    url = request.url
    if url.host in PREFIXES:
        request.url = httpx.URL(f"{BASE}{PREFIXES[url.host]}{url.raw_path.decode('ascii')}")
    elif f"{url.host}:{url.port}" == HOSTPORT:
        request.url = url.copy_with(scheme="http")
    else:
        raise RuntimeError(f"refusing to contact {url}")


_sync, _async = httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request


def sync_handle(self, request):
    redirect(request)
    return _sync(self, request)


async def async_handle(self, request):
    redirect(request)
    return await _async(self, request)


httpx.HTTPTransport.handle_request = sync_handle
httpx.AsyncHTTPTransport.handle_async_request = async_handle

import fal_client  # noqa: E402
from fal_client.client import Completed  # noqa: E402


def roundtrip(n, endpoint, payload, headers):
    client = fal_client.SyncClient(key=KEY)
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        handle = client.submit(endpoint, arguments=payload, headers=headers)
        while not isinstance(handle.status(), Completed):
            pass
        handle.get()  # fal-client's result fetch checks the status once more, then GETs the result
        samples.append((time.perf_counter() - start) * 1000)
    return {"samples_ms": samples}


async def concurrent(total, workers, endpoint, payload, headers):
    client = fal_client.AsyncClient(key=KEY)
    remaining = [total]
    completed = [0]

    async def worker():
        while remaining[0] > 0:
            remaining[0] -= 1
            await client.subscribe(endpoint, arguments=payload, headers=headers)
            completed[0] += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return {"seconds": time.perf_counter() - start, "completed": completed[0]}


if MODE == "roundtrip":
    result = roundtrip(int(sys.argv[4]), sys.argv[5], json.loads(sys.argv[6]), json.loads(sys.argv[7]))
else:
    result = asyncio.run(concurrent(int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], json.loads(sys.argv[7]), json.loads(sys.argv[8])))
print(json.dumps(result))
