// Linux interfaces that the Glibc Swift module does not expose: epoll,
// eventfd, prctl, ioctl and syscall (variadic in C, so not importable: pidfd_open and
// pidfd_send_signal go through syscall), per-thread nice and seven
// GNU extensions. _GNU_SOURCE is deliberately not defined (it would change
// fd_set and clash with other modules), so the GNU functions are declared
// here with glibc's own signatures.
#ifndef HOTSWAP_CLINUX_SHIM_H
#define HOTSWAP_CLINUX_SHIM_H

#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/// posix_spawn's flag to make the child a session leader (glibc 2.26+; under __USE_GNU, which is
/// not defined here): it leaves the parent's session and terminal, and leads a new process group.
#define HS_POSIX_SPAWN_SETSID 0x80

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
extern int pipe2(int fds[2], int flags);
extern pid_t gettid(void);
extern int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

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

/// Makes a spawned child change to `path` before it executes (glibc 2.29+).
static inline int hs_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/// A pipe whose two ends are close-on-exec from the start, so no child
/// spawned meanwhile by another thread inherits them.
static inline int hs_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

/// Asks the kernel to send `signal` to this process when the thread that
/// created it exits (PR_SET_PDEATHSIG); `hotswap dev` children use it.
static inline int hs_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

/// Lowers the calling thread's CPU priority by `steps` nice levels (at most to 19); on Linux
/// setpriority with a thread id acts on that thread alone. 0, or -1 with errno set.
static inline int hs_thread_lower_priority(int steps) {
    id_t thread = (id_t)gettid();
    errno = 0;
    int current = getpriority(PRIO_PROCESS, thread);
    if (current == -1 && errno != 0) return -1;
    int lowered = current + steps > 19 ? 19 : current + steps;
    return lowered <= current ? 0 : setpriority(PRIO_PROCESS, thread, lowered);
}

/// Renames `from` to `to` unless something is at `to` (RENAME_NOREPLACE, glibc 2.28+):
/// -1 with EEXIST then, or EINVAL where the filesystem cannot promise it.
static inline int hs_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, 1u /* RENAME_NOREPLACE */);
}

/// A descriptor that refers to process `pid` itself (pidfd_open, Linux 5.3+): readable once the
/// process has ended, child or not, and never confused with a later process given the same pid.
/// -1 with errno set (ESRCH when no such process exists).
static inline int hs_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0u);
}

/// Sends `signal` to the process a pidfd refers to (pidfd_send_signal, Linux 5.1+): never to a
/// later process given the same pid. 0, or -1 with errno set (ESRCH once it has ended).
static inline int hs_pidfd_send_signal(int descriptor, int signal) {
    return (int)syscall(SYS_pidfd_send_signal, descriptor, signal, (void *)0, 0u);
}

/// The rows of the terminal on `descriptor` (TIOCGWINSZ), or 0 when it is no terminal or does
/// not say.
static inline int hs_terminal_rows(int descriptor) {
    struct winsize size;
    if (ioctl(descriptor, TIOCGWINSZ, &size) != 0) return 0;
    return (int)size.ws_row;
}

#endif
