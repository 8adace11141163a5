extension NotificationPDU {
    /// Reads the contents of an SNMPv2 PDU of any type (RFC 3416 §3): request-id, error-status, error-index and the
    /// variable-bindings, by the decoder's rules; `pdu` reads the PDU element's contents and must be used up.
    ///
    /// Every SNMPv2 PDU has this shape (a GetBulkRequest's non-repeaters and max-repetitions take the places of the
    /// error fields), so a sender can read the Response or Report that answers its inform with it.
    public init(readingContentsOf pdu: inout BERReader) throws(TrapDecodingError) {
        self = try TrapMessage.readNotification(from: &pdu, form: .view)
    }
}
