extension ArtifactDigest {
    /// The sha256 of the file at `path`, read in bounded pieces (never whole in memory): what an
    /// agent checks a fetched artifact against before it unpacks anything.
    public init(hashingFile path: String) throws(ModuleArchiveError) {
        bytes = try ArtifactStream.sha256(ofFile: path)
    }
}
