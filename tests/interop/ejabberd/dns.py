"""A tiny DNS server for the ejabberd federation test. ejabberd looks up a server's SRV records
with Erlang's DNS client, then the target's address with the system's resolver (getaddrinfo):
so `_xmpp-server._tcp.a.localhost` (and the same for its subdomains, its MUC service's) is
answered with one SRV record pointing at `localhost` (which the system resolves) on PORT; every
other question gets an empty answer.
Usage: dns.py LISTEN_PORT SRV_DOMAIN SRV_PORT"""
import socket
import struct
import sys

listen, domain, port = int(sys.argv[1]), sys.argv[2].lower(), int(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", listen))
while True:
    query, peer = sock.recvfrom(512)
    if len(query) < 12:
        continue
    ident = struct.unpack(">H", query[:2])[0]
    # The question: labels, a zero byte, then type and class.
    at, labels = 12, []
    while at < len(query) and query[at] != 0:
        length = query[at]
        labels.append(query[at + 1 : at + 1 + length].decode(errors="replace"))
        at += 1 + length
    if at + 5 > len(query):
        continue
    question = query[12 : at + 5]
    qtype = struct.unpack(">H", query[at + 1 : at + 3])[0]
    name = ".".join(labels).lower()
    print(f"question {name} type {qtype}", flush=True)
    answers = b""
    count = 0
    service, _, target_domain = name.partition("_xmpp-server._tcp.")
    ours = target_domain == domain or target_domain.endswith("." + domain)
    if qtype == 33 and service == "" and ours:
        target = b"\x09localhost\x00"
        rdata = struct.pack(">HHH", 0, 0, port) + target
        answers = b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 60, len(rdata)) + rdata
        count = 1
    header = struct.pack(">HHHHHH", ident, 0x8180, 1, count, 0, 0)
    sock.sendto(header + question + answers, peer)
