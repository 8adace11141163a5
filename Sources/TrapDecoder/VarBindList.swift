/// The variable-bindings of a PDU: a collection of `VarBind`s whose `count` is known.
///
/// Decoders make it a view of the VarBindList contents in the datagram, which they have validated completely, and
/// each element is read from there when it is accessed (without checking again). A decode therefore makes no array
/// and no view per varbind: the array cost 400–600 instructions of each decode, and each view a retain and a
/// release. Code that builds a message passes an array (`VarBindList([...])` or an array literal).
///
/// Lists are equal, and hash alike, when their elements are, whatever their storage. The index is opaque: iterate,
/// or use `first`, `dropFirst`, `last` or `Array(list)`; reading an element from a view costs a few dozen
/// instructions, so a loop that needs the elements more than once may take `Array(list)` first.
public struct VarBindList: Collection, Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Where the elements are.
    enum Storage: Sendable {
        /// No elements: nothing to release when the list goes (an empty array is a shared object, released all the
        /// same, and a trap without varbinds such as coldStart is the cheapest decode, where that shows).
        case empty
        /// The contents octets of a VarBindList SEQUENCE that a decoder has validated.
        case encoded(ArraySlice<UInt8>)
        /// Elements made by code.
        case array([VarBind])
    }

    let storage: Storage

    /// The number of variable-bindings.
    public let count: Int

    /// The contents octets of the VarBindList SEQUENCE this list is a view of; nil for a list made by code.
    var validatedEncoding: ArraySlice<UInt8>? {
        guard case .encoded(let contents) = storage else { return nil }
        return contents
    }

    /// An empty list.
    public init() {
        storage = .empty
        count = 0
    }

    /// The variable-bindings of `varbinds`, in order.
    public init(_ varbinds: some Sequence<VarBind>) {
        let array = Array(varbinds)
        storage = array.isEmpty ? .empty : .array(array)
        count = array.count
    }

    /// The variable-bindings of the literal, in order.
    public init(arrayLiteral elements: VarBind...) {
        self.init(elements)
    }

    /// A view of the contents of a VarBindList that a decoder has validated: `count` VarBind SEQUENCEs, each an
    /// OBJECT IDENTIFIER and a value by the rules of `TrapMessage(decoding:)`, filling `contents` exactly.
    init(validatedEncoding contents: ArraySlice<UInt8>, count: Int) {
        storage = count == 0 ? .empty : .encoded(contents)
        self.count = count
    }

    /// A position in the list.
    public struct Index: Comparable, Hashable, Sendable {
        /// The index of the element's identifier octet in the view, or the element's index in the array.
        let position: Int

        /// Whether `lhs` comes before `rhs` (in the same list).
        public static func < (lhs: Index, rhs: Index) -> Bool {
            lhs.position < rhs.position
        }
    }

    /// The position of the first element.
    public var startIndex: Index {
        switch storage {
        case .encoded(let contents): return Index(position: contents.startIndex)
        case .array, .empty: return Index(position: 0)
        }
    }

    /// The position after the last element.
    public var endIndex: Index {
        switch storage {
        case .encoded(let contents): return Index(position: contents.endIndex)
        case .array(let array): return Index(position: array.count)
        case .empty: return Index(position: 0)
        }
    }

    /// Whether the list has no elements.
    public var isEmpty: Bool { count == 0 }

    /// The count, which is exact.
    public var underestimatedCount: Int { count }

    /// The element at `position`.
    public subscript(position: Index) -> VarBind {
        switch storage {
        case .encoded(let contents): return VarBind.readValidated(at: position.position, of: contents).varbind
        case .array(let array): return array[position.position]
        case .empty: preconditionFailure("VarBindList index out of range")
        }
    }

    /// The position after `index`.
    public func index(after index: Index) -> Index {
        switch storage {
        case .encoded(let contents): return Index(position: VarBind.validatedEnd(at: index.position, of: contents))
        case .array, .empty: return Index(position: index.position + 1)
        }
    }

    /// An iterator that reads each element once.
    public func makeIterator() -> Iterator {
        Iterator(storage: storage, position: startIndex.position)
    }

    /// Reads the elements in order: from a view, each element and the position after it in one step.
    public struct Iterator: IteratorProtocol, Sendable {
        let storage: Storage
        var position: Int

        /// The next element, or nil after the last.
        public mutating func next() -> VarBind? {
            switch storage {
            case .encoded(let contents):
                guard position < contents.endIndex else { return nil }
                let (varbind, next) = VarBind.readValidated(at: position, of: contents)
                position = next
                return varbind
            case .array(let array):
                guard position < array.count else { return nil }
                position += 1
                return array[position - 1]
            case .empty:
                return nil
            }
        }
    }

    /// The last element (from a view, found by skipping the others).
    public var last: VarBind? {
        switch storage {
        case .encoded(let contents):
            guard !contents.isEmpty else { return nil }
            var position = contents.startIndex
            var next = VarBind.validatedEnd(at: position, of: contents)
            while next < contents.endIndex {
                position = next
                next = VarBind.validatedEnd(at: position, of: contents)
            }
            return VarBind.readValidated(at: position, of: contents).varbind
        case .array(let array):
            return array.last
        case .empty:
            return nil
        }
    }

    /// The list without its first `k` (≤ `count`) elements; from a view, a shorter view.
    func droppingFirst(_ k: Int) -> VarBindList {
        guard k > 0 else { return self }
        switch storage {
        case .encoded(let contents):
            var position = contents.startIndex
            for _ in 0..<k {
                position = VarBind.validatedEnd(at: position, of: contents)
            }
            return VarBindList(validatedEncoding: contents[position...], count: count - k)
        case .array(let array):
            return VarBindList(array.dropFirst(k))
        case .empty:
            return self
        }
    }

    /// Equal elements in the same order.
    public static func == (lhs: VarBindList, rhs: VarBindList) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if case .encoded(let l) = lhs.storage, case .encoded(let r) = rhs.storage, l.elementsEqual(r) {
            return true
        }
        return lhs.elementsEqual(rhs)
    }

    /// Hashes the count and the elements, as an array of them would be.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for varbind in self {
            hasher.combine(varbind)
        }
    }

    /// The elements, as an array prints them.
    public var description: String {
        Array(self).description
    }
}
