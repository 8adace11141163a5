"""The verdict of bench/soak: one row per check, (check, expected, observed, ok)."""
import json
import os

# What a SIGKILL takeover may lose (README "Process pair", "What is not covered"): the primary's last receive
# batch, read and not yet checkpointed; recvmmsg reads 64 datagrams, up to four reads a batch.
RECEIVE_BATCH = 256
RECEIVE_BATCH_TEXT = "256 (one receive batch)"


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


def subscriber_rows(f, pair=None):
    s1, s2, s3, s4 = (f["subscribers"][name] for name in ["S1", "S2", "S3", "S4"])
    total = s1["traps"] + s1["process"]
    accepted, what = f["accepted"], "S1 healthy: every accepted trap, no gap, no drop, no duplicate"
    if pair:
        accepted = pair["numbered"]
        what = ("S1 healthy: every trap the pair numbered (accepted and checkpointed; see the takeovers' losses), "
                "no gap, no drop, no duplicate")
    rows = [(what, f"{accepted:,} traps",
             f"{s1['traps']:,} traps, {s1['gaps']} missing, {s1['dropped']} dropped, {s1['duplicates']} dup",
             s1["traps"] == accepted and s1["gaps"] == 0 and s1["dropped"] == 0 and s1["duplicates"] == 0)]
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
    if pair:
        kills = len(pair["takeovers"])
        reconnects = {n: f["subscribers"][n]["reconnects"] for n in ["S1", "S2", "S3", "S4"]}
        rows.append(("subscribers: no error line, no checker crash; each subscribed again (resume_after) once per "
                     "takeover", f"0 errors, {kills} each",
                     f"{errors}, subscribed again {reconnects}, checkers' exit status {f['checker_exits']}",
                     errors == 0 and all(n == kills for n in reconnects.values())
                     and all(code == 0 for code in f["checker_exits"].values())))
        return rows
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
    if soak.args.pair:
        pair = pair_figures(soak, f)
        return (pair_server_rows(soak, f, pair) + takeover_rows(soak, f, pair) + subscriber_rows(f, pair)
                + pair_relay_rows(soak, f, pair) + pair_process_rows(soak, f))
    return server_rows(soak, f) + subscriber_rows(f) + relay_rows(soak, f) + process_rows(soak, f)


# -----------------------------------------------------------------------------------------------------------------
# PAIR (`bench/soak --pair`): the primary is SIGKILLed twice, so no single process counted everything. Each killed
# primary's counters are its stats read just before the kill; what it read after them is either numbered (its
# last sequence number is where the backup's sequence went on, `pair.ring_last_seq` in the backup's log) or lost
# with its last, uncheckpointed receive batch. The losses are counted per sender: every `trapmux send` run has a
# source port of its own, whose traps S1 counts, and the script's informs are numbered; a run that was sending
# while a primary was killed charges what it lost to that takeover.

SENDER_GENERIC = {"v1": "2", "v2c": "6", "v3": "3"}
# Seconds around a sender run within which a kill is charged to it when none happened while it was sending
# (datagrams wait in the socket's queue).
KILL_MARGIN = 2.0


def accepted_of(stats):
    return sum(stats["traps"].values())


def refused_of(stats):
    """(decode errors, USM refusals, community/rate/loop refusals) as the single server's rows count them."""
    usm = {k: v for k, v in stats.get("usm", {}).items() if k != "reports_sent"}
    usm_refused = sum(usm.values()) - usm.get("snmpInASNParseErrs", 0)
    other = stats["community_rejected"] + stats["rate_limited"] + stats["relay_loops_dropped"]
    return sum(stats["decode_errors"].values()), usm_refused, other


def match_senders(soak, s1):
    """Gives each sender run its source port and what S1 got from it; returns the problems (runs and ports that
    do not pair up)."""
    problems = []
    sources = s1.get("sources", {})
    for kind, generic in SENDER_GENERIC.items():
        ports = sorted((entry[1], port, entry[0]) for port, entry in sources.items()
                       if entry[2] == generic and int(port) != soak.script_port)
        runs = sorted((run for run in soak.segments if run["kind"] == kind), key=lambda run: run["start"])
        if len(ports) != len(runs):
            problems.append(f"{kind}: {len(runs)} sender runs but S1 saw {len(ports)} source ports")
            continue
        for run, (_, port, delivered) in zip(runs, ports):
            run.update(port=int(port), delivered=delivered, lost=run["sent"] - delivered)
    for run in soak.segments:
        # The kills while it was sending; else the nearest one within the margin, if any.
        distances = [(max(0, run["start"] - takeover["killed_at"], takeover["killed_at"] - run["end"]), index)
                     for index, takeover in enumerate(soak.takeovers)]
        inside = [index for distance, index in distances if distance == 0]
        near = sorted(item for item in distances if item[0] <= KILL_MARGIN)
        run["kills"] = inside or [index for _, index in near[:1]]
    return problems


def malformed_between(soak, start, end):
    """Malformed datagrams the script sent between two moments (its 100 ms timeline, rounded outwards)."""
    before = [count for at, count in soak.malformed_timeline if at <= start]
    after = [count for at, count in soak.malformed_timeline if at >= end]
    return (after[0] if after else soak.sent["malformed"]) - (before[-1] if before else 0)


def pair_figures(soak, f):
    s1 = f["subscribers"]["S1"]
    process_seqs = [seq for seq, _ in s1["process_seqs"]]
    problems = match_senders(soak, s1)
    takeovers = []
    for index, t in enumerate(soak.takeovers):
        row = dict(t)
        runs = [run for run in soak.segments if run.get("kills") and run["kills"][0] == index and "lost" in run]
        row["lost_by_kind"] = {kind: sum(run["lost"] for run in runs if run["kind"] == kind)
                               for kind in SENDER_GENERIC}
        row["shared_runs"] = sum(1 for run in runs if len(run["kills"]) > 1)
        row["lost_by_kind"]["informs"] = s1["informs"]["gaps_by_epoch"].get(str(index + 1), 0)
        row["lost"] = sum(row["lost_by_kind"].values())
        row["missed"] = s1["gaps_by_epoch"].get(str(index + 1), 0)
        row["drops_meanwhile"] = (max(run["drops_after"] for run in runs) - min(run["drops_before"] for run in runs)
                                  if runs else t["drops_after"] - t["drops_before"])
        if t["stats"] and t["end_seq"] is not None:
            last = t["stats"]["last_seq"]
            row["numbered_after_stats"] = (max(0, t["end_seq"] - last)
                                           - sum(1 for seq in process_seqs if last < seq <= t["end_seq"]))
        else:
            row["numbered_after_stats"] = None
            row["problems"] = t["problems"] + ["no stats before the kill or no ring_last_seq in the backup's log"]
        row["malformed_meanwhile"] = malformed_between(soak, t["polled_at"] - 1, t["killed_at"] + 0.5)
        takeovers.append(row)
    outside = [run for run in soak.segments if not run.get("kills") and "lost" in run]
    complete = all(row["numbered_after_stats"] is not None for row in takeovers)
    numbered = None
    if complete:
        numbered = (sum(accepted_of(row["stats"]) + row["numbered_after_stats"] for row in takeovers)
                    + accepted_of(soak.stats))
    return {"takeovers": takeovers, "problems": problems, "numbered": numbered if numbered is not None else -1,
            "complete": complete,
            "outside": {kind: sum(run["lost"] for run in outside if run["kind"] == kind) for kind in SENDER_GENERIC}
            | {"informs": s1["informs"]["gaps_by_epoch"].get("0", 0)},
            "processes": [(row["victim"], row["stats"]) for row in takeovers if row["stats"]]
            + [(soak.primary, soak.stats)]}


def pair_server_rows(soak, f, pair):
    takeovers = pair["takeovers"]
    sent_text = ", ".join(f"{kind} {count:,}" for kind, count in soak.sent.items())
    killed = sum(row["stats"]["datagrams"] for row in takeovers if row["stats"])
    final = soak.stats["datagrams"]
    after = f["sent"] - killed - final - f["kernel_drops"]
    if pair["complete"]:
        least = sum(row["numbered_after_stats"] + row["lost"] for row in takeovers)
        # A lost run that was in fact dropped by the kernel is counted among the drops as well.
        least_then = least - sum(row["drops_meanwhile"] for row in takeovers)
        refused_room = sum(row["malformed_meanwhile"] for row in takeovers)
        expected_after = (f"{least:,} numbered or lost after them, + up to {refused_room} refused then "
                          f"(malformed sent meanwhile)")
        after_ok = least_then <= after <= least + refused_room
    else:
        expected_after, after_ok = "unknown: a killed primary's stats are missing", False
    rows = [("datagrams sent = received by each process of the pair (a killed primary: its stats just before the "
             "kill, + what it read after them) + dropped by the kernel (counted)",
             f"{f['sent']:,} ({sent_text}); read after the last stats: {expected_after}",
             f"{killed:,} (killed primaries) + {final:,} (the last primary) + {f['kernel_drops']:,} + {after:,}",
             after_ok)]
    balance, received, parts = True, 0, [0, 0, 0, 0]
    for _, stats in pair["processes"]:
        accepted, (decode, usm, other) = accepted_of(stats), refused_of(stats)
        balance = balance and stats["datagrams"] == accepted + decode + usm + other
        received += stats["datagrams"]
        parts = [a + b for a, b in zip(parts, (accepted, decode, usm, other))]
    rows.append(("received = accepted + decode errors + USM refusals + community/rate/loop refusals, in each "
                 "process's last stats", f"{received:,}",
                 f"{parts[0]:,} + {parts[1]:,} + {parts[2]:,} + {parts[3]:,}", balance))
    lost_informs = sum(row["lost_by_kind"]["informs"] for row in takeovers)
    answered = sum(stats["informs_answered"] for _, stats in pair["processes"])
    rows.append(("informs acknowledged (all but any the kernel dropped or a takeover lost)",
                 f"{soak.sent['inform']:,} - {lost_informs} lost in takeovers",
                 f"{soak.informs_acknowledged:,} (the processes answered {answered:,} informs by their last stats)",
                 soak.informs_acknowledged >= soak.sent["inform"] - f["kernel_drops"] - lost_informs))
    rows.append(("senders ran to the end", "no failure", ", ".join(soak.failures) or "none", not soak.failures))
    return rows


def takeover_rows(soak, f, pair):
    rows = []
    for row in pair["takeovers"]:
        lost = row["lost"]
        kinds = ", ".join(f"{kind} {count}" for kind, count in row["lost_by_kind"].items())
        problems = list(row["problems"])
        if row["victim_exit"] != -9:
            problems.append(f"the killed primary exited {row['victim_exit']}")
        if row["cause"] != "Primary-Aborted":
            problems.append(f"106 cause {row['cause']}")
        if any(count < 0 for count in row["lost_by_kind"].values()):
            problems.append("more traps delivered than sent")
        shared = f", {row['shared_runs']} sender run(s) spanning both kills charged here" if row["shared_runs"] else ""
        drops = f" + {row['drops_meanwhile']:,} dropped by the kernel meanwhile" if row["drops_meanwhile"] else ""
        rows.append((f"takeover {row['number']}: primary {row['victim']} (pid {row['victim_pid']}) SIGKILLed, backup "
                     f"{row['heir']} (pid {row['heir_pid']}) took over, the killed one restarted as the new backup: "
                     f"traps lost (never numbered), events S1 missed after resuming",
                     f"lost <= {RECEIVE_BATCH_TEXT}{drops}; 0 missed; 106 Primary-Aborted",
                     f"{lost} lost ({kinds}{shared}), {row['missed']} missed; 106 {row['cause']} after "
                     f"{row['takeover_ms']:.0f} ms, new backup paired after {row['paired_ms']:.0f} ms"
                     + (f"; {'; '.join(problems)}" if problems else ""),
                     0 <= lost <= RECEIVE_BATCH + row["drops_meanwhile"] and row["missed"] == 0 and not problems))
    outside = pair["outside"]
    lost_outside = sum(outside.values())
    rows.append(("traps lost by senders that ran while no primary was killed (matched by source port)",
                 f"0 (at most the kernel's {f['kernel_drops']:,} drops)",
                 ", ".join(f"{kind} {count}" for kind, count in outside.items())
                 + (f"; {'; '.join(pair['problems'])}" if pair["problems"] else ""),
                 0 <= lost_outside <= f["kernel_drops"] and not pair["problems"]))
    return rows


def pair_relay_rows(soak, f, pair):
    numbered, kills = pair["numbered"], len(pair["takeovers"])
    a, b, c = (f["sinks"][name] for name in "ABC")
    again = a["received"] + a["drops"] - numbered
    rows = [("relay A (up): every numbered trap arrived, or arrived twice: relaying is at least once across a "
             "takeover (at most one batch again)", f"{numbered:,} to {numbered + kills * RECEIVE_BATCH:,}",
             f"{a['received']:,} + {a['drops']:,} dropped by the sink ({again:,} again)",
             0 <= again <= kills * RECEIVE_BATCH)]
    # B got the takeovers' repeats too (it was up then); A's count of them stands in for B's.
    lost = numbered + again - b["received"] - b["drops"]
    start, end = soak.down_window
    window = sum(n for second, n in a["per_second"].items() if start - 1 <= int(second) <= end + 1)
    announced = [file for file in f["subscribers"]["S1"]["files_103"] if "relay B" in file]
    rows.append(("relay B (down 60 s): lost only while down, announced by 103 (A's repeats after the takeovers "
                 "added to what B should have got)", f"0 < lost <= {window:,}, 103",
                 f"{lost:,} lost, {len(announced)} x 103", 0 < lost <= window and bool(announced)))
    rows.append(("relay C (in the list half the time): received, for information", "-", f"{c['received']:,}", True))
    return rows


def pair_process_rows(soak, f):
    warm, end = soak.samples.get("warm_final"), soak.samples["end"]
    s1 = f["subscribers"]["S1"]
    events = ", ".join(f"{n}: {count}" for n, count in sorted(s1["events"].items())) or "none"
    internal = s1["events"].get("105", 0) + soak.server_log.count("Process-Internal-Error")
    reloaded = soak.server_log.count("configuration reloaded")
    refused = soak.server_log.count("configuration not reloaded")
    rows = []
    first, before = soak.samples["warm"], soak.takeovers[0]["figures"] if soak.takeovers else None
    if before:
        rows.append((f"the first primary ({soak.takeovers[0]['victim']}) from its warm-up to just before its kill, "
                     "for information", "-", f"RSS {first['rss_kib'] / 1024:.1f} -> {before['rss_kib'] / 1024:.1f} "
                     f"MiB, descriptors {first['fds']} -> {before['fds']}, threads {first['threads']} -> "
                     f"{before['threads']}", True))
    if warm is None or warm["name"] != soak.primary:
        rows.append(("the process alive at the end was measured after it took over", soak.primary,
                     f"{warm['name'] if warm else 'no sample'}", False))
        warm = warm or end
    who = f"{warm['name']}, pid {warm['pid']}, primary since takeover {len(soak.takeovers)}"
    rows += [
        (f"RSS of the process alive at the end ({who}) within 10 % of its own after warm-up as the primary",
         f"<= {warm['rss_kib'] * 1.1 / 1024:.1f} MiB", f"{warm['rss_kib'] / 1024:.1f} -> {end['rss_kib'] / 1024:.1f} MiB",
         end["rss_kib"] <= warm["rss_kib"] * 1.1),
        ("its open descriptors flat (same subscribers and backup connected)", str(warm["fds"]), str(end["fds"]),
         end["fds"] == warm["fds"]),
        ("its threads flat", str(warm["threads"]), str(end["threads"]), end["threads"] == warm["threads"]),
        ("no 105 event, no internal error logged (every process's log)", "0",
         f"{internal} (S1 saw process events {events})", internal == 0),
        ("SIGHUP to both processes of the pair: changed files applied, broken ones refused",
         f"{soak.hup_signals['changed']} + {soak.hup_signals['broken']}", f"{reloaded} applied, {refused} refused",
         reloaded == soak.hup_signals["changed"] and refused == soak.hup_signals["broken"]),
        ("exit status on SIGTERM: the backup, then the primary", "0, 0",
         f"{soak.server_exit['backup']}, {soak.server_exit['primary']}",
         soak.server_exit["backup"] == 0 and soak.server_exit["primary"] == 0),
    ]
    return rows
