import Observability
import Synchronization
import Wire

/// Why a frame was not sent. A frame over the receiver's size limit would
/// only make the receiver close the connection (and with it everything else
/// queued on it), so the sender refuses it and tells its caller instead.
public enum FrameSendError: Error, Equatable, Sendable, CustomStringConvertible {
    case oversized(kind: UInt8, declaredBytes: Int, maximumBytes: Int)

    public var description: String {
        switch self {
        case let .oversized(kind, declaredBytes, maximumBytes):
            "frame of kind \(kind) declares \(declaredBytes) bytes, over the \(maximumBytes)-byte frame limit; "
                + "it was not sent (split it into a chunked transfer)"
        }
    }

    /// Frames refused by any sender in this process, for `/metrics`.
    public static var refusedTotal: Int { refusals.load(ordering: .relaxed) }

    private static let refusals = Atomic<Int>(0)

    /// Throws (and counts) when `frame` is over `maximumBytes`.
    static func check(_ frame: Frame, maximumBytes: Int) throws(FrameSendError) {
        guard frame.declaredBytes > maximumBytes else { return }
        refusals.add(1, ordering: .relaxed)
        throw .oversized(kind: frame.kind, declaredBytes: frame.declaredBytes, maximumBytes: maximumBytes)
    }
}

/// Something frames are sent on (`FrameChannel`, `FrameLink`), refusing
/// one over its size limit.
public protocol FrameSender: AnyObject {
    func send(_ frame: Frame) throws(FrameSendError)
}

extension FrameSender {
    /// Sends `frame`; a refusal (already counted) is logged with `what` was
    /// being sent, described only then: describing every frame sent cost the
    /// leader's Raft loop several percent of its write throughput. Returns
    /// whether the frame was sent.
    @discardableResult
    public func send(_ frame: Frame, what: @autoclosure () -> String, refusalsTo logger: Logger) -> Bool {
        do {
            try send(frame)
            return true
        } catch {
            logger.error("frame not sent", ["what": what(), "error": "\(error)"])
            return false
        }
    }
}
