#ifndef CCURLSHIM_WEBSOCKET_H
#define CCURLSHIM_WEBSOCKET_H
#include <curl/curl.h>

// Helpers for FalRuntime's WebSocket client, which connects with CURLOPT_CONNECT_ONLY (libcurl does DNS,
// TCP, proxies and TLS) and then moves bytes itself with curl_easy_send / curl_easy_recv on a thread of
// its own. Nothing here is specific to a libcurl version newer than 7.45 (CURLINFO_ACTIVESOCKET).

// The connection's socket after a CONNECT_ONLY perform (CURLINFO_ACTIVESOCKET), or CURL_SOCKET_BAD.
curl_socket_t fal_curl_active_socket(CURL *handle);

// Makes a running curl_easy_perform stop with CURLE_ABORTED_BY_CALLBACK once *flag is nonzero (progress
// callback). Set the flag with fal_ws_flag_set from any thread.
CURLcode fal_curl_set_abort_flag(CURL *handle, int *flag);
void fal_ws_flag_set(int *flag);
int fal_ws_flag_get(int *flag);

// A self-pipe that wakes a thread waiting in fal_ws_wait: fds[0] is watched, fds[1] written. Both ends
// are non-blocking and close-on-exec. Returns 0, or -1 with errno.
int fal_ws_waker_open(int fds[2]);
void fal_ws_waker_wake(int write_fd);
void fal_ws_waker_drain(int read_fd);
void fal_ws_waker_close(int fds[2]);

// Half-closes the socket (shutdown SHUT_WR): the peer reads the end of the stream after what was sent,
// while this side can still read (and discard) what the peer sends until it closes too.
int fal_ws_shutdown_write(curl_socket_t socket);

// Turns on OpenSSL's read-ahead (a 64 KiB read buffer) for the handle's TLS connection, when libcurl uses
// OpenSSL (Linux): fewer recv calls per message. Returns 1 if it will be used, 0 if not (another TLS library,
// macOS). With it, read until CURLE_AGAIN before waiting on the socket: OpenSSL may hold decrypted bytes.
int fal_ws_enable_tls_read_ahead(CURL *handle);

// What fal_ws_wait saw (a bit mask).
enum {
    FAL_WS_READABLE = 1,  // the socket has bytes (or an error/hang-up recv will report)
    FAL_WS_WRITABLE = 2,  // the socket takes bytes
    FAL_WS_WOKEN = 4,     // the waker was written to (and is drained)
};

// Waits up to timeout_ms (-1: no limit) for `socket` to be readable (if want_read) or writable (if
// want_write), or for the waker. Returns the FAL_WS_* mask, 0 on timeout or EINTR, -1 on error.
int fal_ws_wait(curl_socket_t socket, int want_read, int want_write, int wake_fd, int timeout_ms);
#endif
