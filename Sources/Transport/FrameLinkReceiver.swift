import Wire

/// Hears what happens on a `FrameLink`. Called on the link's loop.
public protocol FrameLinkReceiver: AnyObject {
    func linkDidConnect(_ link: FrameLink)
    /// The peer took the connection: its first frame came back (a pong), or it stayed open a
    /// keepalive interval. A peer that refuses a connection closes it before either.
    func linkIsEstablished(_ link: FrameLink)
    func link(_ link: FrameLink, didReceive frame: Frame)
    func linkDidDisconnect(_ link: FrameLink, reason: CloseReason)
    /// The link backs off before its next dial: its name gave no address, every address of this
    /// dial failed, or its connection closed. Called once per backoff (after `linkDidDisconnect` or
    /// `link(_:didFailToResolve:)`), not per address.
    func linkWillBackOff(_ link: FrameLink)
    /// The link's host name gave no address for this dial; the link retries after its backoff.
    func link(_ link: FrameLink, didFailToResolve failure: ResolutionFailure)
}

extension FrameLinkReceiver {
    public func linkIsEstablished(_ link: FrameLink) {}
    public func linkWillBackOff(_ link: FrameLink) {}
    public func link(_ link: FrameLink, didFailToResolve failure: ResolutionFailure) {}
}
