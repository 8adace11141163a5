/// A non-authoritative receiver's notion of each remote engine's snmpEngineBoots and snmpEngineTime, and the
/// latestReceivedEngineTime (RFC 3414 §2.3, §3.2 step 7b): what makes replayed traps detectable.
///
/// Entries are made only from authentic messages, so only engines with configured users get one; `capacity` still
/// bounds it, dropping the entry updated longest ago.
public struct USMRemoteEngineCache: Hashable, Sendable {
    /// The notion of one remote engine's clock.
    public struct Entry: Hashable, Sendable {
        /// snmpEngineBoots as last learnt.
        public var boots: Int32
        /// snmpEngineTime as learnt at `learntAt`.
        public var time: Int32
        /// The local `now` at which `time` was learnt; the notion advances with the local clock from there.
        public var learntAt: Int64
        /// The highest msgAuthoritativeEngineTime received for `boots`.
        public var latestReceivedTime: Int32

        /// The notion of the remote snmpEngineTime at `now`.
        public func time(at now: Int64) -> Int32 {
            Int32(clamping: Int64(time) + max(0, now - learntAt))
        }
    }

    /// The most engines remembered.
    public let capacity: Int
    /// The entries by snmpEngineID.
    public private(set) var entries: [[UInt8]: Entry] = [:]

    /// An empty cache for at most `capacity` engines.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Sets the notion of `engineID` to `boots` and `time` at `now`, as learnt from a checkpoint or an operator
    /// (`trapmux decode --receiver-state`).
    public mutating func set(engineID: [UInt8], boots: Int32, time: Int32, at now: Int64) {
        store(Entry(boots: boots, time: time, learntAt: now, latestReceivedTime: time), for: engineID)
    }

    /// The entry for `engineID`, if any.
    public func entry(for engineID: some Collection<UInt8>) -> Entry? {
        entries[Array(engineID)]
    }

    /// RFC 3414 §3.2 step 7b for an authentic message: updates the notion when the message is newer, then tells
    /// whether the message is inside the time window. A new engine starts from boots 0, time 0.
    mutating func admit(engineID: [UInt8], boots: Int32, time: Int32, at now: Int64) -> Bool {
        var entry = entries[engineID] ?? Entry(boots: 0, time: 0, learntAt: now, latestReceivedTime: 0)
        if boots > entry.boots || (boots == entry.boots && time > entry.latestReceivedTime) {
            entry = Entry(boots: boots, time: time, learntAt: now, latestReceivedTime: time)
        }
        store(entry, for: engineID)
        if entry.boots == Int32.max || boots < entry.boots {
            return false
        }
        // "less than the local notion of snmpEngineTime minus 150 seconds": exactly 150 behind is inside.
        return !(boots == entry.boots && Int64(time) < Int64(entry.time(at: now)) - 150)
    }

    private mutating func store(_ entry: Entry, for engineID: [UInt8]) {
        if entries[engineID] == nil, entries.count >= capacity,
            let oldest = entries.min(by: { $0.value.learntAt < $1.value.learntAt })?.key
        {
            entries[oldest] = nil
        }
        entries[engineID] = entry
    }
}
