import Foundation
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

extension PairControlServer {
    /// Events per `batch` frame when the retained events are sent to a new backup.
    private static let snapshotBatch = 1024

    /// Pairs a backup: `welcome` with the shared sockets, the retained events, then its connection goes to NIO and
    /// gets every checkpoint kept since the welcome was decided.
    static func welcome(_ socket: consuming PairSocket, _ hello: PairControlProtocol.Hello, _ context: Context) {
        let link = context.link
        do {
            guard let descriptors = context.sockets.descriptors(for: context.listen) else {
                try socket.send(PairControlProtocol.text(.refused, "the primary's sockets are not bound yet; retry"))
                return
            }
            // SO_PEERCRED says 0 once the peer has exited (or lives in another pid namespace).
            let credited = socket.peerPID
            let pid = credited != 0 ? credited : hello.pid
            let decided = try link.eventLoop.submit { link.value.backupArrived(pid: pid) }.wait()
            let (welcome, retained): (PairControlProtocol.Welcome, [EventRing.Entry])
            switch decided {
            case .failure(let refusal):
                try socket.send(PairControlProtocol.text(.refused, refusal.reason))
                return
            case .success(let accepted):
                (welcome, retained) = accepted
            }
            var full = welcome
            full.udp = context.listen.map(\.description)
            full.socket = context.subscriberSocket
            try socket.send(PairControlProtocol.welcome(full), descriptors: descriptors)
            try sendRetained(retained, on: socket)
            let channel = try PairFrameHandler.adopt(socket.take(), link: link).wait()
            link.eventLoop.execute { link.value.attachBackup(channel, pid: pid) }
        } catch {
            context.logger.warning("pairing a backup failed", metadata: ["error": "\(error)"])
            link.eventLoop.execute { link.value.backupFailed() }
        }
    }

    /// The events the primary retains, so that a subscriber resuming soon after a takeover finds them.
    private static func sendRetained(_ entries: [EventRing.Entry], on socket: borrowing PairSocket) throws {
        var start = 0
        while start < entries.count {
            let end = min(start + snapshotBatch, entries.count)
            let frame = PairControlProtocol.frame(.batch) { buffer in
                buffer.writeInteger(UInt64(0))
                buffer.writeInteger(UInt32(end - start))
                for entry in entries[start..<end] {
                    switch entry {
                    case .retained(let record):
                        record.write(into: &buffer)
                    case .checkpointed(let trap):
                        trap.write(into: &buffer)
                    case .process(let event, let seq, let at):
                        PairCheckpointCoding.writeProcess(event, seq: seq, at: at, into: &buffer)
                    }
                }
            }
            try socket.send(frame)
            start = end
        }
    }
}
