/// Carries a value that belongs to one event loop across concurrency domains.
/// The value may only be touched on that loop's thread; the check is enforced
/// at every access, so handing it elsewhere is safe but using it elsewhere traps.
public struct LoopBound<Value>: @unchecked Sendable {
    public let loop: EventLoop
    private let storage: Value

    public init(_ value: Value, loop: EventLoop) {
        loop.preconditionInLoop()
        self.storage = value
        self.loop = loop
    }

    public var value: Value {
        loop.preconditionInLoop()
        return storage
    }

    /// Runs `body` with the value on its loop, from any thread.
    public func withValueOnLoop(_ body: @escaping @Sendable (Value) -> Void) {
        loop.execute { body(self.value) }
    }
}
