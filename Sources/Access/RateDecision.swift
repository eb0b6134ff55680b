/// The answer of `RateLimiter.take`: go ahead, or 429 with `Retry-After` in whole seconds (at least 1).
public enum RateDecision: Sendable, Equatable {
    case allowed
    case limited(retryAfterSeconds: Int)
}
