import CLinux
import CommandLineSupport
import FileSystem
import Glibc

/// The child's half of `hotswap dev`'s no-orphans guarantee. Dev starts every
/// child with `HOTSWAP_DEV_PARENT_PID` set to its own pid; such a child asks
/// the kernel for SIGKILL the moment dev dies (`PR_SET_PDEATHSIG`, which
/// `posix_spawn` cannot request for it), then checks that dev is still its
/// parent — dev may have died between the spawn and the request — and exits
/// at once if not. Runs first thing in `main`, before any command.
public enum ParentDeathGuard {
    static let environmentKey = "HOTSWAP_DEV_PARENT_PID"

    /// Arms the guard when this process was started by `hotswap dev`.
    /// Removes the variable so that processes this one starts do not inherit it.
    public static func armIfRequested() {
        guard let raw = getenv(environmentKey) else { return }
        let text = String(cString: raw)
        unsetenv(environmentKey)
        guard let expectedParent = Int32(text), expectedParent > 1 else {
            printError("hotswap: \(environmentKey)='\(text)' is not a process id")
            exit(1)
        }
        guard hs_set_parent_death_signal(SIGKILL) == 0 else {
            printError("hotswap: prctl(PR_SET_PDEATHSIG) failed: \(SystemErrorText.message(errno))")
            exit(1)
        }
        guard getppid() == expectedParent else {
            printError("hotswap: the hotswap dev that started this process (pid \(expectedParent)) is gone; exiting")
            exit(1)
        }
    }
}
