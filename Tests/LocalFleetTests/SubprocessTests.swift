import Foundation
import Glibc
import Locking
import Testing
import TestSupport

/// The tests' `Subprocess` (TestSupport) with real children (`sh`, `cat`,
/// `sleep`, `readlink`): exit and signal statuses, input and output, the
/// environment, the working directory, one reap however many threads ask,
/// and a child that inherits nothing but its standard descriptors.
struct SubprocessTests {
    /// Far longer than any test here: a child that must still be running when looked at.
    static let longSleep = "600"

    @Test func anExitCodeIsTheStatus() throws {
        #expect(try ExternalCommand.run(["sh", "-c", "exit 3"]).status == 3)
        #expect(try ExternalCommand.run(["/bin/true"]).status == 0)
    }

    @Test func aChildKilledByASignalReports128PlusTheSignal() throws {
        #expect(try ExternalCommand.run(["sh", "-c", "kill -TERM $$"]).status == 128 + SIGTERM)
        let child = try Subprocess(["sleep", Self.longSleep])
        child.kill()
        child.waitUntilExit()
        #expect(child.terminationStatus == 128 + SIGKILL)
    }

    @Test func aProgramThatIsNotThereFailsToStartOrExits127() throws {
        #expect(throws: Subprocess.SpawnFailure.self) { try Subprocess(["/nonexistent/hotswap-subprocess-test"]) }
        let missing = try ExternalCommand.run(["hotswap-subprocess-test-no-such-program"])
        #expect(missing.status == 127, "\(missing.combined)")
    }

    @Test func inputComesBackOnStandardOutputEvenPastThePipeBuffer() throws {
        let small = try ExternalCommand.run(["cat"], input: Data("hello\nworld\n".utf8))
        #expect(small.status == 0 && small.standardOutput == "hello\nworld\n" && small.standardError.isEmpty)
        // Four megabytes: cat blocks on its output until the reader thread drains it.
        let large = String(repeating: "0123456789abcdef", count: 256 * 1024)
        let echoed = try ExternalCommand.run(["cat"], input: Data(large.utf8))
        #expect(echoed.status == 0 && echoed.standardOutput == large)
    }

    @Test func standardErrorCanJoinStandardOutput() throws {
        let child = try Subprocess(["sh", "-c", "echo out; echo err >&2"], standardError: .standardOutput)
        child.waitUntilExit()
        #expect(child.standardError == nil)
        #expect(child.standardOutput?.finish() == "out\nerr\n")
    }

    @Test func theEnvironmentIsInheritedWithOverridesOnTop() throws {
        let script = #"printf '%s|%s|%s' "$HOTSWAP_SUBPROCESS_PROBE" "$SWIFT_BACKTRACE" "${PATH:+set}""#
        let result = try ExternalCommand.run(["sh", "-c", script], environment: ["HOTSWAP_SUBPROCESS_PROBE": "a b=c"])
        #expect(result.standardOutput == "a b=c|enable=no|set", "\(result.combined)")
        let overridden = try ExternalCommand.run(["sh", "-c", #"printf %s "$SWIFT_BACKTRACE""#],
                                                 environment: ["SWIFT_BACKTRACE": "enable=yes"])
        #expect(overridden.standardOutput == "enable=yes")
    }

    @Test func theWorkingDirectoryIsTheOneAskedFor() throws {
        let directory = TemporaryDirectory()
        let resolved = try #require(realpath(directory.path, nil))
        defer { free(resolved) }
        let result = try ExternalCommand.run(["/bin/pwd", "-P"], workingDirectory: directory.path)
        #expect(result.standardOutput == String(cString: resolved) + "\n", "\(result.combined)")
    }

    @Test func aChildIsReapedOnceHoweverManyThreadsWait() throws {
        let child = try Subprocess(["sh", "-c", "sleep 0.2; exit 7"], standardOutput: .null, standardError: .null)
        let seen = Locked<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            if index.isMultiple(of: 2) {
                child.waitUntilExit()
            } else {
                _ = eventually(timeout: .seconds(60)) { !child.isRunning }
            }
            let status = child.terminationStatus
            seen.withLock { $0.append(status) }
        }
        #expect(seen.withLock { $0 } == Array(repeating: 7, count: 8))
        // Nobody else may reap it: the kernel has no such child left.
        var raw: Int32 = 0
        #expect(waitpid(child.pid, &raw, WNOHANG) == -1 && errno == ECHILD)
        child.terminate()
        child.waitUntilExit()
        #expect(!child.isRunning && child.terminationStatus == 7)
    }

    @Test func theBoundedWaitGivesUpOnARunningChild() throws {
        let child = try Subprocess(["sleep", Self.longSleep])
        #expect(child.waitUntilExit(timeout: .milliseconds(100)) == nil)
        #expect(child.isRunning)
        child.terminate()
        #expect(child.waitUntilExit(timeout: .seconds(60)) == 128 + SIGTERM)
    }

    @Test func aChildInheritsNoDescriptorBeyondItsStandardThree() throws {
        // Not close-on-exec, and numbered high so no descriptor the child opens itself lands there.
        let opened = open("/dev/null", O_RDONLY)
        try #require(opened >= 0)
        let unrelated = fcntl(opened, F_DUPFD, 200)
        close(opened)
        try #require(unrelated >= 200)
        defer { close(unrelated) }
        #expect(fcntl(unrelated, F_GETFD) & FD_CLOEXEC == 0)

        let probe = try ExternalCommand.run(["readlink", "/proc/self/fd/\(unrelated)"])
        #expect(probe.status != 0, "the child inherited descriptor \(unrelated): \(probe.combined)")
        let control = try ExternalCommand.run(["readlink", "/proc/self/fd/1"])
        #expect(control.status == 0 && control.standardOutput.hasPrefix("pipe:"), "\(control.combined)")
    }

    /// Signals 1 to 31; glibc's `posix_spawn` itself leaves its two internal
    /// real-time signals (32 and 33) ignored in every child.
    static let standardSignals: UInt64 = 0x7fff_ffff

    /// The parent blocks SIGUSR1 (on the spawning thread, whose mask a child would inherit) and
    /// ignores SIGUSR2 while it spawns, so the test fails if the child keeps either.
    @Test func aChildStartsWithNoSignalBlockedOrIgnored() throws {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        var previousMask = sigset_t()
        try #require(pthread_sigmask(SIG_BLOCK, &blocked, &previousMask) == 0)
        let previousHandler = signal(SIGUSR2, SIG_IGN)
        let spawned = Result { try ExternalCommand.run(["cat", "/proc/self/status"]) }
        signal(SIGUSR2, previousHandler)
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        let status = try spawned.get().standardOutput
        let masks = Dictionary(status.split(separator: "\n").compactMap { line -> (String, UInt64)? in
            let fields = line.split(separator: ":", maxSplits: 1)
            guard fields.count == 2, let mask = UInt64(fields[1].trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            return (String(fields[0]), mask)
        }) { first, _ in first }
        #expect(try #require(masks["SigBlk"], "\(status)") == 0)
        #expect(try #require(masks["SigIgn"], "\(status)") & Self.standardSignals == 0, "\(status)")
    }

    @Test func inputForAChildThatIsGoneIsRefusedWithoutSIGPIPE() throws {
        let child = try Subprocess(["/bin/true"], standardInput: .pipe)
        child.waitUntilExit()
        #expect(try child.finishInput(Data(count: 1 << 20)) == false)
        #expect(child.terminationStatus == 0)
    }
}
