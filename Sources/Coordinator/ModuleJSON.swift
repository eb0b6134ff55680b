import Fleet
import Modules
import Wire

/// Module records as API JSON (Docs/MODULES.md, "Uploading and listing"): the answer of an upload,
/// the listing and one module's versions. The manifest is shown as the JSON object it is, re-encoded
/// from its decoded form, so bytes that somehow are not a manifest show as `null`, never as raw text.
enum ModuleJSON {
    /// One version, with its manifest.
    static func record(_ record: ModuleRecord) -> String {
        "{" + fields(record) + ",\"manifest\":" + manifest(record.manifest) + "}"
    }

    /// Every module with its versions, without manifests.
    static func list(_ records: [ModuleRecord]) -> String {
        var modules: [String] = []
        var index = records.startIndex
        while index < records.endIndex {
            let name = records[index].name
            let end = records[index...].firstIndex { $0.name != name } ?? records.endIndex
            let versions = records[index..<end].map { "{" + fields($0) + "}" }
            modules.append("{\"name\":\(JSONText.quoted(name)),\"versions\":[" + versions.joined(separator: ",") + "]}")
            index = end
        }
        return "{\"modules\":[" + modules.joined(separator: ",") + "]}"
    }

    /// One module's versions, each with its manifest.
    static func module(named name: String, _ records: [ModuleRecord]) -> String {
        "{\"name\":\(JSONText.quoted(name)),\"versions\":[" + records.map(record).joined(separator: ",") + "]}"
    }

    private static func fields(_ record: ModuleRecord) -> String {
        "\"name\":\(JSONText.quoted(record.name)),\"version\":\(JSONText.quoted(record.version)),"
            + "\"sha256\":\"\(record.sha256Hex)\",\"bytes\":\(record.byteCount),"
            + "\"uploadedBy\":\(JSONText.quoted(record.uploadedBy)),\"uploadedAtMilliseconds\":\(record.uploadedAtMilliseconds),"
            + "\"signed\":\(record.signature != nil)"
            + (record.signature.map { ",\"signature\":\"\(Base64.encode($0))\"" } ?? "")
    }

    private static func manifest(_ bytes: [UInt8]) -> String {
        do throws(ManifestRefusal) {
            return String(decoding: try ModuleManifest.decode(bytes).encoded(), as: UTF8.self)
        } catch {
            return "null"
        }
    }
}
