import Access
import Testing

/// `Docs/openapi.yaml` documents exactly the API's routes: every row of `Access.Permissions.rules`
/// (which every registered route is held to) is an operation of the document and every operation
/// a row, every GET route also documents HEAD, and only the open routes say `security: []`. So a
/// new route cannot go undocumented, nor a removed one stay.
struct OpenAPIDocumentTests {
    /// One operation of the document: method (upper case), path and whether it is marked open.
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var isOpen = false

        var route: String { "\(method) \(path)" }
        var description: String { route }
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// The operations under the top-level `paths:` of the document's text: a path is a key
    /// indented two spaces, an operation a method key indented four under it, and
    /// `security: []` indented six marks the operation open. Enough for this document's shape.
    static func operations(in document: String) -> [Operation] {
        var found: [Operation] = []
        var inPaths = false
        var path: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            let text = line.dropFirst(indent)
            if indent == 0, !text.isEmpty, !text.hasPrefix("#") {
                inPaths = text == "paths:"
                continue
            }
            guard inPaths, text.hasSuffix(":") || text.hasPrefix("security:") else { continue }
            let key = String(text.dropLast())
            switch indent {
            case 2: path = key.hasPrefix("/") ? key : nil
            case 4:
                if let path, methods.contains(key) { found.append(Operation(method: key.uppercased(), path: path)) }
            case 6 where text == "security: []":
                if !found.isEmpty { found[found.count - 1].isOpen = true }
            default: break
            }
        }
        return found
    }

    static func documentOperations() throws -> [Operation] {
        operations(in: try DocumentationTests.text("Docs/openapi.yaml"))
    }

    @Test func theReaderFindsOperationsAndOpenMarks() {
        let document = """
        openapi: 3.1.0
        paths:
          /a/{name}:
            get:
              security: []
              responses: {}
            delete:
              parameters:
                - name: get
        components:
          /not-a-path:
            get:
        """
        #expect(Self.operations(in: document) == [Operation(method: "GET", path: "/a/{name}", isOpen: true),
                                                   Operation(method: "DELETE", path: "/a/{name}")])
    }

    @Test func everyRouteOfThePermissionTableIsDocumentedAndNothingElse() throws {
        let operations = try Self.documentOperations()
        #expect(operations.count >= Permissions.rules.count, "Docs/openapi.yaml parsed to \(operations)")
        let documented = Set(operations.filter { $0.method != "HEAD" }.map(\.route))
        let routes = Set(Permissions.rules.map { "\($0.method) \($0.pattern)" })
        #expect(routes.subtracting(documented).sorted() == [], "routes Docs/openapi.yaml does not document")
        #expect(documented.subtracting(routes).sorted() == [], "operations of Docs/openapi.yaml that are not routes")
        #expect(operations.count == Set(operations.map(\.route)).count, "an operation is documented twice")
    }

    @Test func everyGetRouteDocumentsHeadAndHeadOnlyThere() throws {
        let operations = try Self.documentOperations()
        let gets = Set(operations.filter { $0.method == "GET" }.map(\.path))
        let heads = Set(operations.filter { $0.method == "HEAD" }.map(\.path))
        #expect(gets.subtracting(heads).sorted() == [], "GET routes without their HEAD")
        #expect(heads.subtracting(gets).sorted() == [], "HEAD operations without a GET route")
    }

    @Test func exactlyTheOpenRoutesAreDocumentedWithoutSecurity() throws {
        let operations = try Self.documentOperations()
        for operation in operations {
            let isOpen = Permissions.requirement(method: operation.method, pattern: operation.path) == .open
            #expect(operation.isOpen == isOpen, "\(operation) is \(isOpen ? "open" : "guarded") in Permissions, not in the document")
        }
    }
}
