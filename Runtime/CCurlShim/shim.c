#include <string.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "CCurlShim.h"

CURLcode fal_curl_setopt_long(CURL *handle, CURLoption option, long value) { return curl_easy_setopt(handle, option, value); }
CURLcode fal_curl_setopt_ptr(CURL *handle, CURLoption option, void *value) { return curl_easy_setopt(handle, option, value); }
CURLcode fal_curl_setopt_str(CURL *handle, CURLoption option, const char *value) { return curl_easy_setopt(handle, option, value); }
CURLcode fal_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) { return curl_easy_setopt(handle, option, value); }

CURLcode fal_curl_restrict_to_http(CURL *handle, int redirects) {
#if LIBCURL_VERSION_NUM >= 0x075500
    CURLcode code = curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (code == CURLE_OK && redirects) code = curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (code != CURLE_UNKNOWN_OPTION) return code;
    // Built against 7.85+ headers, running on an older libcurl.so.4: the bit mask below still works there.
#endif
    // The bit mask is deprecated (not removed) from 7.85 on; the warning would reach every user's build log.
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
    long mask = CURLPROTO_HTTP | CURLPROTO_HTTPS;
    CURLcode result = curl_easy_setopt(handle, CURLOPT_PROTOCOLS, mask);
    if (result == CURLE_OK && redirects) result = curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, mask);
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
    return result;
}

long fal_curl_getinfo_long(CURL *handle, CURLINFO info) {
    long value = 0;
    if (curl_easy_getinfo(handle, info, &value) != CURLE_OK) return -1;
    return value;
}

CURLcode fal_curl_set_write_callback(CURL *handle, fal_curl_data_callback callback, void *userdata) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_WRITEDATA, userdata);
}

CURLcode fal_curl_set_header_callback(CURL *handle, fal_curl_data_callback callback, void *userdata) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_HEADERDATA, userdata);
}

CURLcode fal_curl_set_read_callback(CURL *handle, fal_curl_data_callback callback, void *userdata, curl_off_t length) {
    CURLcode code;
    if ((code = curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback)) != CURLE_OK) return code;
    if ((code = curl_easy_setopt(handle, CURLOPT_READDATA, userdata)) != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, length);
}

struct fal_file_body {
    int fd;
    curl_off_t start;
    curl_off_t length;
    curl_off_t position; // bytes already handed to curl, relative to start
};

fal_file_body *fal_file_body_open(const char *path, curl_off_t offset, curl_off_t length, int *error_number) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { *error_number = errno; return NULL; }
    fal_file_body *body = malloc(sizeof(fal_file_body));
    if (!body) { close(fd); *error_number = ENOMEM; return NULL; }
    body->fd = fd;
    body->start = offset;
    body->length = length;
    body->position = 0;
    return body;
}

static size_t fal_file_body_read(char *buffer, size_t size, size_t count, void *userdata) {
    fal_file_body *body = userdata;
    curl_off_t remaining = body->length - body->position;
    size_t wanted = size * count;
    if (remaining <= 0) return 0;
    if ((curl_off_t)wanted > remaining) wanted = (size_t)remaining;
    ssize_t got;
    do { got = pread(body->fd, buffer, wanted, body->start + body->position); } while (got < 0 && errno == EINTR);
    if (got < 0) return CURL_READFUNC_ABORT;
    if (got == 0) return CURL_READFUNC_ABORT; // file shrank under us: never send a short body silently
    body->position += got;
    return (size_t)got;
}

// Rewinds when curl must resend the body (e.g. on a reused connection that closed).
static int fal_file_body_seek(void *userdata, curl_off_t offset, int origin) {
    fal_file_body *body = userdata;
    if (origin != SEEK_SET || offset < 0 || offset > body->length) return CURL_SEEKFUNC_CANTSEEK;
    body->position = offset;
    return CURL_SEEKFUNC_OK;
}

CURLcode fal_curl_set_file_body(CURL *handle, fal_file_body *body) {
    CURLcode code;
    if ((code = curl_easy_setopt(handle, CURLOPT_READFUNCTION, fal_file_body_read)) != CURLE_OK) return code;
    if ((code = curl_easy_setopt(handle, CURLOPT_READDATA, body)) != CURLE_OK) return code;
    if ((code = curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, fal_file_body_seek)) != CURLE_OK) return code;
    if ((code = curl_easy_setopt(handle, CURLOPT_SEEKDATA, body)) != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, body->length);
}

void fal_file_body_free(fal_file_body *body) {
    if (!body) return;
    close(body->fd);
    free(body);
}

struct fal_once_body {
    const char *bytes;
    curl_off_t length;
    curl_off_t position;
};

static size_t fal_once_body_read(char *buffer, size_t size, size_t count, void *userdata) {
    fal_once_body *body = userdata;
    curl_off_t remaining = body->length - body->position;
    size_t wanted = size * count;
    if (remaining <= 0) return 0;
    if ((curl_off_t)wanted > remaining) wanted = (size_t)remaining;
    memcpy(buffer, body->bytes + body->position, wanted);
    body->position += (curl_off_t)wanted;
    return wanted;
}

fal_once_body *fal_curl_set_once_body(CURL *handle, const void *bytes, curl_off_t length, CURLcode *code) {
    fal_once_body *body = malloc(sizeof(fal_once_body));
    if (!body) { *code = CURLE_OUT_OF_MEMORY; return NULL; }
    body->bytes = bytes;
    body->length = length;
    body->position = 0;
    // No CURLOPT_SEEKFUNCTION, on purpose: see the header.
    if ((*code = curl_easy_setopt(handle, CURLOPT_READFUNCTION, fal_once_body_read)) != CURLE_OK ||
        (*code = curl_easy_setopt(handle, CURLOPT_READDATA, body)) != CURLE_OK ||
        (*code = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, length)) != CURLE_OK) {
        free(body);
        return NULL;
    }
    return body;
}

void fal_once_body_free(fal_once_body *body) { free(body); }

int fal_curl_msg_is_done(CURLMsg *message) { return message->msg == CURLMSG_DONE; }
CURLcode fal_curl_msg_result(CURLMsg *message) { return message->data.result; }

CURLMcode fal_curl_multi_set_host_cap(CURLM *multi, long cap, long kick) {
    CURLMcode code = curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, cap);
    if (code != CURLM_OK || kick <= 0) return code;
    // An easy handle with no URL, added and removed at once: removing a handle is what makes libcurl move the
    // first queued transfer back to connecting (process_pending_handles). Nothing is sent.
    CURL *nudge = curl_easy_init();
    if (!nudge) return code;
    for (long i = 0; i < kick; i++) {
        if (curl_multi_add_handle(multi, nudge) != CURLM_OK) break;
        curl_multi_remove_handle(multi, nudge);
    }
    curl_easy_cleanup(nudge);
    return code;
}

CURLMcode fal_curl_multi_set_socket_callback(CURLM *multi, fal_curl_socket_callback on_socket, void *userp) {
    CURLMcode code = curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    if (code == CURLM_OK) code = curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, userp);
    return code;
}

long fal_curl_multi_cap_connections(CURLM *multi) {
    struct rlimit limit;
    long cap = 512;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) cap = (long)(limit.rlim_cur / 2);
    if (cap < 16) cap = 16;
    if (cap > 65536) cap = 65536;
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, cap);
    return cap;
}
