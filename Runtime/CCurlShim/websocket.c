#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "CCurlShimWebSocket.h"

curl_socket_t fal_curl_active_socket(CURL *handle) {
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK) return CURL_SOCKET_BAD;
    return socket;
}

static int fal_ws_abort_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    return __atomic_load_n((int *)userdata, __ATOMIC_SEQ_CST) != 0;
}

CURLcode fal_curl_set_abort_flag(CURL *handle, int *flag) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, fal_ws_abort_progress);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_XFERINFODATA, (void *)flag);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    return code;
}

void fal_ws_flag_set(int *flag) { __atomic_store_n(flag, 1, __ATOMIC_SEQ_CST); }
int fal_ws_flag_get(int *flag) { return __atomic_load_n(flag, __ATOMIC_SEQ_CST); }

static int fal_ws_configure(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? -1 : 0;
}

int fal_ws_waker_open(int fds[2]) {
    if (pipe(fds) != 0) return -1;
    if (fal_ws_configure(fds[0]) != 0 || fal_ws_configure(fds[1]) != 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    return 0;
}

void fal_ws_waker_wake(int write_fd) {
    char byte = 1;
    ssize_t written;
    do { written = write(write_fd, &byte, 1); } while (written < 0 && errno == EINTR);
    // EAGAIN: the pipe is full, so the waiter is woken already.
}

void fal_ws_waker_drain(int read_fd) {
    char buffer[64];
    while (read(read_fd, buffer, sizeof buffer) > 0) {}
}

void fal_ws_waker_close(int fds[2]) {
    close(fds[0]);
    close(fds[1]);
}

int fal_ws_wait(curl_socket_t socket, int want_read, int want_write, int wake_fd, int timeout_ms) {
    struct pollfd fds[2];
    // A socket nothing is wanted from is left out: its hang-up would otherwise end every poll at once.
    fds[0].fd = (want_read || want_write) ? socket : -1;
    fds[0].events = (short)((want_read ? POLLIN : 0) | (want_write ? POLLOUT : 0));
    fds[0].revents = 0;
    fds[1].fd = wake_fd;
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    int ready = poll(fds, 2, timeout_ms);
    if (ready < 0) return errno == EINTR ? 0 : -1;
    int mask = 0;
    // An error or hang-up is reported as readable (recv then says what happened) and, when writing was
    // wanted, writable (send fails with the error).
    if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) mask |= want_read ? FAL_WS_READABLE : 0;
    if (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) mask |= want_write ? FAL_WS_WRITABLE : 0;
    if (fds[0].revents & POLLNVAL) mask |= FAL_WS_READABLE | FAL_WS_WRITABLE;
    if (fds[1].revents & POLLIN) {
        fal_ws_waker_drain(wake_fd);
        mask |= FAL_WS_WOKEN;
    }
    return mask;
}

int fal_ws_shutdown_write(curl_socket_t socket) { return shutdown(socket, SHUT_WR); }
