import TrapDecoder
import TrapEvents
import TOML

extension TrapMuxConfiguration {
    /// The keys a SIGHUP cannot apply, in file notation, whose value differs between `running` and this
    /// (newly read) configuration: they belong to sockets already bound, to the process's identity or to the
    /// MIB library loaded once at start, so they take effect only after a restart.
    package func restartOnlyChanges(comparedTo running: TrapMuxConfiguration) -> [String] {
        var changed: [String] = []
        if name != running.name { changed.append("name") }
        if listen != running.listen { changed.append("listen") }
        if receiveBufferBytes != running.receiveBufferBytes { changed.append("receive_buffer_bytes") }
        if retryInterval != running.retryInterval { changed.append("retry_interval") }
        if retryPeriod != running.retryPeriod { changed.append("retry_period") }
        if drainTimeout != running.drainTimeout { changed.append("drain_timeout") }
        if logLevel != running.logLevel { changed.append("log_level") }
        if logFormat != running.logFormat { changed.append("log_format") }
        if subscribers.socket != running.subscribers.socket { changed.append("subscribers.socket") }
        if subscribers.socketMode != running.subscribers.socketMode { changed.append("subscribers.socket_mode") }
        if subscribers.allowedUIDs != running.subscribers.allowedUIDs { changed.append("subscribers.allowed_uids") }
        if subscribers.allowedGIDs != running.subscribers.allowedGIDs { changed.append("subscribers.allowed_gids") }
        if mibs != running.mibs { changed.append("mibs") }
        if engineID != running.engineID { changed.append("engine_id") }
        if stateDirectory != running.stateDirectory { changed.append("state_dir") }
        if watchdog != running.watchdog { changed.append("watchdog") }
        if metrics != running.metrics { changed.append("metrics.listen") }
        return changed
    }

    /// `running` with the keys a SIGHUP applies taken from this configuration: subscriber limits, communities,
    /// trusted forwarders, `[rate_limit]` and the relays. The result is what the server runs on after the reload, so the next reload
    /// compares against it.
    package func reloadable(onto running: TrapMuxConfiguration) -> TrapMuxConfiguration {
        var applied = running
        applied.subscribers = subscribers.keepingSocket(of: running.subscribers)
        applied.communities = communities
        applied.trustedForwarders = trustedForwarders
        applied.rateLimit = rateLimit
        applied.relays = relays
        applied.usm = usm
        applied.holdsPassphrases = holdsPassphrases
        return applied
    }
}

extension TrapMuxConfiguration.SubscriberSettings {
    /// These settings with the bound socket's own (path, mode, allow-lists) taken from `running`: they belong to the
    /// socket that is bound and change only with a restart; every other key is a limit that a reload applies.
    package func keepingSocket(of running: Self) -> Self {
        var kept = self
        kept.socket = running.socket
        kept.socketMode = running.socketMode
        kept.allowedUIDs = running.allowedUIDs
        kept.allowedGIDs = running.allowedGIDs
        return kept
    }
}
