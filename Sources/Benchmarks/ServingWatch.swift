import Glibc
import Locking
import Primitives
import Transport

/// A thread that asks the sample service on each of `ports` which version it is
/// (`GET /healthz`) every `interval` from its start until `finish`, for `bench module-switch`'s
/// serving moments: what answered where, and when.
final class ServingWatch {
    /// One round of asking: per port (in the order given), the version that answered, or nil.
    struct Sample: Equatable, Sendable {
        let at: MonotonicInstant
        let versions: [String?]
    }

    static let interval: Duration = .milliseconds(50)
    /// 50 ms apart, ten minutes of samples.
    static let samplesMaximum = 12_000

    private let samples = Locked<[Sample]>([])
    private let done = Locked(false)
    private var thread: NativeThread?

    init(ports: [Int]) {
        let samples = samples, done = done
        thread = NativeThread(name: "hs-bench-serve") {
            while !done.withLock({ $0 }) {
                let at = MonotonicInstant.now()
                let sample = Sample(at: at, versions: ports.map { VersionQuery.version(on: $0) })
                samples.withLock { if $0.count < Self.samplesMaximum { $0.append(sample) } }
                let next = at.advanced(by: Self.interval)
                let wait = MonotonicInstant.now().duration(until: next)
                _ = poll(nil, 0, Int32(wait.wholeMilliseconds))
            }
        }
    }

    deinit { end() }

    /// Keeps asking until a sample taken after now sees `version` on some port, or `within`
    /// passes; then ends the thread and returns every sample.
    func finish(seeing version: String, within: Duration) -> [Sample] {
        let now = MonotonicInstant.now()
        let deadline = now.advanced(by: within)
        while MonotonicInstant.now() < deadline {
            let seen = samples.withLock { $0.contains { $0.at >= now && $0.versions.contains(version) } }
            if seen { break }
            _ = poll(nil, 0, 10)
        }
        end()
        return samples.withLock { $0 }
    }

    private func end() {
        done.withLock { $0 = true }
        thread?.join()
        thread = nil
    }
}

/// `GET /healthz` on a loopback port and the `"version"` of the sample service's answer; nil
/// when nothing answers within a second or the answer names no version.
enum VersionQuery {
    static let answerBytesMaximum = 4_096

    static func version(on port: Int) -> String? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /healthz HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        guard send(descriptor, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: answerBytesMaximum)
        while answer.count < answerBytesMaximum {
            let count = recv(descriptor, &buffer, answerBytesMaximum - answer.count, 0)
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return versionField(String(decoding: answer, as: UTF8.self))
    }

    /// The value of `"version":"…"` in `text`.
    static func versionField(_ text: String) -> String? {
        let bytes = Array(text.utf8), marker = Array(#""version":""#.utf8)
        guard bytes.count >= marker.count,
              let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
        else { return nil }
        let rest = bytes[(start + marker.count)...]
        return rest.firstIndex(of: UInt8(ascii: "\"")).map { String(decoding: rest[..<$0], as: UTF8.self) }
    }
}
