// OpenSSL read-ahead for the WebSocket client's TLS connections.
//
// Without it OpenSSL reads each TLS record with two recv calls (its 5-byte header, then its body), so a 768 KiB
// realtime result costs about 96 system calls; perf put a fifth of the client's CPU time in recvfrom. With
// read-ahead and a 64 KiB read buffer, one recv takes whatever the socket holds, up to four records.
//
// libcurl has no option for it, but hands the SSL_CTX to CURLOPT_SSL_CTX_FUNCTION. The two OpenSSL functions
// are looked up in the libssl libcurl itself loaded (by the soname matching curl_version_info's ssl_version),
// so nothing here links OpenSSL and a libcurl built on another TLS library is left as it is.
//
// A caller must read until CURLE_AGAIN before it waits on the socket: with read-ahead, decrypted bytes can
// wait inside OpenSSL while the socket itself has nothing (CurlWebSocketLoop does; see `readMayHaveMore`).
#include "CCurlShimWebSocket.h"

#if defined(__linux__)
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

// SSL_CTX_set_read_ahead(ctx, 1) is the macro SSL_CTX_ctrl(ctx, SSL_CTRL_SET_READ_AHEAD, 1, NULL), the same
// number in OpenSSL 1.1 and 3.
#define FAL_SSL_CTRL_SET_READ_AHEAD 41
#define FAL_TLS_READ_BUFFER (64 * 1024)

typedef long (*fal_ssl_ctx_ctrl_fn)(void *ctx, int cmd, long larg, void *parg);
typedef void (*fal_ssl_ctx_set_read_buffer_len_fn)(void *ctx, size_t len);

static fal_ssl_ctx_ctrl_fn ssl_ctx_ctrl;
static fal_ssl_ctx_set_read_buffer_len_fn ssl_ctx_set_read_buffer_len;
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;

static void fal_tls_lookup(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (info == NULL || info->ssl_version == NULL) return;
    // A multi-TLS libcurl lists the inactive backends in parentheses; only an active OpenSSL is used.
    const char *soname = NULL;
    if (strncmp(info->ssl_version, "OpenSSL/3.", 10) == 0) soname = "libssl.so.3";
    else if (strncmp(info->ssl_version, "OpenSSL/1.1.", 12) == 0) soname = "libssl.so.1.1";
    if (soname == NULL) return;
    // RTLD_NOLOAD: only the library already in the process (libcurl's); the handle is never closed.
    void *library = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
    if (library == NULL) return;
    fal_ssl_ctx_ctrl_fn ctrl = (fal_ssl_ctx_ctrl_fn)dlsym(library, "SSL_CTX_ctrl");
    fal_ssl_ctx_set_read_buffer_len_fn length = (fal_ssl_ctx_set_read_buffer_len_fn)dlsym(library, "SSL_CTX_set_default_read_buffer_len");
    if (ctrl == NULL || length == NULL) return;
    ssl_ctx_set_read_buffer_len = length;
    ssl_ctx_ctrl = ctrl;
}

static CURLcode fal_tls_context(CURL *curl, void *ssl_ctx, void *userptr) {
    (void)curl;
    (void)userptr;
    if (ssl_ctx != NULL && ssl_ctx_ctrl != NULL) {
        ssl_ctx_set_read_buffer_len(ssl_ctx, FAL_TLS_READ_BUFFER);
        ssl_ctx_ctrl(ssl_ctx, FAL_SSL_CTRL_SET_READ_AHEAD, 1, NULL);
    }
    return CURLE_OK;
}

int fal_ws_enable_tls_read_ahead(CURL *handle) {
    pthread_once(&lookup_once, fal_tls_lookup);
    if (ssl_ctx_ctrl == NULL) return 0;
    return curl_easy_setopt(handle, CURLOPT_SSL_CTX_FUNCTION, fal_tls_context) == CURLE_OK;
}
#else
int fal_ws_enable_tls_read_ahead(CURL *handle) {
    (void)handle;
    return 0;
}
#endif
