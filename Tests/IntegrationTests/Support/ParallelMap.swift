import Dispatch
import Locking

/// Runs `body` for 0..<count on a few threads at once (each runs its share in
/// order) and returns the results in index order. For independent child
/// processes, whose wall time is mostly waiting.
enum ParallelMap {
    static func map<T: Sendable>(count: Int, workers: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Locked([T?](repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: count, by: workers) {
                let result = body(index)
                results.withLock { $0[index] = result }
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
