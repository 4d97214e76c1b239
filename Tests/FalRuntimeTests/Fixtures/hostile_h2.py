"""A hostile HTTP/2 server over TLS (ALPN h2 only) on 127.0.0.1, for the HTTP/2 cases of TLSTests.

The first path segment picks the misbehaviour; every POST is counted per segment (GET /__/posts returns the
counts as JSON), so a test can show a billed request was never sent twice.

  /goaway-early/...  reads the request, then GOAWAY with last-stream-id 0 (not processed) and closes
  /goaway-mid/...    answers 200 with half a JSON body, then GOAWAY (last-stream-id = this stream) and closes
  /rst/...           reads the request, then RST_STREAM(INTERNAL_ERROR)
  /stall/...         never opens its flow-control windows (connection and stream at their 65,535 bytes):
                     a larger body stalls; the connection stays open, silent
  anything else      200 {"ok": true}

Usage: python3 hostile_h2.py CERT KEY. Prints "listening on https://127.0.0.1:PORT". Exits when stdin closes
(the test process ended) or after 15 minutes.
"""
import json, socket, ssl, sys, threading, time

import h2.config, h2.connection, h2.events, h2.errors, h2.settings

CERT, KEY = sys.argv[1], sys.argv[2]
counts = {}
lock = threading.Lock()


def serve(raw):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    context.set_alpn_protocols(["h2"])
    try:
        sock = context.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    sock.settimeout(60)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    paths = {}
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = dict(event.headers)
                    path = headers.get(":path", "/")
                    paths[event.stream_id] = path
                    if headers.get(":method") == "POST":
                        segment = path.strip("/").split("/")[0]
                        with lock:
                            counts[segment] = counts.get(segment, 0) + 1
                    if event.stream_ended:
                        if respond(sock, conn, event.stream_id, path):
                            return
                elif isinstance(event, h2.events.DataReceived):
                    path = paths.get(event.stream_id, "/")
                    if not path.startswith("/stall/"):
                        conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    if respond(sock, conn, event.stream_id, paths.get(event.stream_id, "/")):
                        return
            out = conn.data_to_send()
            if out:
                sock.sendall(out)
    except (OSError, h2.exceptions.ProtocolError):
        return
    finally:
        try:
            sock.close()
        except OSError:
            pass


def respond(sock, conn, stream_id, path):
    """Answers one finished request; True when the connection is to be closed."""
    if path.startswith("/__/posts"):
        with lock:
            body = json.dumps(counts).encode()
        conn.send_headers(stream_id, [(":status", "200"), ("content-type", "application/json"), ("content-length", str(len(body)))])
        conn.send_data(stream_id, body, end_stream=True)
    elif path.startswith("/goaway-early/"):
        conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=0)
        sock.sendall(conn.data_to_send())
        time.sleep(0.2)
        return True
    elif path.startswith("/goaway-mid/"):
        conn.send_headers(stream_id, [(":status", "200"), ("content-type", "application/json"), ("content-length", "100")])
        conn.send_data(stream_id, b'{"request_id": "abc", ')
        conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=stream_id)
        sock.sendall(conn.data_to_send())
        time.sleep(0.2)
        return True
    elif path.startswith("/rst/"):
        conn.reset_stream(stream_id, error_code=h2.errors.ErrorCodes.INTERNAL_ERROR)
    elif path.startswith("/stall/"):
        return False  # a small body that fit the window: still no answer
    else:
        body = b'{"ok": true}'
        conn.send_headers(stream_id, [(":status", "200"), ("content-type", "application/json"), ("content-length", str(len(body)))])
        conn.send_data(stream_id, body, end_stream=True)
    sock.sendall(conn.data_to_send())
    return False


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)

    def accept():
        while True:
            raw, _ = listener.accept()
            threading.Thread(target=serve, args=(raw,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    stdin_done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stdin_done.set()), daemon=True).start()
    print(f"listening on https://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    stdin_done.wait(900)


if __name__ == "__main__":
    main()
