#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <curl/curl.h>
#include <stddef.h>

// Non-variadic wrappers: Swift cannot call libcurl's variadic curl_easy_setopt / curl_easy_getinfo directly.
CURLcode fal_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode fal_curl_setopt_ptr(CURL *handle, CURLoption option, void *value);
// libcurl copies string options, so a temporary C string from Swift is fine here.
CURLcode fal_curl_setopt_str(CURL *handle, CURLoption option, const char *value);
CURLcode fal_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);

long fal_curl_getinfo_long(CURL *handle, CURLINFO info);

// Limits a transfer to http and https (and, with `redirects` nonzero, what it may be redirected to). libcurl
// 7.85 added CURLOPT_PROTOCOLS_STR and deprecated the CURLOPT_PROTOCOLS bit mask; 7.68 to 7.84 (Ubuntu 20.04
// and 22.04, Debian 11, RHEL 9) have only the mask. The choice is made by LIBCURL_VERSION_NUM when compiled
// and by curl_easy_setopt's answer when run, so a binary built against new headers still works when an older
// libcurl.so.4 is loaded.
CURLcode fal_curl_restrict_to_http(CURL *handle, int redirects);

// CURL_WRITEFUNC_PAUSE, which Swift does not import: a write callback returns it to pause the transfer.
static inline size_t fal_curl_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }

// CURL_READFUNC_PAUSE and CURL_READFUNC_ABORT: a read callback returns them to pause the upload until
// curl_easy_pause(CURLPAUSE_CONT), or to fail the transfer.
static inline size_t fal_curl_readfunc_pause(void) { return CURL_READFUNC_PAUSE; }
static inline size_t fal_curl_readfunc_abort(void) { return CURL_READFUNC_ABORT; }

// Callbacks a Swift transfer installs; `userdata` is the transfer object (an unretained pointer).
typedef size_t (*fal_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);
CURLcode fal_curl_set_write_callback(CURL *handle, fal_curl_data_callback callback, void *userdata);
CURLcode fal_curl_set_header_callback(CURL *handle, fal_curl_data_callback callback, void *userdata);
// A request body produced while it is sent (HTTPBody.stream): `callback` fills libcurl's buffer. No seek
// callback, on purpose: a streamed body is read once and is never resent on a new connection. `length` -1
// sends it chunked (HTTP/1.1); otherwise it is the Content-Length.
CURLcode fal_curl_set_read_callback(CURL *handle, fal_curl_data_callback callback, void *userdata, curl_off_t length);

// Request body read straight from a file descriptor range with pread, so uploads stream from disk in
// constant memory without crossing into Swift per chunk. The returned source is owned by the caller
// and must outlive the transfer; free it with fal_file_body_free after curl is done with the handle.
typedef struct fal_file_body fal_file_body;
fal_file_body *fal_file_body_open(const char *path, curl_off_t offset, curl_off_t length, int *error_number);
CURLcode fal_curl_set_file_body(CURL *handle, fal_file_body *body);
void fal_file_body_free(fal_file_body *body);

// A request body in memory that libcurl can read only once: a read callback and no seek callback. libcurl
// resends a request on its own when a reused connection dies before any answer byte; to resend a body it
// must rewind it, and without a seek callback it cannot, so the transfer fails (CURLE_SEND_FAIL_REWIND)
// instead of starting billed work twice. `bytes` must outlive the transfer; free the source with
// fal_once_body_free after curl is done with the handle.
typedef struct fal_once_body fal_once_body;
fal_once_body *fal_curl_set_once_body(CURL *handle, const void *bytes, curl_off_t length, CURLcode *code);
void fal_once_body_free(fal_once_body *body);

// The multi handle's socket interface (curl_multi_socket_action): libcurl says which sockets to watch,
// so the event loop can poll without holding the multi handle and other threads can drive a new
// transfer's first step themselves. (Timeouts are read with curl_multi_timeout.)
typedef int (*fal_curl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *userp, void *socketp);
// Caps the multi handle's open connections at half the process's descriptor limit (RLIMIT_NOFILE, at least
// 16): transfers beyond it wait in libcurl's queue for a connection instead of failing to open a socket.
// Returns the cap.
long fal_curl_multi_cap_connections(CURLM *multi);
// Sets CURLMOPT_MAX_HOST_CONNECTIONS (0: no cap), then lets up to `kick` transfers waiting in libcurl's queue
// for a connection try again: libcurl looks at its queue only when a transfer is removed, one at a time, so a
// raised cap would otherwise leave them waiting for others to finish.
CURLMcode fal_curl_multi_set_host_cap(CURLM *multi, long cap, long kick);
CURLMcode fal_curl_multi_set_socket_callback(CURLM *multi, fal_curl_socket_callback on_socket, void *userp);

// Readiness of the sockets libcurl asks to watch. `fal_poller_watch` takes libcurl's CURL_POLL_* value and
// may be called from any thread while another waits; `fal_poller_wait` fills `fds` and CURL_CSELECT_*
// `masks` and returns how many are ready (0 on timeout or wake-up, -1 on error). Linux: epoll, where a
// watch change needs no wake-up; elsewhere: poll(2), where `fal_poller_watch` wakes the waiter itself.
//
// On Linux a socket libcurl stops watching stays in the epoll set (a finished transfer's connection waits
// idle in libcurl's cache and is usually watched again by the next request): that saves two epoll_ctl
// calls per request. So the loop must `fal_poller_claim` each ready socket before handing it to libcurl
// (an idle one is dropped from the set then), and libcurl's sockets must be opened and closed through
// `fal_curl_set_socket_hooks`, which keeps the set right when a socket closes or its number is reused.
typedef struct fal_poller fal_poller;
fal_poller *fal_poller_create(void);
int fal_poller_watch(fal_poller *poller, int fd, int what);
int fal_poller_wait(fal_poller *poller, int *fds, int *masks, int capacity, int timeout_ms);
int fal_poller_claim(fal_poller *poller, int fd);
void fal_poller_wake(fal_poller *poller);
CURLcode fal_curl_set_socket_hooks(CURL *handle, fal_poller *poller);

// libcurl's CURLMsg data is a union; these read it without Swift's union import quirks.
int fal_curl_msg_is_done(CURLMsg *message);
CURLcode fal_curl_msg_result(CURLMsg *message);

// The WebSocket client's helpers (CONNECT_ONLY connections, socket waits).
#include "CCurlShimWebSocket.h"
#endif
