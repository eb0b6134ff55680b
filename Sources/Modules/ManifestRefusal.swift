/// Why a manifest was refused: one sentence naming the field (`start.arguments[3]`) and what is
/// wrong with it, for the command line and the API.
public struct ManifestRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
