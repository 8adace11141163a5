import TrapDecoder
import TrapEvents

/// Recognises the Response-PDU that acknowledges an SNMPv2c inform.
package enum InformResponse {
    /// The request-id of a v2c Response-PDU; nil for anything else.
    package static func requestID(of datagram: [UInt8]) -> Int32? {
        var top = BERReader(datagram[...])
        guard var message = try? top.readConstructed(BERTag.sequence),
            (try? message.readInt32("version")) == 1,
            (try? message.readElement(BERTag.octetString)) != nil,
            var response = try? message.readConstructed(BERTag.response)
        else { return nil }
        return try? response.readInt32("request-id")
    }
}
