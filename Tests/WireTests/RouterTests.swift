import Testing
@testable import Wire

@Suite struct RouterTests {
    private var router: Router<String> {
        var router = Router<String>()
        router.add("GET", "/deployments", "list")
        router.add("POST", "/deployments", "create")
        router.add("GET", "/deployments/current", "current")
        router.add("GET", "/deployments/{id}", "show")
        router.add("POST", "/deployments/{id}/pause", "pause")
        return router
    }

    private func handler(_ result: RouteResult<String>) -> String? {
        guard case let .found(handler, _) = result else { return nil }
        return handler
    }

    @Test func methodAndPathSelectTheHandler() {
        #expect(handler(router.route(method: "GET", path: "/deployments")) == "list")
        #expect(handler(router.route(method: "POST", path: "/deployments")) == "create")
    }

    @Test func parametersAreReturnedWithTheHandler() {
        guard case let .found(handler, parameters) = router.route(method: "POST", path: "/deployments/d-42/pause") else {
            Issue.record("expected a match")
            return
        }
        #expect(handler == "pause")
        #expect(parameters == ["id": "d-42"])
    }

    @Test func earlierRegisteredRouteWinsOverALaterOverlappingOne() {
        #expect(handler(router.route(method: "GET", path: "/deployments/current")) == "current")
        #expect(handler(router.route(method: "GET", path: "/deployments/other")) == "show")
    }

    @Test func knownPathWithWrongMethodListsTheAllowedMethods() {
        guard case let .methodNotAllowed(allowed) = router.route(method: "DELETE", path: "/deployments") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "HEAD", "POST"])
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = router.route(method: "GET", path: "/nowhere") else {
            Issue.record("expected 404")
            return
        }
    }

    @Test func headUsesTheGetHandlerWhenNoHeadRouteExists() {
        #expect(handler(router.route(method: "HEAD", path: "/deployments/x")) == "show")
    }

    @Test func headRouteTakesPrecedenceOverGet() {
        var router = self.router
        router.add("HEAD", "/deployments/{id}", "head")
        #expect(handler(router.route(method: "HEAD", path: "/deployments/x")) == "head")
    }

    @Test func methodsAreCaseSensitive() {
        guard case .methodNotAllowed = router.route(method: "get", path: "/deployments") else {
            Issue.record("expected 405 for a lowercase method")
            return
        }
    }

    @Test func aPathIsMatchedByPatternsOfItsOwnLengthOnly() {
        // The path is split once for the longest pattern (three segments), so shorter and longer
        // paths must still find exactly their own pattern or none.
        #expect(handler(router.route(method: "GET", path: "/deployments")) == "list")
        #expect(handler(router.route(method: "POST", path: "/deployments/d-1/pause")) == "pause")
        for path in ["/deployments/d-1/pause/extra", "/deployments/d-1/pause/a/b/c/d", "/deployments/a/b", "/"] {
            guard case .notFound = router.route(method: "POST", path: path) else {
                Issue.record("\(path) should match no route")
                continue
            }
        }
    }
}
