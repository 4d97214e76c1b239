"""make bench-realtime's peer: fal-client 1.0.3's realtime connection (unmodified, use_jwt=False: the Key header on
the handshake) against the same emulator, behind the same TLS front, with the same 40 KB input and sync_mode.

Usage: FAL_RUN_HOST=127.0.0.1:PORT/run SSL_CERT_FILE=ca.pem FAL_KEY=... python3 fal_client_realtime_peer.py N M
Prints one JSON object: round-trip p50/p99 (ms) over N sequential round trips, and results per second over M
inputs sent as fast as fal-client sends them while a thread receives.
"""
import json
import os
import random
import sys
import threading
import time

import fal_client

ENDPOINT = "fal-ai/fast-sdxl/image-to-image"


def percentile(values, p):
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))
    return ordered[int(rank)]


def frame():
    body = bytearray(random.getrandbits(8) for _ in range(40_000))
    body[0:2] = b"\xff\xd8"
    body[-2:] = b"\xff\xd9"
    return "data:image/jpeg;base64," + __import__("base64").b64encode(bytes(body)).decode("ascii")


def main():
    iterations, sustained = int(sys.argv[1]), int(sys.argv[2])
    image = frame()
    payload = {"image_url": image, "prompt": "a cat", "seed": 1, "sync_mode": True}
    client = fal_client.SyncClient(key=os.environ["FAL_KEY"])
    with client.realtime(ENDPOINT, use_jwt=False) as connection:
        for _ in range(20):
            connection.send(payload)
            connection.recv()
        trips = []
        for _ in range(iterations):
            started = time.perf_counter()
            connection.send(payload)
            result = connection.recv()
            trips.append((time.perf_counter() - started) * 1000)
            assert result["images"][0].get("content"), "no image bytes"
        received = [0]

        def receive():
            while received[0] < sustained:
                connection.recv()
                received[0] += 1

        started = time.perf_counter()
        receiver = threading.Thread(target=receive, daemon=True)
        receiver.start()
        for _ in range(sustained):
            connection.send(payload)
        receiver.join(timeout=300)
        per_second = received[0] / (time.perf_counter() - started)
    print(json.dumps({"roundTripP50": percentile(trips, 50), "roundTripP99": percentile(trips, 99),
                      "sustainedResultsPerSecond": per_second}))


if __name__ == "__main__":
    main()
