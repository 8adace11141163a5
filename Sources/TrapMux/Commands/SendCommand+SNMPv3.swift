import ArgumentParser
import Foundation
import SNMPSecurity
import TrapDecoder

extension SendCommand {
    /// This sender's snmpEngineID: `-e` for traps, else the stable default for this host.
    private var ownEngineID: [UInt8] {
        if !inform, let given = v3.engineID {
            return given.octets
        }
        return SNMPv3TrapBuilder.defaultEngineID(hostName: ProcessInfo.processInfo.hostName)
    }

    /// SNMPv3 traps: this sender is the authoritative engine. One trap, or a load run over a pool of them.
    func sendV3Traps(generic: GenericTrap, varbinds: [VarBind], started: ContinuousClock.Instant) throws {
        var builder = try orExit {
            try SNMPv3TrapBuilder(
                user: v3.usmUser, level: v3.level, engineID: ownEngineID, engineBoots: v3.engineBoots ?? 1,
                contextEngineID: v3.contextEngineID?.octets, contextName: Array(v3.context.utf8))
        }
        let timeAtStart = Int64(v3.engineTime ?? 0)
        // snmpEngineTime: seconds since the command started, from --engine-time.
        let engineTime = { Int32(clamping: timeAtStart + Int64((ContinuousClock.now - started) / .seconds(1))) }
        if verbose {
            printError(
                "trapmux send: SNMPv3 sender engine ID 0x\(builder.engineID.hexString), boots \(builder.engineBoots), "
                    + "time \(engineTime()); \(v3.summary); the receiver's user must be localized to this engine ID")
        }
        let pdu = NotificationPDU(requestID: LoadGenerator.requestID(ofDatagram: 0), varbinds: VarBindList(varbinds))
        guard count > 1 else {
            var single = pdu
            single.requestID = Int32.random(in: 1...Int32.max)
            let datagram = try orExit { try builder.trap(single, engineTime: engineTime()) }
            let client = try openClient()
            try orExit { try client.send(datagram) }
            print("sent 1 \(generic.name) trap (SNMPv3, \(v3.summary)) to \(to)")
            return
        }
        // Every octet is authenticated: distinct datagrams are built ahead and cycled (LoadGenerator.DatagramPool).
        let sample = try orExit { try builder.trap(pdu, engineTime: engineTime()) }
        let poolCount = min(
            LoadGenerator.DatagramPool.maximumCount, count,
            max(1, LoadGenerator.DatagramPool.maximumBytes / max(1, sample.count)))
        let pool = LoadGenerator.DatagramPool(count: poolCount, refreshInterval: .seconds(10)) { first in
            let time = engineTime()
            return try (0..<poolCount).map { index in
                var next = pdu
                next.requestID = LoadGenerator.requestID(ofDatagram: first + index)
                return try builder.trap(next, engineTime: time)
            }
        }
        try runLoad(.pool(pool))
    }

    /// SNMPv3 informs: the receiver is the authoritative engine, found by discovery unless `-e` names it.
    func sendV3Informs(generic: GenericTrap, varbinds: [VarBind], started: ContinuousClock.Instant) throws {
        let client = try openClient()
        var exchange = SNMPv3InformExchange(
            SNMPv3InformExchange.Configuration(
                user: v3.usmUser, level: v3.level, receiverEngineID: v3.engineID?.octets,
                contextEngineID: v3.contextEngineID?.octets ?? ownEngineID, contextName: Array(v3.context.utf8),
                retries: retries),
            firstMessageID: Int32.random(in: 1...0x3FFF_FFFF))
        let firstRequestID = Int32.random(in: 1...1_000_000)
        for index in 0..<count {
            let pdu = NotificationPDU(requestID: firstRequestID &+ Int32(index), varbinds: VarBindList(varbinds))
            let sent = ContinuousClock.now
            let (outcome, portUnreachable) = drive(&exchange, pdu, client: client, started: started)
            guard case .acknowledged(let attempts) = outcome else {
                var hint = ""
                if portUnreachable {
                    hint = " (ICMP port unreachable came back: nothing listens on \(to))"
                } else if case .noResponse = outcome, v3.level.isPrivate {
                    // Seen with net-snmp's snmptrapd: a wrong priv key draws no Report, only silence.
                    hint = " (a receiver that cannot decrypt may answer nothing: check -x and -X)"
                }
                printError("trapmux send: inform to \(to) (SNMPv3, \(v3.summary)): \(outcome)\(hint)")
                throw ExitCode(1)
            }
            let engine = exchange.receiverEngineID?.hexString ?? ""
            print(
                "inform acknowledged by \(to) (SNMPv3, \(v3.summary), engine 0x\(engine), request-id "
                    + "\(pdu.requestID), attempt \(attempts), \(ContinuousClock.now - sent))")
        }
    }

    /// Runs one inform of `exchange` over `client`: sends what it asks, waits --timeout for replies, and tells it of
    /// each reply and timeout until it finishes. Also says whether an ICMP port unreachable came back.
    private func drive(
        _ exchange: inout SNMPv3InformExchange, _ pdu: NotificationPDU, client: UDPClient,
        started: ContinuousClock.Instant
    ) -> (SNMPv3InformExchange.Outcome, Bool) {
        // The exchange's clock: whole seconds since the command started.
        let now = { Int64((ContinuousClock.now - started) / .seconds(1)) }
        let wait = Duration.milliseconds(Int(timeout * 1000))
        var portUnreachable = false
        var deadline = ContinuousClock.now
        var action = exchange.start(pdu, now: now())
        while true {
            if verbose {
                for note in exchange.notes {
                    printError("trapmux send: \(note)")
                }
            }
            exchange.notes = []
            switch action {
            case .finish(let outcome):
                return (outcome, portUnreachable)
            case .send(let datagram):
                // A failed send (ECONNREFUSED after an earlier ICMP) is one more attempt without an answer.
                if (try? client.send(datagram)) == nil {
                    portUnreachable = true
                }
                deadline = ContinuousClock.now + wait
            case .keepWaiting:
                break
            }
            let left = (deadline - ContinuousClock.now) / .seconds(1)
            guard left > 0 else {
                action = exchange.timedOut(now: now())
                continue
            }
            do {
                if let reply = try client.receive(timeout: max(0.001, left)) {
                    action = exchange.received(reply, now: now())
                } else {
                    action = exchange.timedOut(now: now())
                }
            } catch {
                // ECONNREFUSED: an ICMP port unreachable answered; wait out the attempt as if nothing had come.
                portUnreachable = true
                let rest = deadline - ContinuousClock.now
                if rest > .zero {
                    Thread.sleep(forTimeInterval: rest / .seconds(1))
                }
                action = .keepWaiting
            }
        }
    }
}
