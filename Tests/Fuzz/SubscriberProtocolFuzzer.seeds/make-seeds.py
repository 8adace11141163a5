#!/usr/bin/env python3
"""Writes the SubscriberProtocolFuzzer seeds into the folder given: request lines (first octet 0x00) and stream
scripts (first octet 0x01, then a limits octet, then operations; see Tests/Fuzz/SubscriberProtocolFuzzer)."""
import os
import sys

LINES = [
    b'{"subscribe": {}}',
    b'{"subscribe": {"name": "nms", "format": "json", "process_events": true, "queue": 10000}}',
    b'{"subscribe": {"name": "t", "format": "text", "process_events": false, "queue": 1}}',
    b'{"subscribe": {"filter": {"generic": [2, "linkUp", "enterpriseSpecific"], "enterprise": ["1.3.6.1.4.1.9"]}}}',
    b'{"subscribe": {"filter": {"trap_oid": "1.3.6.1.6.3.1.1.5", "source": ["192.0.2.0/24", "2001:db8::/32"]}}}',
    b'{"subscribe": {"filter": {"community": ["public"], "version": ["1", "2c", "3"]}}}',
    b'{"subscribe": {"filter": {"user": ["nms-v3"], "security_level": ["authPriv", "noAuthNoPriv"]}}}',
    b'{"subscribe": {"filter": {"generic": 7}}}',
    b'{"subscribe": {"filter": {"generic": [true]}}}',
    b'{"subscribe": {"filter": {"source": ["300.0.0.0/8"]}}}',
    b'{"subscribe": {"filter": {"colour": ["red"]}}}',
    b'{"subscribe": {"queue": 0}}',
    b'{"subscribe": {"queue": 2.0}}',
    b'{"subscribe": {"name": "x\\u0000\\ud83d\\ude00\\n"}}',
    b'{"subscribe": []}',
    b'{"stats": {}}',
    b'{"ping": {}}',
    b'{"ping": {}, "stats": {}}',
    b'{"pong": {}}',
    b'{"ping": {}, "ping": {}}',
    b'[1, -0, 1.5e3, 1E-2, null, false, "\\"\\\\\\/\\b\\f\\n\\r\\t"]',
    b'{"a": 9223372036854775807, "b": -9223372036854775808, "c": 9223372036854775808, "d": 1e308}',
    b'{"subscribe": {"name": "\\ud800"}}',
    b'{"subscribe": {"name": "\xc3\xa9", "format": "csv"}}',
    b'{"subscribe": {"filter": {"generic": [[[[[[[[[[1]]]]]]]]]]}}}',
    b' {"ping":{}} ',
    b'{"ping": {}} x',
    b'{"ping": {},}',
    b'01',
]


def chunks(data, size):
    """Operations that send `data` in pieces of `size` (at most 128) octets."""
    out = b""
    for start in range(0, len(data), size):
        piece = data[start:start + size]
        out += bytes([len(piece) - 1]) + piece
    return out


def stream(limits, *operations):
    return bytes([0x01, limits]) + b"".join(operations)


SUBSCRIBE = b'{"subscribe": {"name": "s", "queue": 2}}\n'
SUBSCRIBE_TEXT = b'{"subscribe": {"format": "text", "process_events": true}}\r\n'
PINGS = b'{"ping": {}}\n{"stats": {}}\n\n  \n{"ping": {}}\n'
STREAMS = [
    stream(0, chunks(SUBSCRIBE, 128), b"\xb3\xc0"),
    stream(0, chunks(SUBSCRIBE, 7), b"\xb1\xe0\xc0"),
    stream(0, chunks(SUBSCRIBE_TEXT, 3), b"\xb2\xc0"),
    stream(0, chunks(PINGS, 5), b"\xc8\xc0"),
    stream(0, chunks(PINGS, 128), b"\xa0", chunks(PINGS, 128), b"\xa8\xc8\xc0"),
    stream(0, chunks(SUBSCRIBE, 128), b"\xa0\xbf\xbf\xbf", chunks(PINGS, 11), b"\xa8\xc0"),
    stream(0, chunks(SUBSCRIBE, 128), b"\xa0\xbf", b"\x9f\x41\x9f\x41", b"\xa8\xc0"),
    stream(0x10, chunks(SUBSCRIBE, 128), b"\xa0\xbf\xbf\xbf\xa8\xc0"),
    stream(0x04, chunks(SUBSCRIBE, 128), b"\xa0\xbf\xbf\xa8\xc0"),
    stream(0x08, chunks(SUBSCRIBE, 128), b"\xa0\xbf\xbf\xa8\xc0"),
    stream(0x01, chunks(SUBSCRIBE, 128), b"\xc0"),
    stream(0x02, chunks(PINGS, 128), b"\xc0"),
    stream(0, b"\xd8\xc0"),
    stream(0, b"\x8f\x7b\xc0"),
    stream(0, chunks(b'{"ping": {}}', 128), b"\xd0\xc0"),
    stream(0, chunks(b'{"stats": {}}\n{"ping": {}}\n', 4), b"\xd0\xc8\xc0"),
    stream(0, chunks(b'{"subscribe": {"queue": 1}}', 128), b"\xd0\xb4\xc0\xf0"),
    stream(0, chunks(b'{"bogus": {}}\n{"ping": {}}\n', 128), b"\xc0"),
    stream(0, chunks(PINGS, 128), chunks(b'{"subscribe": {}}\n{"subscribe": {}}\n', 128), b"\xc8\xc0"),
]


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    for index, line in enumerate(LINES):
        with open(os.path.join(folder, f"line-{index:02d}"), "wb") as f:
            f.write(b"\x00" + line)
    for index, script in enumerate(STREAMS):
        with open(os.path.join(folder, f"stream-{index:02d}"), "wb") as f:
            f.write(script)


main()
