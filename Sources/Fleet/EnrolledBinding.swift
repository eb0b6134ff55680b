/// What a node's latest enrollment bound its name to: the environment it admitted the node to and when the
/// enrollment applied (`FleetState+EnrolledEnvironments.swift`). Certificates from before that time are refused.
public struct EnrolledBinding: Sendable, Equatable {
    public let environment: String
    /// The enrollment command's `atMilliseconds` (Unix time, the enrolling coordinator's clock).
    public let enrolledAtMilliseconds: UInt64

    public init(environment: String, enrolledAtMilliseconds: UInt64) {
        self.environment = environment
        self.enrolledAtMilliseconds = enrolledAtMilliseconds
    }

    /// Whether a certificate valid from `notBeforeSeconds`, backdated `backdatingSeconds` before its issue, was issued
    /// before this enrollment (an earlier enrollment's, which may not take this one's environment). Unknown: refused.
    public func predates(notBeforeSeconds: Int64?, backdatingSeconds: Int64) -> Bool {
        guard let notBeforeSeconds else { return true }
        let issuedAtLatest = notBeforeSeconds.addingReportingOverflow(backdatingSeconds)
        return !issuedAtLatest.overflow && issuedAtLatest.partialValue < Int64(enrolledAtMilliseconds / 1_000)
    }
}
