import CNetSNMP
import Foundation
import Logging
import Synchronization
import TrapDecoder
import TrapEvents

/// The one owner of net-snmp's MIB tree: loads it once, then turns OIDs into names and back, caching results.
///
/// net-snmp keeps the tree in process-wide globals and its parser is not thread-safe, and Swift does not warn
/// about concurrent calls into C. So every call into net-snmp goes through `library`, a mutex; a plain lock
/// costs nothing next to the ~1.4 µs lookup, where an actor hop would cost several µs per event.
package final class MIBTree: MIBNames, Sendable {
    /// What `load` found: for the start-up summary and tests.
    package struct LoadReport: Sendable {
        package var modules: [String] = []
        package var directories: [String] = []
        package var missingDirectories: [String] = []
        package var filesWithErrors: [String] = []
        package var messages: [String] = []
        package var milliseconds = 0.0
    }

    /// The most cached lookups; beyond it the cache starts afresh, so memory never grows with traffic.
    package static let cacheLimit = 100_000

    private struct State: ~Copyable {
        var cache: [OID: String?] = [:]
    }

    private let library = Mutex(State())
    /// How the tree was loaded.
    package let report: LoadReport

    /// Loads the MIB modules found in net-snmp's default directories plus `directories`.
    /// `modules` = ["ALL"] loads every module found; otherwise only those named (and what they import).
    /// `fileErrorLevel` gives the level of the one line per MIB file with errors (its path in, the level out):
    /// `serve` reports every such file once at start; one-shot commands name only files in folders their user gave,
    /// since the standard files would otherwise warn at every `decode`.
    package init(
        directories: [String], modules: [String], logger: Logger,
        fileErrorLevel: (String) -> Logger.Level = { _ in .warning }
    ) {
        let collector = MessageCollector()
        let start = ContinuousClock.now
        var report = LoadReport()
        let fileManager = FileManager.default
        for directory in directories where !fileManager.fileExists(atPath: directory) {
            report.missingDirectories.append(directory)
        }

        let defaults = String(cString: netsnmp_get_mib_directory()).split(separator: ":").map(String.init)
        report.directories = (defaults + directories).filter { fileManager.fileExists(atPath: $0) }
        Self.load(directories: report.directories, modules: modules, collector: collector)
        report.modules = Self.loadedModules()
        report.messages = collector.messages
        report.filesWithErrors = Self.files(mentionedIn: report.messages)
        report.milliseconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e15
            + Double((ContinuousClock.now - start).components.seconds) * 1000
        self.report = report

        for directory in report.missingDirectories {
            logger.warning("MIB directory not found; its MIBs are not loaded", metadata: ["mib.directory": "\(directory)"])
        }
        for file in report.filesWithErrors {
            // net-snmp's first complaint about the file says what is wrong, without turning on debug logging.
            let first = report.messages.first { $0.contains(file) } ?? ""
            logger.log(
                level: fileErrorLevel(file), "MIB file has errors; some of its names may be missing",
                metadata: ["mib.file": "\(file)", "mib.error": "\(first)"])
        }
        for message in report.messages {
            logger.debug("net-snmp: \(message)")
        }
        logger.info(
            "MIBs loaded",
            metadata: [
                "mib.modules": "\(report.modules.count)", "mib.milliseconds": "\(String(format: "%.1f", report.milliseconds))",
                "mib.directories": "\(report.directories.joined(separator: ":"))",
                "mib.files_with_errors": "\(report.filesWithErrors.count)",
            ])
    }

    /// The MIB name of an OID (`IF-MIB::ifIndex.2`), or nil when no module names it beyond the SMI's own nodes.
    package func name(of oid: OID) -> String? {
        library.withLock { state in
            if let cached = state.cache[oid] { return cached }
            let name = Self.lookUp(oid)
            if state.cache.count >= Self.cacheLimit { state.cache.removeAll(keepingCapacity: true) }
            state.cache[oid.compacted] = name
            return name
        }
    }

    /// The OID of a name such as `IF-MIB::ifIndex.2`, `sysUpTime.0` or a dotted OID.
    package func oid(named name: String) -> OID? {
        if let numeric = OID(name) { return numeric }
        return library.withLock { _ -> OID? in
            var arcs = [CNetSNMP.oid](repeating: 0, count: Int(MAX_OID_LEN))
            var length = arcs.count
            // read_objid wants MODULE::label or a full path; get_node finds a bare label such as ifIndex.3.
            guard read_objid(name, &arcs, &length) == 1 || { length = arcs.count; return get_node(name, &arcs, &length) == 1 }()
            else { return nil }
            return OID(arcs: arcs.prefix(length).map { UInt32(truncatingIfNeeded: $0) })
        }
    }

    // MARK: net-snmp, called with the mutex held or before the tree is shared

    private static func load(directories: [String], modules: [String], collector: MessageCollector) {
        // Debian's /etc/snmp/snmp.conf says "mibs :", which would turn loading off: read no config files.
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1)
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_SAVE_MIB_DESCRS, 0)
        netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 1)
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 1)
        // Parse messages go to our collector instead of stderr.
        snmp_register_callback(
            SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, mibLogCallback, Unmanaged.passUnretained(collector).toOpaque())
        snmp_enable_calllog()
        netsnmp_set_mib_directory(directories.joined(separator: ":"))
        netsnmp_init_mib()
        if modules.isEmpty || modules.contains("ALL") {
            read_all_mibs()
        } else {
            for module in modules {
                read_module(module)
            }
        }
        snmp_unregister_callback(
            SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, mibLogCallback, Unmanaged.passUnretained(collector).toOpaque(), 1)
        snmp_disable_calllog()
    }

    private static func loadedModules() -> [String] {
        var names = Set<String>()
        var stack: [UnsafeMutablePointer<tree>] = []
        var top = get_tree_head()
        while let node = top {
            stack.append(node)
            top = node.pointee.next_peer
        }
        var buffer = [CChar](repeating: 0, count: 256)
        while let current = stack.popLast() {
            if current.pointee.modid >= 0 {
                names.insert(String(cString: module_name(current.pointee.modid, &buffer)))
            }
            var child = current.pointee.child_list
            while let c = child {
                stack.append(c)
                child = c.pointee.next_peer
            }
        }
        return names.filter { !$0.hasPrefix("#") }.sorted()
    }

    /// The SMI's structural nodes (iso … enterprises): a match that stops at one of them names nothing.
    private static let structuralDepth = 7

    private static func lookUp(_ oid: OID) -> String? {
        let arcs = oid.arcs.map { CNetSNMP.oid($0) }
        guard let node = get_tree(arcs, arcs.count, get_tree_head()) else { return nil }
        var depth = 0
        var cursor: UnsafeMutablePointer<tree>? = node
        while let current = cursor {
            depth += 1
            cursor = current.pointee.parent
        }
        guard depth <= arcs.count, arcs[depth - 1] == node.pointee.subid else { return nil }
        guard depth > structuralDepth || depth == arcs.count else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        let module = String(cString: module_name(node.pointee.modid, &buffer))
        var name = module.hasPrefix("#") ? "" : module + "::"
        name += String(cString: node.pointee.label)
        for arc in arcs[depth...] {
            name += "." + String(arc)
        }
        return name
    }

    private static func files(mentionedIn messages: [String]) -> [String] {
        var files = Set<String>()
        for message in messages {
            guard let range = message.range(of: " in /") else { continue }
            let path = message[message.index(range.lowerBound, offsetBy: 4)...]
                .prefix { !$0.isWhitespace && $0 != ")" && $0 != "," }
            files.insert(String(path))
        }
        return files.sorted()
    }
}

/// Collects net-snmp's log messages during loading (one callback at a time, from the loading thread).
private final class MessageCollector: @unchecked Sendable {
    var messages: [String] = []
}

/// net-snmp's logging callback: `serverarg` is a `struct snmp_log_message *`, `clientarg` our collector.
private func mibLogCallback(
    _ major: Int32, _ minor: Int32, _ serverArgument: UnsafeMutableRawPointer?, _ clientArgument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let serverArgument, let clientArgument else { return 0 }
    let message = serverArgument.assumingMemoryBound(to: snmp_log_message.self).pointee
    guard let text = message.msg else { return 0 }
    let collector = Unmanaged<MessageCollector>.fromOpaque(clientArgument).takeUnretainedValue()
    collector.messages.append(String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines))
    return 0
}
