#!/usr/bin/env python3
"""WebSocket peers for FalRuntime's WebSocket client tests (Tests/FalRuntimeTests/WebSocket).

Started by the tests as a subprocess; listens on 127.0.0.1 only, on free ports, and prints one JSON line:
    {"ws": PORT, "wss": PORT, "raw": PORT}
then serves until its stdin closes (the test process ended).

- "ws" and "wss": an independent, conforming server (the `websockets` package), plain and over TLS with
  Tests/Peers/tls/server.pem (signed by tls/ca.pem, for 127.0.0.1 and localhost). Paths:
    /echo?id=ID      every message back as it came (text as text, binary as binary); remembers the
                     close code and reason under ID
    /fragments       a fragmented text message and a fragmented binary message, then waits
    /ping            pings the client, and once the pong is back sends "pong: <payload>"
    /close/CODE      closes at once with CODE and reason "bye CODE"
    /flood/N         sends N binary messages of 1 MiB as fast as the client takes them, then "flood done"
    /last-close?id=ID  sends the close code and reason of the /echo connection with that ID as "CODE REASON"
    /headers         sends the request's headers as a JSON object
    /raw-close?id=ID sends the code and reason of the close frame the raw connection with that ID got
- "raw": hand-written hostile servers on a bare socket (asyncio streams), doing the handshake themselves;
  all but /raw/no-read read the client's frames in the background and record its close frame under the
  "id" query parameter (see /raw-close). Paths:
    /raw/huge-frame        a binary frame declaring 100 MiB, then streams zeros
    /raw/endless-fragments a text message whose 64 KiB fragments never end
    /raw/invalid-utf8      a text frame that is not UTF-8
    /raw/masked            a masked frame (servers must not mask)
    /raw/ping-flood        pings as fast as the socket takes them for 2 s, then "pings=N pongs=M last-ok=B"
    /raw/no-read           completes the handshake, then never reads
    /raw/status-200        answers the handshake with 200 OK
    /raw/wrong-accept      101 with a wrong Sec-WebSocket-Accept
    /raw/never-answer      reads the request, never answers
    /raw/split-utf8        a text message fragmented inside a code point, a ping between the fragments,
                           written one byte per TCP segment, then close 1000
    /raw/frame-with-101    a text frame in the same write as the 101 answer, then close 1000
    /raw/close-1-byte      a close frame with a 1-byte payload
    /raw/close-then-silence sends close 1000, then neither reads nor closes the socket
"""
import asyncio
import base64
import hashlib
import json
import os
import ssl
import struct
import sys
import threading
import urllib.parse

try:
    import websockets
    from websockets.asyncio.server import serve
except ImportError as error:  # the tests show this message and fail
    sys.stderr.write(
        f"ws_peer: the Python package 'websockets' is missing ({error}); install it with "
        "`make python-deps` or `python3 -m pip install websockets`\n")
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_SIZE = 64 * 1024 * 1024
last_close = {}  # by the "id" query parameter of /echo
raw_closes = {}  # the close frames the hostile servers got, by the "id" query parameter


# MARK: conforming server (websockets)

async def handler(ws):
    target = urllib.parse.urlsplit(ws.request.path)
    path = target.path
    query = dict(urllib.parse.parse_qsl(target.query))
    if path == "/echo":
        try:
            async for message in ws:
                await ws.send(message)
        finally:
            last_close[query.get("id", "")] = (ws.close_code, ws.close_reason or "")
    elif path == "/fragments":
        await ws.send(["Hello, ", "wörld", " — fragmented!"])
        await ws.send([b"\x00\x01", b"\x02\x03", b"\x04"])
        await ws.wait_closed()
    elif path == "/ping":
        waiter = await ws.ping(b"are you there")
        await asyncio.wait_for(waiter, 5)
        await ws.send("pong: are you there")
        await ws.wait_closed()
    elif path.startswith("/close/"):
        code = int(path.rsplit("/", 1)[1])
        await ws.close(code, f"bye {code}")
    elif path.startswith("/flood/"):
        count = int(path.rsplit("/", 1)[1])
        for index in range(count):
            await ws.send(bytes([index % 256]) * (1 << 20))
        await ws.send("flood done")
        await ws.wait_closed()
    elif path == "/raw-close":
        code, reason = raw_closes.get(query.get("id", ""), (None, ""))
        await ws.send(f"{code} {reason}")
        await ws.wait_closed()
    elif path == "/last-close":
        code, reason = last_close.get(query.get("id", ""), (None, ""))
        await ws.send(f"{code} {reason}")
        await ws.wait_closed()
    elif path == "/headers":
        await ws.send(json.dumps({name.lower(): value for name, value in ws.request.headers.raw_items()}))
        await ws.wait_closed()
    else:
        await ws.close(4004, "unknown path")


# MARK: hostile servers (raw socket)

def frame(opcode, payload=b"", fin=True, mask=None):
    first = (0x80 if fin else 0) | opcode
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length <= 125:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length <= 0xFFFF:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return head + mask + payload
    return head + payload


async def read_frames(reader, on_frame):
    """Reads the client's (masked) frames, calling on_frame(opcode, payload), until EOF."""
    try:
        while True:
            first, second = await reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await reader.readexactly(8))[0]
            key = await reader.readexactly(4) if second & 0x80 else b"\0\0\0\0"
            data = await reader.readexactly(length)
            on_frame(first & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(data)))
    except (asyncio.IncompleteReadError, ConnectionError):
        return


class RawConnection:
    """What a hostile connection read from the client, by its background reader."""

    def __init__(self, id):
        self.id = id
        self.pongs = 0
        self.last_pong = None
        self.reading = None

    def on_frame(self, opcode, payload):
        if opcode == 0xA:
            self.pongs += 1
            self.last_pong = payload
        elif opcode == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            raw_closes[self.id] = (code, payload[2:].decode("utf-8", "replace"))

    def start_reading(self, reader):
        self.reading = asyncio.ensure_future(read_frames(reader, self.on_frame))

    async def until_client_closes(self, timeout=10):
        try:
            await asyncio.wait_for(asyncio.shield(self.reading), timeout)
        except asyncio.TimeoutError:
            pass


async def put(writer, data):
    """Writes and waits for the socket to take it; ConnectionError once the client is gone (asyncio's
    drain does not raise for a closed transport, and write only logs)."""
    if writer.is_closing():
        raise ConnectionError("the client is gone")
    writer.write(data)
    await writer.drain()


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


async def raw_client(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except Exception:
        writer.close()
        return
    lines = head.decode("latin-1").split("\r\n")
    target = urllib.parse.urlsplit(lines[0].split(" ")[1])
    path = target.path
    connection = RawConnection(dict(urllib.parse.parse_qsl(target.query)).get("id", ""))
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    key = headers.get("sec-websocket-key", "")
    switching = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Accept: {accept_for(key)}\r\n\r\n").encode()
    try:
        await hostile(path, reader, writer, switching, connection)
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        if connection.reading:  # what the client sent last (its close frame) is read before closing
            await connection.until_client_closes(2)
        writer.close()


async def hostile(path, reader, writer, switching, connection):
    if path == "/raw/status-200":
        body = b"not a websocket"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        await asyncio.sleep(5)
        return
    if path == "/raw/never-answer":
        await asyncio.sleep(60)
        return
    if path == "/raw/wrong-accept":
        writer.write(switching.replace(b"Accept: ", b"Accept: x"))
        await writer.drain()
        await asyncio.sleep(5)
        return
    if path == "/raw/frame-with-101":
        writer.write(switching + frame(0x1, b"sent with the 101") + frame(0x8, struct.pack("!H", 1000)))
        await writer.drain()
        await read_frames(reader, connection.on_frame)
        return
    writer.write(switching)
    await writer.drain()
    if path == "/raw/no-read":
        await asyncio.sleep(60)
        return
    # Everything the client sends is read in the background (its close frame is recorded for /raw-close).
    connection.start_reading(reader)
    if path == "/raw/huge-frame":
        writer.write(struct.pack("!BBQ", 0x82, 127, 100 * 1024 * 1024))
        zeros = bytes(1 << 20)
        for _ in range(100):
            await put(writer, zeros)
    elif path == "/raw/endless-fragments":
        chunk = b"a" * 65536
        writer.write(frame(0x1, chunk, fin=False))
        while True:
            await put(writer, frame(0x0, chunk, fin=False))
    elif path == "/raw/invalid-utf8":
        writer.write(frame(0x1, b"valid so far \xff\xfe"))
        await writer.drain()
        await connection.until_client_closes()
    elif path == "/raw/masked":
        writer.write(frame(0x1, b"masked", mask=b"\x01\x02\x03\x04"))
        await writer.drain()
        await connection.until_client_closes()
    elif path == "/raw/close-1-byte":
        writer.write(frame(0x8, b"\x03"))
        await writer.drain()
        await connection.until_client_closes()
    elif path == "/raw/close-then-silence":
        writer.write(frame(0x8, struct.pack("!H", 1000)))
        await writer.drain()
        await asyncio.sleep(60)
    elif path == "/raw/ping-flood":
        await ping_flood(writer, connection)
    elif path == "/raw/split-utf8":
        text = "split: é€😀".encode()
        cut = len(b"split: ") + 1  # inside the 2-byte é
        data = frame(0x1, text[:cut], fin=False) + frame(0x9, b"between") + frame(0x0, text[cut:-2], fin=False) \
            + frame(0x0, text[-2:]) + frame(0x8, struct.pack("!H", 1000) + b"done")
        for byte in data:
            await put(writer, bytes([byte]))
            await asyncio.sleep(0.001)
        await connection.until_client_closes()
    else:
        writer.write(frame(0x8, struct.pack("!H", 4004) + b"unknown path"))
        await writer.drain()


async def ping_flood(writer, connection):
    pings = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + 2.0
    batch = b""
    while loop.time() < end:
        batch = b"".join(frame(0x9, b"%d" % (pings + i)) for i in range(256))
        pings += 256
        await put(writer, batch)
    last = b"%d" % (pings - 1)
    for _ in range(100):  # the answer to the last ping (the one that counts)
        if connection.last_pong == last:
            break
        await asyncio.sleep(0.05)
    summary = f"pings={pings} pongs={connection.pongs} last-ok={connection.last_pong == last}"
    writer.write(frame(0x1, summary.encode()) + frame(0x8, struct.pack("!H", 1000)))
    await writer.drain()
    await connection.until_client_closes(5)


# MARK: main

async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(HERE, "tls", "server.pem"), os.path.join(HERE, "tls", "server.key"))
    options = dict(max_size=MAX_SIZE, compression=None, ping_interval=None)
    plain = await serve(handler, "127.0.0.1", 0, **options)
    secure = await serve(handler, "127.0.0.1", 0, ssl=context, **options)
    raw = await asyncio.start_server(raw_client, "127.0.0.1", 0)
    ports = {
        "ws": plain.sockets[0].getsockname()[1] if hasattr(plain, "sockets") else list(plain.sockets)[0].getsockname()[1],
        "wss": list(secure.sockets)[0].getsockname()[1],
        "raw": raw.sockets[0].getsockname()[1],
        "websockets": websockets.__version__,
    }
    print(json.dumps(ports), flush=True)
    stopped = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()

    def watch_stdin():
        sys.stdin.buffer.read()  # returns at EOF: the test process is gone
        loop.call_soon_threadsafe(lambda: stopped.done() or stopped.set_result(None))

    threading.Thread(target=watch_stdin, daemon=True).start()
    await stopped


if __name__ == "__main__":
    asyncio.run(main())
