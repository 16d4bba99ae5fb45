"""A tiny DNS server for the ejabberd federation test, asked by both servers. ejabberd looks up
a server's SRV records with Erlang's DNS client, then the target's address with the system's
resolver (getaddrinfo); the example server asks it for both (hickory-resolver). So for each
DOMAIN=PORT argument, `_xmpp-server._tcp.DOMAIN` (and the same for its subdomains, a MUC
service's) is answered with one SRV record pointing at `localhost` on PORT, an A question for
`localhost` with 127.0.0.1; every other question gets an empty answer.
Usage: dns.py LISTEN_PORT DOMAIN=PORT..."""
import socket
import struct
import sys

listen = int(sys.argv[1])
ports = {d.lower(): int(p) for d, p in (arg.split("=") for arg in sys.argv[2:])}
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
    port = next((p for d, p in ports.items() if target_domain == d or target_domain.endswith("." + d)), None)
    if qtype == 33 and service == "" and port is not None:
        target = b"\x09localhost\x00"
        rdata = struct.pack(">HHH", 0, 0, port) + target
        answers = b"\xc0\x0c" + struct.pack(">HHIH", 33, 1, 60, len(rdata)) + rdata
        count = 1
    elif qtype == 1 and name == "localhost":
        answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
        count = 1
    header = struct.pack(">HHHHHH", ident, 0x8180, 1, count, 0, 0)
    sock.sendto(header + question + answers, peer)
