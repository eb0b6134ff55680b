import Glibc
import Locking
import Transport

extension SupervisedProcesses {
    /// The thread `SupervisedProcesses` owns: every interval it records the processes the
    /// supervisors restarted; `end` wakes it through a pipe and joins it.
    final class Recorder: Sendable {
        static let failuresMaximum = 16

        private let wakeRead: Int32
        private let wakeWrite: Int32
        private let thread = Locked<NativeThread?>(nil)
        private let ended = Locked(false)
        let notes = Locked<[String]>([])

        init() throws(InstallationError) {
            var ends: [Int32] = [-1, -1]
            // Modules never inherit it: the supervisor spawns with no descriptor but the standard three;
            // close-on-exec (checked) covers any other exec.
            let path = "the process recorder's wake pipe"
            guard pipe(&ends) == 0 else { throw .file(.system(operation: "pipe", path: path, errno: errno)) }
            guard fcntl(ends[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(ends[1], F_SETFD, FD_CLOEXEC) == 0 else {
                let code = errno
                close(ends[0])
                close(ends[1])
                throw .file(.system(operation: "fcntl FD_CLOEXEC", path: path, errno: code))
            }
            wakeRead = ends[0]
            wakeWrite = ends[1]
        }

        deinit {
            end()
            close(wakeRead)
            close(wakeWrite)
        }

        var isShutDown: Bool { ended.withLock { $0 } }
        var failures: [String] { notes.withLock { $0 } }

        func begin(every interval: Duration, _ work: @escaping @Sendable () -> Void) {
            let descriptor = wakeRead
            let ended = ended
            let milliseconds = Int32(clamping: max(1, interval.wholeMilliseconds))
            thread.withLock { thread in
                thread = NativeThread(name: "hs-recorder") {
                    while !ended.withLock({ $0 }) {
                        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                        if poll(&entry, 1, milliseconds) > 0 { return }
                        work()
                    }
                }
            }
        }

        func end() {
            ended.withLock { $0 = true }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
            let running = thread.withLock { thread in
                defer { thread = nil }
                return thread
            }
            running?.join()
        }

        static func note(_ failure: String, in notes: Locked<[String]>) {
            notes.withLock { notes in
                notes.append(failure)
                if notes.count > Self.failuresMaximum { notes.removeFirst(notes.count - Self.failuresMaximum) }
            }
        }
    }
}
