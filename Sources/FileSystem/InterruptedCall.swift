import Glibc

/// Bounded retry of a system call that a signal interrupted (`EINTR`): a
/// signal storm cannot keep a caller looping for ever.
public enum InterruptedCall {
    /// Retries after `EINTR` before the call's failure is reported.
    public static let retryMaximum = 64

    /// Runs `call` until it returns something other than a negative value
    /// with `errno` `EINTR`, retrying at most `retryMaximum` times. Returns
    /// the last result and the errno it left when negative (0 otherwise).
    public static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> (result: Result, errno: Int32) {
        var retries = 0
        while true {
            let result = call()
            guard result < 0 else { return (result, 0) }
            let code = errno
            guard code == EINTR, retries < retryMaximum else { return (result, code) }
            retries += 1
        }
    }
}
