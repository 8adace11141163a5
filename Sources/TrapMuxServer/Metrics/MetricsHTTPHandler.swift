import NIOCore
import NIOHTTP1
import TrapDecoder
import TrapEvents

/// One connection to the metrics endpoint: `GET /metrics` (or `HEAD`) gets the Prometheus text, any other path
/// 404, any other method 405; every answer closes the connection, and a connection idle for `IdleStateHandler`'s
/// time is closed, so a scraper that goes quiet holds nothing.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The content type of the Prometheus text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let endpoint: MetricsEndpoint
    private var request: HTTPRequestHead?
    private var answered = false

    init(endpoint: MetricsEndpoint) {
        self.endpoint = endpoint
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let request, !answered else { return }
            answered = true
            answer(request, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func answer(_ request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        guard path == "/metrics" else {
            return respond(.notFound, body: Array("not found; metrics are at /metrics\n".utf8), context: context)
        }
        guard request.method == .GET || request.method == .HEAD else {
            return respond(.methodNotAllowed, body: Array("GET /metrics\n".utf8), context: context)
        }
        let headOnly = request.method == .HEAD
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let endpoint = self.endpoint
        Task {
            let result: Result<[UInt8], Error>
            do { result = .success(try await endpoint.scrape()) } catch { result = .failure(error) }
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                switch result {
                case .success(let text):
                    handler.respond(.ok, body: text, headOnly: headOnly, context: context)
                case .failure(let error):
                    handler.respond(.serviceUnavailable, body: Array("metrics not available: \(error)\n".utf8), context: context)
                }
            }
        }
    }

    private func respond(
        _ status: HTTPResponseStatus, body: [UInt8], headOnly: Bool = false, context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? Self.contentType : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: "close")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                      promise: nil)
        if !headOnly {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        // Closed once the answer is written, not before: closing at once could cut a long answer.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}
