import Transport
import Primitives

/// `GET /api/v1/events`: server-sent events of the changes this coordinator applies
/// (Docs/EVENTS.md); a viewer may watch.
enum EventRoutes {
    static func register(in routes: inout GuardedRoutes, hub: EventHub) {
        routes.add("GET", "/api/v1/events") { [accessGuard = routes.accessGuard] request, responder, caller in
            EventSubscriber.open(request, caller: caller, responder: responder, hub: hub) {
                accessGuard.refusalNow(request, caller: caller, nowMilliseconds: WallClock.nowMilliseconds())
            }
        }
    }
}
