/// The part a node plays in a HotSwap cluster; a certificate's role decides what
/// its holder may do and which TLS usages it carries.
public enum NodeRole: String, Sendable, CaseIterable {
    case coordinator
    case agent
    case `operator`
}
