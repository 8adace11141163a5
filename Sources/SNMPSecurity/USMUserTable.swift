/// The usmUserTable with localized keys, looked up by (authoritative engine ID, user name) (RFC 3414 §2.2, §3.2
/// step 4): the same name may exist on several engines with different keys.
public struct USMUserTable: Sendable {
    private struct Key: Hashable {
        let engineID: [UInt8]
        let name: [UInt8]
    }

    private var rows: [Key: USMLocalizedUser] = [:]
    /// How many users each engine has, for "is this engine known" (RFC 3414 §3.2 step 3).
    private var usersPerEngine: [[UInt8]: Int] = [:]

    /// An empty table.
    public init() {}

    /// Derives every user's keys, once per (user, engine); users without an engine ID get `localEngineID`.
    /// Throws the first problem: an invalid user or the same name twice on one engine.
    public init(users: [USMUser], localEngineID: [UInt8]) throws(USMConfigurationError) {
        let (table, problems) = Self.building(users, localEngineID: localEngineID)
        if let first = problems.first {
            throw first
        }
        self = table
    }

    /// The table of every valid user, and what is wrong with each of the others, so a caller can name them all
    /// at once (a configuration check) or carry on without them (`trapmux decode`).
    public static func building(
        _ users: [USMUser], localEngineID: [UInt8]
    ) -> (table: USMUserTable, problems: [USMConfigurationError]) {
        var table = USMUserTable()
        var problems: [USMConfigurationError] = []
        var cache = USMPasswordKeyCache()
        for user in users {
            do throws(USMConfigurationError) {
                let localized = try USMLocalizedUser(user, engineID: user.engineID ?? localEngineID, cache: &cache)
                guard table.user(engineID: localized.engineID, name: localized.nameOctets) == nil else {
                    throw USMConfigurationError(
                        .duplicateUser, "\(localized): the same user name is configured twice for this engine")
                }
                table.insert(localized)
            } catch {
                problems.append(error)
            }
        }
        return (table, problems)
    }

    /// Adds or replaces the row for the user's (engine, name), e.g. after discovering an upstream engine.
    public mutating func insert(_ user: USMLocalizedUser) {
        let key = Key(engineID: user.engineID, name: user.nameOctets)
        if rows.updateValue(user, forKey: key) == nil {
            usersPerEngine[user.engineID, default: 0] += 1
        }
    }

    /// The row for `name` on `engineID`.
    public func user(engineID: some Collection<UInt8>, name: some Collection<UInt8>) -> USMLocalizedUser? {
        rows[Key(engineID: Array(engineID), name: Array(name))]
    }

    /// Whether any user is localized to `engineID`.
    public func hasUsers(onEngine engineID: some Collection<UInt8>) -> Bool {
        usersPerEngine[Array(engineID)] != nil
    }

    /// Every row, in no particular order.
    public var users: [USMLocalizedUser] { Array(rows.values) }

    /// The number of rows.
    public var count: Int { rows.count }
}
