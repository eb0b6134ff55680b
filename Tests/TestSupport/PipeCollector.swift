import Foundation
import Glibc
import Locking
import Testing

/// Drains the read end of a child's output pipe on a reader thread of its own
/// so the child never blocks on a full pipe. The thread reads until the
/// pipe's end, which comes once every writer (the child, and whatever it
/// passed the pipe to) has closed it, then closes the descriptor and ends.
/// The reader lags the child: after the child exits, `waitForEnd` waits until
/// everything it wrote has been read.
public final class PipeCollector: Sendable {
    private struct Collected {
        var data = Data()
        var ended = false
    }

    private let collected = Locked(Collected())

    /// Starts reading `descriptor`, which the collector now owns.
    public init(descriptor: Int32) {
        let collected = collected
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                collected.withLock { $0.data.append(contentsOf: buffer[..<count]) }
            }
            close(descriptor)
            collected.withLock { $0.ended = true }
        }
    }

    /// What has been read so far.
    public var text: String { collected.withLock { String(decoding: $0.data, as: UTF8.self) } }

    /// Waits (bounded) until the pipe's end was read, which is once every
    /// writer has closed it; true if it was.
    @discardableResult
    public func waitForEnd(timeout: Duration = .seconds(10)) -> Bool {
        eventually(timeout: timeout) { collected.withLock { $0.ended } }
    }

    /// Everything the pipe carried, once its end was read.
    public func finish() -> String {
        if !waitForEnd() { Issue.record("a child's output pipe was still open 10 s after it exited") }
        return text
    }
}
