@testable import SNMPSecurity
import Testing
import TrapDecoder

/// Reports (RFC 3412 §7.1, RFC 3414 §3.1 and §4): which failures get one, and what it says.
@Suite("USM reports")
struct ReportTests {
    static func failure(_ datagram: [UInt8], processor: USMProcessor = Fixtures.processor()) -> USMError? {
        var processor = processor
        do {
            _ = try processor.process(datagram[...], now: 0)
            return nil
        } catch {
            return error
        }
    }

    /// The plaintext Report's request-id and single varbind.
    static func reportContents(_ datagram: [UInt8]) throws -> (requestID: Int32, varbind: VarBind) {
        let envelope = try SNMPv3Envelope(decoding: datagram[...])
        guard case .plaintext(let scoped) = envelope.data else { throw USMError(.usmStatsDecryptionErrors, at: 0, "") }
        var reader = BERReader(scoped)
        var sequence = try reader.readConstructed(BERTag.sequence)
        _ = try sequence.readElement(BERTag.octetString)
        _ = try sequence.readElement(BERTag.octetString)
        var pdu = try sequence.readConstructed(BERTag.report)
        let requestID = try pdu.readInt32("request-id")
        _ = try pdu.readInt32("error-status")
        _ = try pdu.readInt32("error-index")
        var list = try pdu.readConstructed(BERTag.sequence)
        var pair = try list.readConstructed(BERTag.sequence)
        let oid = try OID(encoded: pair.readElement(BERTag.objectIdentifier).content)
        let value = try pair.readUInt32(BERTag.counter32, "value")
        return (requestID, VarBind(oid: oid, value: .counter32(value)))
    }

    @Test func discoveryProbeIsAnsweredWithThisEnginesIDBootsAndTime() throws {
        let error = try #require(Self.failure(Fixtures.discoveryProbe()))
        #expect(error.kind == .usmStatsUnknownEngineIDs)
        var salt = USMSaltCounter()
        let report = try #require(Fixtures.processor().report(for: error, counterValue: 3, now: 20, salt: &salt))
        let header = try SNMPv3Envelope(decoding: report[...]).header
        #expect(header.messageID == 555)
        #expect(header.flags == 0x00)
        #expect(header.usm?.engineID == Fixtures.localEngineID[...])
        #expect(header.usm?.engineBoots == 11)
        #expect(header.usm?.engineTime == 1020)
        let contents = try Self.reportContents(report)
        #expect(contents.requestID == 8080)
        #expect(contents.varbind == VarBind(oid: OID("1.3.6.1.6.3.15.1.1.4.0")!, value: .counter32(3)))
    }

    @Test func authoritativeTimeWindowFailureIsReportedAuthenticated() throws {
        let error = try #require(Self.failure(Fixtures.inform(time: 2000)))
        #expect(error.kind == .usmStatsNotInTimeWindows)
        #expect(error.report?.securityLevel == .authNoPriv)
        var salt = USMSaltCounter()
        let processor = Fixtures.processor()
        let report = try #require(processor.report(for: error, counterValue: 1, now: 0, salt: &salt))
        #expect(try SNMPv3Envelope(decoding: report[...]).header.flags == 0x01)
        // Authentic under the inform user's key: our own processor gets past the HMAC and the time window.
        #expect(Self.failure(report, processor: processor)?.kind == .snmpUnknownPDUHandlers)
        #expect(try Self.reportContents(report).varbind.oid == OID("1.3.6.1.6.3.15.1.1.2.0")!)
        // The inform's scopedPDU was encrypted: its request-id is unknown.
        #expect(try Self.reportContents(report).requestID == 0)
    }

    @Test func remoteTimeWindowFailureIsNeverReported() throws {
        var processor = Fixtures.processor()
        processor.remoteEngines.set(engineID: Fixtures.remoteEngineID, boots: 5, time: 9000, at: 0)
        let error = try #require(Self.failure(Fixtures.trap(time: 5000, reportable: true), processor: processor))
        #expect(error.kind == .usmStatsNotInTimeWindows)
        #expect(!error.isReportable)
    }

    @Test(arguments: [true, false])
    func failureIsReportableOnlyWhenTheSenderAskedForReports(_ reportable: Bool) throws {
        let datagram = Resigning.replacing(
            Array("trap-md5".utf8), with: Array("intruder".utf8),
            in: Fixtures.trap("trap-md5", level: .authNoPriv, reportable: reportable))
        let error = try #require(Self.failure(datagram))
        #expect(error.kind == .usmStatsUnknownUserNames)
        #expect(error.isReportable == reportable)
        var salt = USMSaltCounter()
        #expect((Fixtures.processor().report(for: error, counterValue: 1, now: 0, salt: &salt) != nil) == reportable)
    }

    @Test func invalidFlagsAreDroppedWithoutAReport() throws {
        let probe = Resigning.replacing(
            [0x04, 0x01, 0x04, 0x02, 0x01, 0x03], with: [0x04, 0x01, 0x06, 0x02, 0x01, 0x03],
            in: Fixtures.discoveryProbe())
        let error = try #require(Self.failure(probe))
        #expect(error.kind == .snmpInvalidMsgs)
        #expect(!error.isReportable)
    }
}
