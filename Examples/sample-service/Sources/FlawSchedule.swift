import Glibc

/// When and how much the sample service degrades: nothing before `afterSeconds` of uptime,
/// then more each second (`SampleOptions.Flaw`), so the gate sees a trend, not a step.
struct FlawSchedule: Sendable {
    let flaw: SampleOptions.Flaw
    let afterSeconds: Int
    let started = FlawSchedule.monotonicSeconds()

    /// Seconds the flaw has been showing (0 before it starts).
    var flawSeconds: Double {
        max(0, FlawSchedule.monotonicSeconds() - started - Double(afterSeconds))
    }

    /// For the latency flaw: waits 5 ms per second of flaw, at most 2 s, before an answer.
    func delayAnswer() {
        guard flaw == .latency else { return }
        let milliseconds = min(2_000, 5 * flawSeconds)
        if milliseconds > 0 { usleep(UInt32(milliseconds * 1_000)) }
    }

    /// Starts the thread that shows the CPU or memory flaw (none for the others); it runs
    /// until the process ends, which is all the service's life.
    func startWorker() {
        let schedule = self
        let body: ThreadBody
        switch flaw {
        case .none, .latency: return
        case .cpu: body = ThreadBody { schedule.burnCPU() }
        case .memory: body = ThreadBody { schedule.holdMemory() }
        }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(body).toOpaque())
        guard started == 0 else { SampleOutput.fail("could not start the \(flaw.rawValue) flaw's thread: error \(started)") }
    }

    /// Busy for a share of every 100 ms: 3 % more per second of flaw, at most 90 %.
    private func burnCPU() {
        while true {
            let busy = min(0.9, 0.03 * flawSeconds) * 0.1
            let periodStart = FlawSchedule.monotonicSeconds()
            while FlawSchedule.monotonicSeconds() - periodStart < busy {}
            usleep(UInt32(max(0, 0.1 - busy) * 1_000_000))
        }
    }

    /// Touches 8 MiB more every second of flaw, at most 512 MiB.
    private func holdMemory() {
        var held: [[UInt8]] = []
        while true {
            let wanted = min(64, Int(flawSeconds))
            while held.count < wanted { held.append([UInt8](repeating: 1, count: 8 << 20)) }
            sleep(1)
        }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// What a flaw's thread runs.
final class ThreadBody: Sendable {
    let run: @Sendable () -> Void

    init(_ run: @escaping @Sendable () -> Void) {
        self.run = run
    }
}
