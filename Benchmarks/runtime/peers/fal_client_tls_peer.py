"""fal-client (1.0.3, unmodified) as the TLS benchmark's peer: N concurrent AsyncClient.subscribe calls against
an https:// front (scripts/lib/tls-front.sh before the emulator), trusting the test CA. fal-client's queue and
run hosts come from FAL_QUEUE_RUN_HOST / FAL_RUN_HOST (read when fal_client is imported); its httpx clients are
given an SSL context trusting CA_PEM. Nothing else is changed, so it speaks what fal-client speaks (httpx:
HTTP/1.1, a connection pool per client).

Usage: python3 fal_client_tls_peer.py BASE_URL KEY N ENDPOINT PAYLOAD_JSON CA_PEM
Prints one JSON line: {"completed", "failed", "seconds", "peak_rss_mib", "failures"}.
"""
import asyncio, json, os, resource, ssl, sys, time
from urllib.parse import urlsplit

BASE, KEY, N, ENDPOINT, PAYLOAD, CA = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5]), sys.argv[6]
HOSTPORT = urlsplit(BASE).netloc
os.environ["FAL_KEY"] = KEY
os.environ["FAL_RUN_HOST"] = f"{HOSTPORT}/run"
os.environ["FAL_QUEUE_RUN_HOST"] = f"{HOSTPORT}/queue"

import httpx  # noqa: E402

CONTEXT = ssl.create_default_context(cafile=CA)
_init = httpx.AsyncClient.__init__


def init(self, *args, **kwargs):
    kwargs["verify"] = CONTEXT
    _init(self, *args, **kwargs)


httpx.AsyncClient.__init__ = init

import fal_client  # noqa: E402


async def main():
    client = fal_client.AsyncClient(key=KEY)
    failures = {}

    async def one():
        try:
            await client.subscribe(ENDPOINT, arguments=PAYLOAD)
            return True
        except Exception as error:  # noqa: BLE001
            name = f"{type(error).__name__}: {error}"[:160]
            failures[name] = failures.get(name, 0) + 1
            return False

    start = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(N)))
    seconds = time.perf_counter() - start
    completed = sum(results)
    print(json.dumps({"completed": completed, "failed": N - completed, "seconds": seconds,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "failures": [f"{v}x {k}" for k, v in failures.items()]}))


asyncio.run(main())
