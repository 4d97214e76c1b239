// The event loop's readiness poller. On Linux it is epoll: a socket libcurl asks to watch from any thread
// (the one starting a transfer, usually) is in the set the loop is already waiting on, with no wake-up.
// Elsewhere it is poll(2) over a snapshot, and a change wakes the waiter so it takes a new snapshot.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>
#include "CCurlShim.h"

static void fal_poller_forget(fal_poller *poller, int fd);

// libcurl opens and closes its sockets through these, so the poller hears of every socket's end (and of
// a number being reused) even for one it still holds idle. Sockets are close-on-exec as well: a child
// process must not keep a connection, or the epoll entry of a closed one, alive.
static curl_socket_t fal_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address) {
    (void)purpose;
#ifdef SOCK_CLOEXEC
    curl_socket_t fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
#else
    curl_socket_t fd = socket(address->family, address->socktype, address->protocol);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
    if (fd < 0) return CURL_SOCKET_BAD;
    fal_poller_forget(clientp, fd);  // a reused number: whatever the poller knew of it is gone
    return fd;
}

static int fal_close_socket(void *clientp, curl_socket_t fd) {
    fal_poller_forget(clientp, fd);
    return close(fd);
}

CURLcode fal_curl_set_socket_hooks(CURL *handle, fal_poller *poller) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, fal_open_socket);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_OPENSOCKETDATA, poller);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, fal_close_socket);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_CLOSESOCKETDATA, poller);
    return code;
}

#if defined(__linux__)
#include <sys/epoll.h>
#include <sys/eventfd.h>

enum {
    FAL_IN = 1,          // registered for reading
    FAL_OUT = 2,         // registered for writing
    FAL_REGISTERED = 4,  // in the epoll set
    FAL_WANTED = 8,      // libcurl watches it (otherwise it is idle, left in the set)
};

struct fal_poller {
    int epoll;
    int wake;  // eventfd
    pthread_mutex_t lock;  // guards `states`; callers mostly hold the event loop's lock already
    unsigned char *states;  // FAL_* bits by socket number
    int capacity;
};

/// The state byte of `fd`, growing the table as needed; NULL when out of memory. Needs `lock`.
static unsigned char *fal_poller_state(fal_poller *poller, int fd) {
    if (fd < 0) return NULL;
    if (fd >= poller->capacity) {
        int capacity = poller->capacity ? poller->capacity : 64;
        while (capacity <= fd) capacity *= 2;
        unsigned char *grown = realloc(poller->states, capacity);
        if (!grown) return NULL;
        memset(grown + poller->capacity, 0, capacity - poller->capacity);
        poller->states = grown;
        poller->capacity = capacity;
    }
    return &poller->states[fd];
}

static void fal_poller_forget(fal_poller *poller, int fd) {
    pthread_mutex_lock(&poller->lock);
    unsigned char *state = fal_poller_state(poller, fd);
    // Out of the set before the socket closes: a duplicate in another process would keep the entry alive.
    if (state && (*state & FAL_REGISTERED)) epoll_ctl(poller->epoll, EPOLL_CTL_DEL, fd, NULL);
    if (state) *state = 0;
    pthread_mutex_unlock(&poller->lock);
}

fal_poller *fal_poller_create(void) {
    fal_poller *poller = calloc(1, sizeof(fal_poller));
    if (!poller) return NULL;
    pthread_mutex_init(&poller->lock, NULL);
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
    pthread_mutex_lock(&poller->lock);
    unsigned char *state = fal_poller_state(poller, fd);
    int result = 0;
    if (!state) {
        result = -1;
    } else if (what == CURL_POLL_REMOVE || what == CURL_POLL_NONE) {
        *state &= ~FAL_WANTED;  // stays in the set: the next request on this connection watches it again
    } else {
        unsigned char wanted = (what & CURL_POLL_IN ? FAL_IN : 0) | (what & CURL_POLL_OUT ? FAL_OUT : 0);
        if ((*state & FAL_REGISTERED) && (*state & (FAL_IN | FAL_OUT)) == wanted) {
            *state |= FAL_WANTED;
        } else {
            struct epoll_event event = { .events = 0, .data.fd = fd };
            if (wanted & FAL_IN) event.events |= EPOLLIN;
            if (wanted & FAL_OUT) event.events |= EPOLLOUT;
            int operation = *state & FAL_REGISTERED ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
            if (epoll_ctl(poller->epoll, operation, fd, &event) != 0) {
                // The set knew better (a socket closed outside the hooks): try the other operation.
                operation = operation == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
                if (epoll_ctl(poller->epoll, operation, fd, &event) != 0) result = -1;
            }
            *state = result == 0 ? (wanted | FAL_REGISTERED | FAL_WANTED) : 0;
        }
    }
    pthread_mutex_unlock(&poller->lock);
    return result;
}

int fal_poller_claim(fal_poller *poller, int fd) {
    pthread_mutex_lock(&poller->lock);
    unsigned char *state = fal_poller_state(poller, fd);
    int wanted = state && (*state & FAL_WANTED);
    if (state && !wanted) {
        // An idle connection became readable (the server closed it, usually): libcurl notices when it
        // next looks at the connection; until then it must not wake the loop again and again.
        if (*state & FAL_REGISTERED) epoll_ctl(poller->epoll, EPOLL_CTL_DEL, fd, NULL);
        *state = 0;
    }
    pthread_mutex_unlock(&poller->lock);
    return wanted;
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

static void fal_poller_forget(fal_poller *poller, int fd) {
    fal_poller_watch(poller, fd, CURL_POLL_REMOVE);
}

int fal_poller_claim(fal_poller *poller, int fd) {
    // Removed sockets leave the watch list at once here, so a ready one is wanted unless it left since
    // the snapshot.
    pthread_mutex_lock(&poller->lock);
    int index = 1;
    while (index < poller->count && poller->watched[index].fd != fd) index++;
    int wanted = index < poller->count;
    pthread_mutex_unlock(&poller->lock);
    return wanted;
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
