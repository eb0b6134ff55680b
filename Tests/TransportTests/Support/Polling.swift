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

/// A thread as the kernel knows it: its id and its start time (clock ticks since boot), so a
/// thread id the kernel handed to a new thread later (ids are reused once `pid_max`, 32,768
/// here, is passed, which a long parallel test run does) is not taken for the old thread.
struct ThreadIdentity: Equatable, Sendable {
    let threadID: Int32
    let startTime: Substring?
}

/// The calling thread's identity, read from `/proc/thread-self`.
func currentThreadID() -> ThreadIdentity {
    var buffer = [CChar](repeating: 0, count: 128)
    let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
    precondition(length > 0, "cannot read /proc/thread-self")
    let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let threadID = Int32(target.split(separator: "/").last!)!
    return ThreadIdentity(threadID: threadID, startTime: startTime(of: threadID))
}

/// True while the thread `identity` names exists in this process (its id, started when it was).
func threadExists(_ identity: ThreadIdentity) -> Bool {
    guard let started = startTime(of: identity.threadID) else { return false }
    return started == identity.startTime
}

/// Field 22 of `/proc/self/task/ID/stat` (the 20th after the command's closing parenthesis),
/// or nil when no such thread exists.
private func startTime(of threadID: Int32) -> Substring? {
    let descriptor = open("/proc/self/task/\(threadID)/stat", O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes = [UInt8](repeating: 0, count: 1_024)
    let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    guard count > 0 else { return nil }
    let stat = String(decoding: bytes[0..<count], as: UTF8.self)
    guard let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? fields[19] : nil
}
