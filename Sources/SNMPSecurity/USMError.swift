import TrapDecoder

/// Why an SNMPv3 message was not accepted, as RFC 3412 §7.2 and RFC 3414 §3.2 count it, and where in the datagram.
///
/// Errors compare by `kind` only, like `TrapDecodingError`. The text names engines, users and lengths; never a
/// passphrase, a key or a computed MAC.
public struct USMError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The failure's category; the raw value is the name of the counter it increments.
    public enum Kind: String, Sendable, CaseIterable {
        /// The datagram is not a well-formed SNMPv3 message (SNMPv2-MIB snmpInASNParseErrs).
        case snmpInASNParseErrs
        /// msgSecurityModel is not USM (RFC 3412 §7.2 step 4).
        case snmpUnknownSecurityModels
        /// msgFlags asks for privacy without authentication (RFC 3412 §7.2 step 5).
        case snmpInvalidMsgs
        /// An authentic message whose PDU trapmux has no application for: not a notification (RFC 3412 §7.2).
        case snmpUnknownPDUHandlers
        /// msgAuthoritativeEngineID is not known (RFC 3414 §3.2 step 3), e.g. a discovery probe's empty one.
        case usmStatsUnknownEngineIDs
        /// No user of that name on that engine (step 4).
        case usmStatsUnknownUserNames
        /// The user's protocols, or its configured minimum, do not allow the level msgFlags asks for (step 5).
        case usmStatsUnsupportedSecLevels
        /// The HMAC does not match (step 6).
        case usmStatsWrongDigests
        /// Authentic, but outside the time window (step 7).
        case usmStatsNotInTimeWindows
        /// The encryptedPDU cannot be decrypted into a scopedPDU (step 8).
        case usmStatsDecryptionErrors

        /// The counter's instance OID, the varbind of a Report-PDU (RFC 3414 §5, RFC 3412 §5, RFC 3418).
        public var counterOID: OID {
            switch self {
            case .snmpInASNParseErrs: return OID(arcs: [1, 3, 6, 1, 2, 1, 11, 6, 0])!
            case .snmpUnknownSecurityModels: return OID(arcs: [1, 3, 6, 1, 6, 3, 11, 2, 1, 1, 0])!
            case .snmpInvalidMsgs: return OID(arcs: [1, 3, 6, 1, 6, 3, 11, 2, 1, 2, 0])!
            case .snmpUnknownPDUHandlers: return OID(arcs: [1, 3, 6, 1, 6, 3, 11, 2, 1, 3, 0])!
            case .usmStatsUnsupportedSecLevels: return OID(arcs: [1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0])!
            case .usmStatsNotInTimeWindows: return OID(arcs: [1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0])!
            case .usmStatsUnknownUserNames: return OID(arcs: [1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0])!
            case .usmStatsUnknownEngineIDs: return OID(arcs: [1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0])!
            case .usmStatsWrongDigests: return OID(arcs: [1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0])!
            case .usmStatsDecryptionErrors: return OID(arcs: [1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0])!
            }
        }
    }

    /// What a Report-PDU about the failure needs from the failed message (RFC 3412 §7.1 step 3, RFC 3414 §3.1).
    public struct ReportContext: Hashable, Sendable {
        /// msgID, which the Report echoes so the sender can match it to its request.
        public let messageID: Int32
        /// msgUserName as sent.
        public let userName: [UInt8]
        /// msgAuthoritativeEngineID as sent.
        public let engineID: [UInt8]
        /// The level the Report is sent at: authNoPriv for usmStatsNotInTimeWindows (RFC 3414 §3.2 step 7a, so the
        /// sender can trust the time in it), else noAuthNoPriv.
        public let securityLevel: SNMPSecurityLevel
        /// request-id of the reported PDU when it was readable (plaintext), else nil (the Report then carries 0).
        public let requestID: Int32?
        /// contextName of the reported scopedPDU when it was readable.
        public let contextName: [UInt8]?
    }

    /// The counter the failure increments.
    public let kind: Kind
    /// Offset in the datagram (0 = first octet) of the field that failed.
    public let offset: Int
    /// A sentence for people.
    public let reason: String
    /// The decoding failure behind `snmpInASNParseErrs` and `snmpUnknownPDUHandlers`, with its own kind and offset.
    public let decodingError: TrapDecodingError?
    /// Set when the sender asked for reports (msgFlags reportableFlag) and the RFCs have this failure reported;
    /// the server then answers with `USMProcessor.report(for:counterValue:now:salt:)`.
    public let report: ReportContext?

    /// Creates an error of `kind` at `offset`.
    public init(
        _ kind: Kind, at offset: Int, _ reason: String, decodingError: TrapDecodingError? = nil,
        report: ReportContext? = nil
    ) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
        self.decodingError = decodingError
        self.report = report
    }

    /// Whether a Report-PDU should answer the message.
    public var isReportable: Bool { report != nil }

    public var description: String {
        "\(kind.rawValue) at offset \(offset): \(reason)"
    }

    public static func == (lhs: USMError, rhs: USMError) -> Bool { lhs.kind == rhs.kind }

    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}
