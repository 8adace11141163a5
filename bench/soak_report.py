"""The verdict of bench/soak: one row per check, (check, expected, observed, ok)."""
import json
import os


def figures(soak):
    """What the run produced: the server's final stats, the checkers' and sinks' states, what was sent."""
    def state(name):
        with open(os.path.join(soak.work, f"{name}.json")) as f:
            return json.load(f)
    stats = soak.stats
    usm = {k: v for k, v in stats.get("usm", {}).items() if k != "reports_sent"}
    return {
        "stats": stats,
        "accepted": sum(stats["traps"].values()),
        "decode_errors": sum(stats["decode_errors"].values()),
        # USM parse errors are counted among decode_errors too.
        "usm_refused": sum(usm.values()) - usm.get("snmpInASNParseErrs", 0),
        "kernel_drops": stats.get("kernel_receive_drops", 0),
        "sent": sum(soak.sent.values()),
        "subscribers": {name: state(name) for name in ["S1", "S2", "S3", "S4"]},
        "sinks": {name: state(f"sink-{name}") for name in "ABC"},
        "checker_exits": soak.checker_exits,
    }


def server_rows(soak, f):
    stats = f["stats"]
    refused = (f["decode_errors"] + f["usm_refused"] + stats["community_rejected"] + stats["rate_limited"]
               + stats["relay_loops_dropped"])
    sent = ", ".join(f"{kind} {count:,}" for kind, count in soak.sent.items())
    return [
        ("datagrams sent = received by the server + dropped by the kernel (counted)", f"{f['sent']:,} ({sent})",
         f"{stats['datagrams']:,} + {f['kernel_drops']:,}", f["sent"] == stats["datagrams"] + f["kernel_drops"]),
        ("received = accepted + decode errors + USM refusals + community/rate/loop refusals", f"{stats['datagrams']:,}",
         f"{f['accepted']:,} + {f['decode_errors']:,} + {f['usm_refused']:,} + "
         f"{refused - f['decode_errors'] - f['usm_refused']:,}", stats["datagrams"] == f["accepted"] + refused),
        ("informs acknowledged (all but any the kernel dropped)", f"{soak.sent['inform']:,}",
         f"{soak.informs_acknowledged:,} (the server answered {stats['informs_answered']:,} informs)",
         soak.informs_acknowledged >= soak.sent["inform"] - f["kernel_drops"]),
        ("senders ran to the end", "no failure", ", ".join(soak.failures) or "none", not soak.failures),
    ]


def subscriber_rows(f):
    s1, s2, s3, s4 = (f["subscribers"][name] for name in ["S1", "S2", "S3", "S4"])
    total = s1["traps"] + s1["process"]
    rows = [("S1 healthy: every accepted trap, no gap, no drop, no duplicate", f"{f['accepted']:,} traps",
             f"{s1['traps']:,} traps, {s1['gaps']} missing, {s1['dropped']} dropped, {s1['duplicates']} dup",
             s1["traps"] == f["accepted"] and s1["gaps"] == 0 and s1["dropped"] == 0 and s1["duplicates"] == 0)]
    for name, state, what in [("S2", s2, "stopped 60 s"), ("S3", s3, "killed, restarted")]:
        unannounced = state["gaps"] - state["dropped"]
        delivered = state["traps"] + state["process"]
        note = ""
        if state["resume"] == "refused":
            note = f", {state['reconnect_gap']:,} missed while disconnected (server without resume_after)"
        rows.append((f"{name} {what}: delivered + announced dropped = S1's events, once each", f"{total:,}",
                     f"{delivered:,} + {state['dropped']:,} ({state['markers']} markers), {unannounced} "
                     f"unannounced, {state['duplicates']} dup{note}",
                     delivered + state["dropped"] + state["reconnect_gap"] == total and unannounced == 0
                     and state["duplicates"] == 0))
    wanted = {g: s1["by_generic"].get(g, 0) for g in ("2", "3")}
    others = {g: n for g, n in s4["by_generic"].items() if g not in wanted}
    rows.append(("S4 filter linkDown+linkUp: exactly S1's of those, nothing else", f"{sum(wanted.values()):,}",
                 f"{s4['traps']:,}, {sum(others.values())} others, {s4['dropped']} dropped, {s4['duplicates']} dup",
                 {g: s4["by_generic"].get(g, 0) for g in wanted} == wanted and not others
                 and s4["dropped"] == 0 and s4["duplicates"] == 0))
    errors = sum(f["subscribers"][n].get("error_count", 0) for n in ["S1", "S2", "S3", "S4"])
    rows.append(("subscribers: no error line, no unexpected close, no checker crash", "0",
                 f"{errors}, checkers' exit status {f['checker_exits']}",
                 errors == 0 and all(code == 0 for code in f["checker_exits"].values())))
    return rows


def relay_rows(soak, f):
    accepted = f["accepted"]
    a, b, c = (f["sinks"][name] for name in "ABC")
    rows = [("relay A (up): every accepted trap arrived (or the sink's socket dropped it)", f"{accepted:,}",
             f"{a['received']:,} + {a['drops']:,} dropped by the sink", a["received"] + a["drops"] == accepted)]
    lost = accepted - b["received"] - b["drops"]
    start, end = soak.down_window
    # What A received in the same seconds (one more on each side for clock edges) bounds what B could lose.
    window = sum(n for second, n in a["per_second"].items() if start - 1 <= int(second) <= end + 1)
    announced = [file for file in f["subscribers"]["S1"]["files_103"] if "relay B" in file]
    rows.append(("relay B (down 60 s): lost only while down, announced by 103", f"0 < lost <= {window:,}, 103",
                 f"{lost:,} lost, {len(announced)} x 103", 0 < lost <= window and bool(announced)))
    rows.append(("relay C (in the list half the time): received, for information", "-", f"{c['received']:,}", True))
    return rows


def process_rows(soak, f):
    warm, end = soak.samples["warm"], soak.samples["end"]
    s1 = f["subscribers"]["S1"]
    events = ", ".join(f"{n}: {count}" for n, count in sorted(s1["events"].items())) or "none"
    internal = s1["events"].get("105", 0) + soak.server_log.count("Process-Internal-Error")
    reloaded = soak.server_log.count("configuration reloaded")
    refused = soak.server_log.count("configuration not reloaded")
    return [
        ("RSS after the run within 10 % of RSS after warm-up", f"<= {warm['rss_kib'] * 1.1 / 1024:.1f} MiB",
         f"{warm['rss_kib'] / 1024:.1f} -> {end['rss_kib'] / 1024:.1f} MiB", end["rss_kib"] <= warm["rss_kib"] * 1.1),
        ("open descriptors flat", str(warm["fds"]), str(end["fds"]), end["fds"] == warm["fds"]),
        ("threads flat", str(warm["threads"]), str(end["threads"]), end["threads"] == warm["threads"]),
        ("no 105 event, no internal error logged", "0", f"{internal} (S1 saw process events {events})",
         internal == 0),
        ("SIGHUP: changed files applied, broken ones refused", f"{soak.reloads['changed']} + "
         f"{soak.reloads['broken']}", f"{reloaded} applied, {refused} refused",
         reloaded == soak.reloads["changed"] and refused == soak.reloads["broken"]),
        ("server exit status on SIGTERM", "0", str(soak.server_exit), soak.server_exit == 0),
    ]


def build_rows(soak):
    f = figures(soak)
    return server_rows(soak, f) + subscriber_rows(f) + relay_rows(soak, f) + process_rows(soak, f)
