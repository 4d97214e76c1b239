"""make bench-realtime's peer: fal-client 1.0.3's realtime connection (unmodified, use_jwt=False: the Key header on
the handshake) against the same emulator, behind the same TLS front, with the same 40 KB input.

Usage: FAL_RUN_HOST=127.0.0.1:PORT/run SSL_CERT_FILE=ca.pem FAL_KEY=... python3 fal_client_realtime_peer.py N M
Prints one JSON object with two phases, as the Swift side (RealtimeBenchmark): "bytes" (sync_mode: each result
carries its PNG as bytes) and "url" (the result names the image by URL). Each phase: round-trip p50/p99 (ms) over
N sequential round trips; results per second over M inputs sent as fast as fal-client sends them, at most WINDOW
in flight, while a thread receives; and this process's CPU time (user + system, all threads) per result then.
"""
import json
import os
import random
import resource
import sys
import threading
import time

import fal_client

ENDPOINT = "fal-ai/fast-sdxl/image-to-image"
# Inputs in flight at most in the sustained run (RealtimeBenchmark.window).
WINDOW = 32


def percentile(values, p):
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))
    return ordered[int(rank)]


def frame():
    body = bytearray(random.getrandbits(8) for _ in range(40_000))
    body[0:2] = b"\xff\xd8"
    body[-2:] = b"\xff\xd9"
    return bytes(body)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def check(result, sync_mode):
    image = result["images"][0]
    if sync_mode:
        assert image.get("content"), "no image bytes"
    else:
        assert image.get("url", "").startswith("http") and not image.get("content"), "no image URL"


def measure(client, image, sync_mode, iterations, sustained):
    def payload():
        # A camera loop's frame is new each time, so its data URI is made for each send (fal_client.encode, C
        # base64), as the Swift side's FalFile.data is encoded on each send.
        return {"image_url": fal_client.encode(image, "image/jpeg"), "prompt": "a cat", "image_size": "square",
                "seed": 1, "sync_mode": sync_mode}

    with client.realtime(ENDPOINT, use_jwt=False) as connection:
        for _ in range(20):
            connection.send(payload())
            connection.recv()
        trips = []
        for _ in range(iterations):
            started = time.perf_counter()
            connection.send(payload())
            result = connection.recv()
            trips.append((time.perf_counter() - started) * 1000)
            check(result, sync_mode)
        # At most WINDOW inputs in flight, as the Swift side: fal's server drops inputs beyond max_buffering.
        received = [0]
        window = threading.Semaphore(WINDOW)

        def receive():
            while received[0] < sustained:
                check(connection.recv(), sync_mode)
                received[0] += 1
                window.release()

        cpu_before = cpu_seconds()
        started = time.perf_counter()
        receiver = threading.Thread(target=receive, daemon=True)
        receiver.start()
        for _ in range(sustained):
            window.acquire()
            connection.send(payload())
        receiver.join(timeout=300)
        per_second = received[0] / (time.perf_counter() - started)
        cpu_per_result = (cpu_seconds() - cpu_before) * 1000 / max(received[0], 1)
    return {"roundTripP50": percentile(trips, 50), "roundTripP99": percentile(trips, 99),
            "sustainedResultsPerSecond": per_second, "cpuPerResultMs": cpu_per_result}


def main():
    iterations, sustained = int(sys.argv[1]), int(sys.argv[2])
    image = frame()
    client = fal_client.SyncClient(key=os.environ["FAL_KEY"])
    phases = {}
    for name, sync_mode in (("bytes", True), ("url", False)):
        phases[name] = measure(client, image, sync_mode, iterations, sustained)
    print(json.dumps(phases))


if __name__ == "__main__":
    main()
