extension VarBind {
    /// Reads the VarBind SEQUENCE whose identifier octet is at `position` (an index of `contents`) in contents that
    /// a decoder has validated (see `VarBindList(validatedEncoding:count:)`); returns it and the index after it.
    ///
    /// Nothing is checked again: every length fits, every tag is one the decoders accept, every value has the size
    /// its type allows. The reads go through `UnsafeBufferPointer`, bounds-checked in debug builds (the tests) only.
    static func readValidated(at position: Int, of contents: ArraySlice<UInt8>) -> (varbind: VarBind, next: Int) {
        contents.withUnsafeBufferPointer { bytes in
            let origin = contents.startIndex
            var cursor = ValidatedCursor(bytes: bytes, position: position &- origin)
            let end = cursor.enter()
            let oidEnd = cursor.enter()
            let oidStart = cursor.position
            cursor.position = oidEnd
            let oid = cursor.oid(from: oidStart, to: oidEnd, of: contents)
            let value = cursor.value(of: contents)
            return (VarBind(oid: oid, value: value), origin &+ end)
        }
    }

    /// The index after the VarBind SEQUENCE whose identifier octet is at `position`, in validated contents.
    static func validatedEnd(at position: Int, of contents: ArraySlice<UInt8>) -> Int {
        contents.withUnsafeBufferPointer { bytes in
            var cursor = ValidatedCursor(bytes: bytes, position: position &- contents.startIndex)
            return contents.startIndex &+ cursor.enter()
        }
    }
}

extension VarBind {
    /// Reads identifier, length and contents octets of BER that a decoder has validated, without checks.
    fileprivate struct ValidatedCursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position: Int

        /// Reads the identifier and length octets at `position`, moves to the contents and returns their end.
        mutating func enter() -> Int {
            header().end
        }

        /// Reads the identifier and length octets at `position`; moves to the contents, returns the tag and the end.
        mutating func header() -> (tag: UInt8, end: Int) {
            let tag = bytes[position]
            var length = Int(bytes[position &+ 1])
            position &+= 2
            if length >= 0x80 {
                let octetCount = length & 0x7F
                length = 0
                for _ in 0..<octetCount {
                    length = length &<< 8 | Int(bytes[position])
                    position &+= 1
                }
            }
            return (tag, position &+ length)
        }

        /// The value whose identifier octet is at `position`; `contents` is the view the bytes are of, for the values
        /// that are views.
        mutating func value(of contents: ArraySlice<UInt8>) -> SNMPValue {
            let (tag, end) = header()
            let start = position
            position = end
            switch tag {
            case BERTag.integer:
                // Redundant sign octets may precede the (at most four) significant ones: the shifts drop them.
                var value: Int32 = bytes[start] >= 0x80 ? -1 : 0
                for index in start..<end {
                    value = value &<< 8 | Int32(bytes[index])
                }
                return .integer(value)
            case BERTag.octetString:
                return .octetString(view(of: contents, start, end))
            case BERTag.null:
                return .null
            case BERTag.objectIdentifier:
                return .objectIdentifier(oid(from: start, to: end, of: contents))
            case BERTag.ipAddress:
                return .ipAddress(IPv4Address(UInt32(truncatingIfNeeded: unsigned(start, end))))
            case BERTag.counter32:
                return .counter32(UInt32(truncatingIfNeeded: unsigned(start, end)))
            case BERTag.gauge32:
                return .gauge32(UInt32(truncatingIfNeeded: unsigned(start, end)))
            case BERTag.timeTicks:
                return .timeTicks(UInt32(truncatingIfNeeded: unsigned(start, end)))
            case BERTag.opaque:
                return .opaque(view(of: contents, start, end))
            case BERTag.counter64:
                return .counter64(unsigned(start, end))
            case BERTag.noSuchObject:
                return .noSuchObject
            case BERTag.noSuchInstance:
                return .noSuchInstance
            case BERTag.endOfMibView:
                return .endOfMibView
            default:
                preconditionFailure("a VarBindList that was not validated: value tag 0x\(String(tag, radix: 16))")
            }
        }

        /// The OID whose contents are octets `start..<end`: inline, or a view of `contents` when long.
        func oid(from start: Int, to end: Int, of contents: ArraySlice<UInt8>) -> OID {
            let count = end &- start
            guard count <= OID.InlineOctets.capacity else { return OID(longView: view(of: contents, start, end)) }
            return OID(
                inline: OID.InlineOctets(
                    copying: bytes.baseAddress.unsafelyUnwrapped + start, count: count, readable: bytes.count &- start))
        }

        /// Octets `start..<end` as a big-endian unsigned number (redundant leading zeros drop out of the shifts).
        private func unsigned(_ start: Int, _ end: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in start..<end {
                value = value &<< 8 | UInt64(bytes[index])
            }
            return value
        }

        private func view(of contents: ArraySlice<UInt8>, _ start: Int, _ end: Int) -> ArraySlice<UInt8> {
            contents[(contents.startIndex &+ start)..<(contents.startIndex &+ end)]
        }
    }
}
