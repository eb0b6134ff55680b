// Linux interfaces that the Glibc Swift module does not expose: epoll,
// eventfd, prctl (variadic in C, so not importable) and three GNU
// extensions. _GNU_SOURCE is deliberately not defined (it would change
// fd_set and clash with other modules), so the three GNU functions are
// declared here with glibc's own signatures.
#ifndef HOTSWAP_CLINUX_SHIM_H
#define HOTSWAP_CLINUX_SHIM_H

#include <pthread.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

static inline int hs_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

static inline int hs_pthread_setname(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

/// Makes a spawned child close every descriptor from `from` up (glibc 2.34+),
/// so it inherits none of its parent's beyond those the file actions set up.
static inline int hs_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/// Asks the kernel to send `signal` to this process when the thread that
/// created it exits (PR_SET_PDEATHSIG); `hotswap dev` children use it.
static inline int hs_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

#endif
