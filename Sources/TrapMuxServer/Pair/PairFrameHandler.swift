import NIOCore
import NIOPosix
import TrapDecoder
import TrapEvents

/// Splits the other process's bytes into control frames and hands them to the pair link; a frame that breaks the
/// protocol ends the connection. Runs on the router's event loop.
package final class PairFrameHandler: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer

    private let link: PairLink
    private var buffer = ByteBuffer()

    package init(link: PairLink) {
        self.link = link
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do {
            while let (type, body) = try PairControlProtocol.nextFrame(&buffer) {
                var body = body
                try link.received(type, &body)
            }
        } catch {
            link.logger.error("pair control connection broke the protocol; closing it", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
        buffer.discardReadBytes()
    }

    package func channelInactive(context: ChannelHandlerContext) {
        link.peerClosed(context.channel)
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Hands a connected control socket to NIO on the link's loop, with this handler; big socket buffers, since a
    /// full receive batch of checkpoints is written at once.
    static func adopt(_ fd: Int32, link: NIOLoopBound<PairLink>) -> EventLoopFuture<Channel> {
        ClientBootstrap(group: link.eventLoop)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.writeBufferWaterMark, value: .init(low: 8 << 20, high: 32 << 20))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PairFrameHandler(link: link.value))
                }
            }
            .withConnectedSocket(fd)
    }
}
