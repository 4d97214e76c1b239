// The event loop's readiness poller. On Linux it is epoll: a socket libcurl asks to watch from any thread
// (the one starting a transfer, usually) is in the set the loop is already waiting on, with no wake-up.
// Elsewhere it is poll(2) over a snapshot, and a change wakes the waiter so it takes a new snapshot.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <curl/curl.h>
#include "CCurlShim.h"

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>

struct fal_poller {
    int epoll;
    int wake;  // eventfd
};

fal_poller *fal_poller_create(void) {
    fal_poller *poller = calloc(1, sizeof(fal_poller));
    if (!poller) return NULL;
    poller->epoll = epoll_create1(EPOLL_CLOEXEC);
    poller->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = poller->wake };
    if (poller->epoll < 0 || poller->wake < 0 || epoll_ctl(poller->epoll, EPOLL_CTL_ADD, poller->wake, &event) != 0) {
        if (poller->epoll >= 0) close(poller->epoll);
        if (poller->wake >= 0) close(poller->wake);
        free(poller);
        return NULL;
    }
    return poller;
}

int fal_poller_watch(fal_poller *poller, int fd, int what) {
    if (what == CURL_POLL_REMOVE || what == CURL_POLL_NONE) {
        // libcurl may already have closed the socket, which took it out of the set.
        if (epoll_ctl(poller->epoll, EPOLL_CTL_DEL, fd, NULL) != 0 && errno != ENOENT && errno != EBADF) return -1;
        return 0;
    }
    struct epoll_event event = { .events = 0, .data.fd = fd };
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    // A request's socket is usually new to the set (libcurl removes idle connections), so ADD comes first.
    if (epoll_ctl(poller->epoll, EPOLL_CTL_ADD, fd, &event) == 0) return 0;
    if (errno != EEXIST) return -1;
    return epoll_ctl(poller->epoll, EPOLL_CTL_MOD, fd, &event);
}

int fal_poller_wait(fal_poller *poller, int *fds, int *masks, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    int limit = capacity < 64 ? capacity : 64;
    int count = epoll_wait(poller->epoll, events, limit, timeout_ms);
    if (count < 0) return errno == EINTR ? 0 : -1;
    int ready = 0;
    for (int index = 0; index < count; index++) {
        if (events[index].data.fd == poller->wake) {
            uint64_t drained;
            while (read(poller->wake, &drained, sizeof drained) > 0) {}
            continue;
        }
        int mask = 0;
        if (events[index].events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) mask |= CURL_CSELECT_IN;
        if (events[index].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (events[index].events & EPOLLERR) mask |= CURL_CSELECT_ERR;
        fds[ready] = events[index].data.fd;
        masks[ready] = mask;
        ready++;
    }
    return ready;
}

void fal_poller_wake(fal_poller *poller) {
    uint64_t one = 1;
    ssize_t written = write(poller->wake, &one, sizeof one);  // a saturated counter already means "wake up"
    (void)written;
}

#else
#include <poll.h>
#include <pthread.h>

struct fal_poller {
    pthread_mutex_t lock;
    struct pollfd *watched;  // [0] is the wake-up pipe's read end
    int count;
    int capacity;
    int wake_read;
    int wake_write;
};

fal_poller *fal_poller_create(void) {
    fal_poller *poller = calloc(1, sizeof(fal_poller));
    struct pollfd *watched = calloc(16, sizeof(struct pollfd));
    int ends[2];
    if (!poller || !watched || pipe(ends) != 0) { free(poller); free(watched); return NULL; }
    for (int index = 0; index < 2; index++) fcntl(ends[index], F_SETFL, fcntl(ends[index], F_GETFL) | O_NONBLOCK);
    poller->wake_read = ends[0];
    poller->wake_write = ends[1];
    poller->capacity = 16;
    poller->watched = watched;
    poller->watched[0] = (struct pollfd){ .fd = ends[0], .events = POLLIN };
    poller->count = 1;
    pthread_mutex_init(&poller->lock, NULL);
    return poller;
}

void fal_poller_wake(fal_poller *poller) {
    char byte = 1;
    ssize_t written = write(poller->wake_write, &byte, 1);  // a full pipe already means "wake up"
    (void)written;
}

int fal_poller_watch(fal_poller *poller, int fd, int what) {
    short events = 0;
    if (what & CURL_POLL_IN) events |= POLLIN;
    if (what & CURL_POLL_OUT) events |= POLLOUT;
    pthread_mutex_lock(&poller->lock);
    int index = 1;
    while (index < poller->count && poller->watched[index].fd != fd) index++;
    if (what == CURL_POLL_REMOVE || what == CURL_POLL_NONE) {
        if (index < poller->count) poller->watched[index] = poller->watched[--poller->count];
    } else {
        if (index == poller->count) {
            if (poller->count == poller->capacity) {
                struct pollfd *grown = realloc(poller->watched, sizeof(struct pollfd) * poller->capacity * 2);
                if (!grown) { pthread_mutex_unlock(&poller->lock); return -1; }
                poller->watched = grown;
                poller->capacity *= 2;
            }
            poller->count++;
        }
        poller->watched[index] = (struct pollfd){ .fd = fd, .events = events };
    }
    pthread_mutex_unlock(&poller->lock);
    fal_poller_wake(poller);  // the waiter polls a snapshot; make it take a new one
    return 0;
}

int fal_poller_wait(fal_poller *poller, int *fds, int *masks, int capacity, int timeout_ms) {
    pthread_mutex_lock(&poller->lock);
    int count = poller->count;
    struct pollfd *snapshot = malloc(sizeof(struct pollfd) * count);
    if (!snapshot) { pthread_mutex_unlock(&poller->lock); return -1; }
    for (int index = 0; index < count; index++) snapshot[index] = poller->watched[index];
    pthread_mutex_unlock(&poller->lock);
    int result = poll(snapshot, count, timeout_ms);
    int ready = 0;
    if (result > 0) {
        if (snapshot[0].revents) {
            char drain[64];
            while (read(poller->wake_read, drain, sizeof drain) > 0) {}
        }
        for (int index = 1; index < count && ready < capacity; index++) {
            short revents = snapshot[index].revents;
            if (!revents || (revents & POLLNVAL)) continue;  // closed by libcurl after the snapshot
            int mask = 0;
            if (revents & (POLLIN | POLLHUP)) mask |= CURL_CSELECT_IN;
            if (revents & POLLOUT) mask |= CURL_CSELECT_OUT;
            if (revents & POLLERR) mask |= CURL_CSELECT_ERR;
            fds[ready] = snapshot[index].fd;
            masks[ready] = mask;
            ready++;
        }
    }
    free(snapshot);
    return result < 0 && errno != EINTR ? -1 : ready;
}
#endif
