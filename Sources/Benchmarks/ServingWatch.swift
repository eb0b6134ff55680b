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
        let fetched = HTTPProbe.fetch(address: SocketAddress.loopbackIPv4.withPort(UInt16(port)), hostHeader: "127.0.0.1:\(port)",
                                      path: "/healthz", timeout: .seconds(1), answerBytesMaximum: answerBytesMaximum)
        guard case .answered = fetched.outcome else { return nil }
        return versionField(String(decoding: fetched.body, as: UTF8.self))
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
