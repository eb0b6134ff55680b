/// Fixed names of the module artifact format (Docs/MODULES.md).
public enum ModuleFormat {
    /// Where the manifest lives in every artifact: a regular file at the archive's root.
    public static let manifestPath = "hotswap-module.json"
    /// What `hotswap module sign` appends to the artifact's path for its detached signature.
    public static let signatureSuffix = ".sig"
}
