import Glibc

/// The sample service's lines to its standard output and error (no Foundation, so the
/// release binary links the Swift runtime statically and runs on a host without a toolchain).
enum SampleOutput {
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Says why on standard error and exits 1.
    static func fail(_ reason: String) -> Never {
        write("hotswap-sample-service: \(reason)\n", to: STDERR_FILENO)
        exit(1)
    }
}
