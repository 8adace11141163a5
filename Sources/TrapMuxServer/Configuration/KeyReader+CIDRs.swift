import TOML

extension KeyReader {
    /// An array of networks (`"192.0.2.0/24"`, `"2001:db8::/32"`, or bare addresses), each error naming its line.
    package mutating func cidrs(_ key: String) throws(ConfigurationError) -> [CIDR]? {
        guard let texts = try strings(key) else { return nil }
        var networks: [CIDR] = []
        for (text, line) in texts {
            guard let cidr = CIDR(text) else {
                throw ConfigurationError(
                    file: file, line: line, key: path.isEmpty ? key : "\(path).\(key)",
                    message: "expected CIDRs such as \"192.0.2.0/24\" or \"2001:db8::/32\", found \"\(text)\"")
            }
            networks.append(cidr)
        }
        return networks
    }
}
