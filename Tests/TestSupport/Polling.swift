import Glibc

/// Polls `condition` every `pollInterval` until it holds or `timeout`
/// passes, and reports whether it held. For waiting on another thread,
/// process or the network; never a speed assertion. The one polling helper
/// of the test targets.
public func eventually(timeout: Duration = .seconds(20), every pollInterval: Duration = .milliseconds(10),
                       _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    let pollMicroseconds = UInt32(pollInterval.components.seconds * 1_000_000
                                  + pollInterval.components.attoseconds / 1_000_000_000_000)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(pollMicroseconds)
    }
    return condition()
}
