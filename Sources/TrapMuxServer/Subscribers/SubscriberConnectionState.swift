import TrapDecoder
import TrapEvents

/// The life of one subscriber connection, as a value with explicit actions (tested on its own).
///
/// A connection starts `awaitingFirstRequest`; any valid request makes it `open`; `subscribe` makes it
/// `subscribed` (once). An invalid first request closes it; later invalid requests are answered and ignored.
package struct SubscriberConnectionState: Equatable {
    package enum Phase: Equatable {
        case awaitingFirstRequest
        case open
        case subscribed
        case closed
    }

    /// What the connection must do in response to a line.
    package enum Action: Equatable {
        case subscribe(SubscriberProtocol.Subscription)
        case answerStats
        case answerPing
        case answerError(SubscriberProtocol.RequestError, thenClose: Bool)
        case ignore
    }

    private(set) var phase = Phase.awaitingFirstRequest

    /// Handles one parsed (or unparsable) request line.
    package mutating func received(_ request: Result<SubscriberProtocol.Request, SubscriberProtocol.RequestError>) -> Action {
        switch (phase, request) {
        case (.closed, _):
            return .ignore
        case (.awaitingFirstRequest, .failure(let error)):
            phase = .closed
            return .answerError(error, thenClose: true)
        case (_, .failure(let error)):
            return .answerError(error, thenClose: false)
        case (.subscribed, .success(.subscribe)):
            return .answerError(
                SubscriberProtocol.RequestError(code: "already_subscribed", message: "this connection is subscribed already"),
                thenClose: false)
        case (_, .success(.subscribe(let subscription))):
            phase = .subscribed
            return .subscribe(subscription)
        case (_, .success(.stats)):
            if phase == .awaitingFirstRequest { phase = .open }
            return .answerStats
        case (_, .success(.ping)):
            if phase == .awaitingFirstRequest { phase = .open }
            return .answerPing
        }
    }

    /// A line longer than the protocol allows.
    package mutating func lineTooLong() -> Action {
        let wasFirst = phase == .awaitingFirstRequest
        phase = wasFirst ? .closed : phase
        return .answerError(
            SubscriberProtocol.RequestError(
                code: "line_too_long", message: "request lines are limited to \(SubscriberProtocol.maximumLineLength) bytes"),
            thenClose: true)
    }

    /// The connection was refused before its first line (too many connections).
    package mutating func refuse() {
        phase = .closed
    }

    /// No complete line came within `timeout` of connecting.
    package mutating func firstLineTimedOut(after timeout: Duration) -> Action {
        guard phase == .awaitingFirstRequest else { return .ignore }
        phase = .closed
        return .answerError(
            SubscriberProtocol.RequestError(
                code: "first_line_timeout", message: "no request within \(timeout) of connecting"),
            thenClose: true)
    }

    /// The client closed its side and every request it sent was answered (a connection that did not subscribe).
    package mutating func inputEnded() {
        phase = .closed
    }

    /// The hub refused the subscription (max_subscribers reached).
    package mutating func subscriptionRefused() -> Action {
        phase = .closed
        return .answerError(
            SubscriberProtocol.RequestError(code: "too_many_subscribers", message: "max_subscribers reached; try later"),
            thenClose: true)
    }
}
