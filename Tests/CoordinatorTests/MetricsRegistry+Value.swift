import Observability

extension MetricsRegistry {
    /// The value of the unlabelled metric `name` as `/metrics` shows it, or nil when it is not there.
    func value(_ name: String) -> Double? {
        let prefix = name + " "
        return exposition().split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }
}
