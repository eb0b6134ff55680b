import CLinux
import Glibc
import Modules
import Primitives
import Transport

/// A command health probe, resolved for one launch like the start command (inside the version
/// directory, interpolated, clean environment, own process group). Each run captures the first
/// `outputBytesMaximum` bytes of its output (the rest is read and dropped, so the probe never
/// blocks on a full pipe), is killed with its whole group when `timeout` passes, and leaves
/// nothing behind: its group is sent SIGKILL once it has ended, for whatever it started.
public struct CommandProbe: Equatable, Sendable {
    public static let outputBytesMaximum = 4 << 10

    public let command: String
    let spawn: SpawnCommand

    init(launch: ModuleLaunch, invocation: ModuleManifest.Invocation) throws(SupervisionError) {
        command = invocation.command
        spawn = try SpawnCommand(launch: launch, invocation: invocation)
    }

    func run(timeout: Duration, interruptDescriptor: Int32) -> ProbeOutcome {
        var ends: [Int32] = [-1, -1]
        guard hs_pipe_cloexec(&ends) == 0 else { return failure("pipe: \(CommandPath.errorText(errno))") }
        defer { close(ends[0]) }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        let started = MonotonicInstant.now()
        let process: WatchedProcess
        do {
            process = try ProcessSpawn.watched(spawn, output: ends[1])
        } catch {
            close(ends[1])
            return failure(error.description)
        }
        close(ends[1])
        defer { process.closeDescriptor() }
        var output = BoundedOutput()
        let ending = collect(from: ends[0], until: started.advanced(by: timeout), process: process,
                             interrupt: interruptDescriptor, into: &output)
        process.signalGroup(SIGKILL)
        let status = process.waitForEnd(timeout: .seconds(10)) ? process.reap() : nil
        let latency = started.duration(until: .now())
        switch ending {
        case .timedOut:
            return ProbeOutcome(healthy: false, latency: nil, detail: "timed out after \(timeout); killed", output: output.text)
        case .interrupted:
            return ProbeOutcome(healthy: false, latency: nil, detail: "interrupted; killed", output: output.text)
        case .ended:
            return ProbeOutcome(healthy: status?.code == 0, latency: latency, detail: status?.description ?? "ended",
                                output: output.text)
        }
    }

    private enum Ending {
        case ended
        case timedOut
        case interrupted
    }

    /// Reads output until the process ends, the deadline passes or the interrupt fires.
    private func collect(from reader: Int32, until deadline: MonotonicInstant, process: WatchedProcess, interrupt: Int32,
                         into output: inout BoundedOutput) -> Ending {
        var readerOpen = true
        while true {
            let now = MonotonicInstant.now()
            guard now < deadline else { return .timedOut }
            let milliseconds = Int32(clamping: (now.duration(until: deadline).wholeNanoseconds + 999_999) / 1_000_000)
            var descriptors = [pollfd(fd: readerOpen ? reader : -1, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: process.descriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, 3, milliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready >= 0, descriptors[2].revents == 0 else { return .interrupted }
            if descriptors[0].revents != 0 { readerOpen = output.read(from: reader) }
            if descriptors[1].revents != 0 {
                if readerOpen { _ = output.read(from: reader) }
                return .ended
            }
        }
    }

    private func failure(_ reason: String) -> ProbeOutcome {
        ProbeOutcome(healthy: false, latency: nil, detail: reason)
    }
}

/// The first `CommandProbe.outputBytesMaximum` bytes read; later ones are dropped.
struct BoundedOutput {
    private(set) var bytes: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 4 << 10)

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Reads what is there now (the descriptor is non-blocking); false at end of file or error.
    mutating func read(from descriptor: Int32) -> Bool {
        for _ in 0..<64 {
            let count = scratch.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: scratch[0..<min(count, CommandProbe.outputBytesMaximum - bytes.count)])
                continue
            }
            if count < 0, errno == EAGAIN || errno == EINTR { return true }
            return false
        }
        return true
    }
}
