// Linux interfaces that the Glibc Swift module does not expose: epoll,
// eventfd, and two GNU extensions. _GNU_SOURCE is deliberately not defined
// (it would change fd_set and clash with other modules), so the two GNU
// functions are declared here with glibc's own signatures.
#ifndef HOTSWAP_CLINUX_SHIM_H
#define HOTSWAP_CLINUX_SHIM_H

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);

static inline int hs_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

static inline int hs_pthread_setname(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

#endif
