import Glibc
import Locking
import Primitives
import Transport

/// A list appended to from any thread.
final class LockedList<Element: Sendable>: Sendable {
    private let storage = Locked<[Element]>([])

    func append(_ element: Element) { storage.withLock { $0.append(element) } }
    var elements: [Element] { storage.withLock { $0 } }
    var count: Int { storage.withLock { $0.count } }
}

/// The kernel id of the calling thread, read from `/proc/thread-self`.
func currentThreadID() -> Int32 {
    var buffer = [CChar](repeating: 0, count: 128)
    let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
    precondition(length > 0, "cannot read /proc/thread-self")
    let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return Int32(target.split(separator: "/").last!)!
}

/// True while the thread with kernel id `threadID` exists in this process.
func threadExists(_ threadID: Int32) -> Bool {
    access("/proc/self/task/\(threadID)", F_OK) == 0
}
