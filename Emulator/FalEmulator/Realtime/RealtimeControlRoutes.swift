import FalCore
import Foundation
import Hummingbird

/// `/_emulator/realtime…`: what tests see of the realtime WebSockets and the faults they put into them. All
/// need `Authorization: Key …` (checked by the responder, as for every control). `endpoint_id` narrows a
/// control to that endpoint's connections; without it, it applies to all.
///
/// - `GET /_emulator/realtime`: open connections and the last 100 closed ones (`received`, `answered`,
///   `dropped`, `rejected`, `pending`, how each `ended`), result delays, tokens issued.
/// - `POST /_emulator/realtime/drop[?endpoint_id=ID]`: closes the connections abruptly, with no close frame
///   (a TCP reset) → `{"dropped": n}`.
/// - `POST /_emulator/realtime/delay?ms=N[&endpoint_id=ID]`: results wait N ms more (0 removes it) →
///   `{"delays_ms": {…}}`; applies to inputs already waiting too. `POST /_emulator/reset` clears delays.
/// - `POST /_emulator/realtime/error[?endpoint_id=ID][&reason=TEXT]`: the connections send
///   `{"type": "x-fal-error", "error": "INTERNAL_ERROR", "reason": TEXT}` and close normally, as fal does
///   when an app fails → `{"closed": n}`.
/// - `POST /_emulator/realtime/expire-tokens`: every realtime token issued so far is invalid from now on
///   (handshakes with one get 401; open connections authorised by one answer their next input with
///   `Unauthorized` and close) → `{"token_generation": n}`.
struct RealtimeControlRoutes: Sendable {
    let state: EmulatorState

    static let actions: Set<String> = ["drop", "delay", "error", "expire-tokens"]

    func handle(_ action: String?, _ request: Request) -> Response {
        let endpointID = request.uri.queryParameters["endpoint_id"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        switch action {
        case nil:
            return Reply.json(state.realtime.json(tokens: state.tokens))
        case "drop"?:
            return Reply.json(["dropped": .int(state.realtime.drop(endpointID: endpointID))])
        case "delay"?:
            guard let raw = request.uri.queryParameters["ms"], let milliseconds = Int(String(raw)), (0...600_000).contains(milliseconds) else {
                return Reply.detail("Query parameter ms is required: milliseconds from 0 to 600000", status: .badRequest)
            }
            state.realtime.setDelay(milliseconds, endpointID: endpointID)
            return Reply.json(state.realtime.json(tokens: state.tokens)["delays_ms"].map { ["delays_ms": $0] } ?? [:])
        case "error"?:
            let reason = request.uri.queryParameters["reason"].map(String.init) ?? "Emulated app failure (/_emulator/realtime/error)"
            return Reply.json(["closed": .int(state.realtime.fail(endpointID: endpointID, reason: String(reason.prefix(1_024))))])
        case "expire-tokens"?:
            return Reply.json(["token_generation": .int(state.tokens.expireAll())])
        default:
            return Reply.detail("Not found: \(request.uri.path)", status: .notFound)
        }
    }
}
