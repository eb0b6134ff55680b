import Storage

extension WriteAheadLog {
    /// A clean shutdown, as the coordinator's: the held-back commit index is written, then the log closed.
    func flushAndClose() throws {
        try flush()
        close()
    }
}
