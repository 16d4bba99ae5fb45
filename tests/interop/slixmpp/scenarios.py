"""Real clients (slixmpp, from PyPI) against the example server: each scenario asserts the exact
result and prints one PASS line; the first failure ends the run with a non-zero status.

Usage: python scenarios.py PORT
"""

import asyncio
import ssl
import sys

import slixmpp
import slixmpp.exceptions
from slixmpp import JID
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

PORT = int(sys.argv[1])
DOMAIN = "localhost"
MUC = "conference." + DOMAIN
PUBSUB = "pubsub." + DOMAIN
TIMEOUT = 10


def insecure_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Client(slixmpp.ClientXMPP):
    """A client that records what it receives."""

    def __init__(self, jid, password):
        super().__init__(jid, password, ssl_context=insecure_context())
        self.enable_direct_tls = False
        for plugin in ["xep_0030", "xep_0045", "xep_0060", "xep_0199", "xep_0280", "xep_0313", "xep_0359"]:
            self.register_plugin(plugin)
        self.messages = asyncio.Queue()
        self.carbons = asyncio.Queue()
        self.groupchat = asyncio.Queue()
        self.events = asyncio.Queue()
        self.mechanism = None
        self.online = asyncio.Event()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", lambda m: self.messages.put_nowait(m) if m["type"] in ("chat", "normal") and m["body"] else None)
        self.add_event_handler("carbon_sent", lambda m: self.carbons.put_nowait(("sent", m)))
        self.add_event_handler("carbon_received", lambda m: self.carbons.put_nowait(("received", m)))
        self.add_event_handler("groupchat_message", lambda m: self.groupchat.put_nowait(m))
        self.add_event_handler("pubsub_publish", lambda m: self.events.put_nowait(m))
        self.add_event_handler("auth_success", self.on_auth)

    def on_auth(self, _):
        self.mechanism = self["feature_mechanisms"].mech.name if self["feature_mechanisms"].mech else None

    async def on_start(self, _):
        self.send_presence()
        await self.get_roster()
        self.online.set()


async def login(user, resource):
    client = Client(f"{user}@{DOMAIN}/{resource}", f"{user}pass")
    client.connect("127.0.0.1", PORT)
    await asyncio.wait_for(client.online.wait(), TIMEOUT)
    return client


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"PASS {name}")


async def main():
    alice = await login("alice", "phone")
    alice2 = await login("alice", "laptop")
    bob = await login("bob", "desk")
    check("login over STARTTLS with SCRAM", alice.is_connected() and alice.mechanism and alice.mechanism.startswith("SCRAM-SHA-"), alice.mechanism)

    # 1:1 messages with carbons to the second resource.
    await alice2["xep_0280"].enable()
    alice.send_message(mto=f"bob@{DOMAIN}", mbody="Neither, fair saint", mtype="chat")
    got = await asyncio.wait_for(bob.messages.get(), TIMEOUT)
    check("bob receives alice's message", got["body"] == "Neither, fair saint" and got["from"].bare == f"alice@{DOMAIN}")
    direction, carbon = await asyncio.wait_for(alice2.carbons.get(), TIMEOUT)
    check("the second resource gets a sent carbon", direction == "sent" and carbon["carbon_sent"]["body"] == "Neither, fair saint")
    bob.send_message(mto=f"alice@{DOMAIN}/phone", mbody="If either thee dislike", mtype="chat")
    direction, carbon = await asyncio.wait_for(alice2.carbons.get(), TIMEOUT)
    check("a message to one resource is carbon-copied to the other", direction == "received" and carbon["carbon_received"]["body"] == "If either thee dislike")

    # MAM query of that conversation.
    results = []
    async for rsm in bob["xep_0313"].retrieve(with_jid=JID(f"alice@{DOMAIN}"), iterator=True, rsm={"max": 10}):
        for message in rsm["mam"]["results"]:
            results.append(message["mam_result"]["forwarded"]["stanza"]["body"])
    check("bob's archive holds the conversation", results == ["Neither, fair saint", "If either thee dislike"], results)

    # A room with three users: join, messages, history, kick.
    carol = await login("carol", "tablet")
    room = f"coven@{MUC}"
    await asyncio.wait_for(alice["xep_0045"].join_muc_wait(JID(room), "alice", maxstanzas=0), TIMEOUT)
    form = await alice["xep_0045"].get_room_config(JID(room))
    form["type"] = "submit"
    await alice["xep_0045"].set_room_config(JID(room), form)
    await asyncio.wait_for(bob["xep_0045"].join_muc_wait(JID(room), "bob", maxstanzas=0), TIMEOUT)
    bob.send_message(mto=room, mbody="When shall we three meet again", mtype="groupchat")
    for who in (alice, bob):
        m = await asyncio.wait_for(who.groupchat.get(), TIMEOUT)
        check(f"{who.boundjid.user} sees the room message", m["body"] == "When shall we three meet again" and m["from"].resource == "bob")
    await asyncio.wait_for(carol["xep_0045"].join_muc_wait(JID(room), "carol", maxstanzas=20), TIMEOUT)
    history = await asyncio.wait_for(carol.groupchat.get(), TIMEOUT)
    check("carol gets the history on entry", history["body"] == "When shall we three meet again" and history["delay"]["stamp"] is not None)
    roster = alice["xep_0045"].get_roster(JID(room))
    check("three occupants", sorted(roster) == ["alice", "bob", "carol"], roster)
    kicked = asyncio.get_running_loop().create_future()
    carol.add_event_handler(f"muc::{room}::presence", lambda p: kicked.set_result(p) if p["type"] == "unavailable" and not kicked.done() else None)
    await alice["xep_0045"].set_role(JID(room), "carol", "none", reason="Avaunt")
    presence = await asyncio.wait_for(kicked, TIMEOUT)
    codes = {int(s) for s in presence["muc"]["status_codes"]}
    check("carol is kicked with 307 and 110", {307, 110} <= codes, codes)

    # Read markers through the room (urn:xmpp:read-markers): they count for members.
    await alice["xep_0045"].set_affiliation(JID(room), "member", jid=JID(f"bob@{DOMAIN}"))
    alice.send_message(mto=room, mbody="Fair is foul", mtype="groupchat")
    m = await asyncio.wait_for(bob.groupchat.get(), TIMEOUT)
    while m["body"] != "Fair is foul":
        m = await asyncio.wait_for(bob.groupchat.get(), TIMEOUT)
    stanza_id = m["stanza_id"]["id"]
    query = bob.make_iq_get(ito=room)
    query.append(ET.Element("{urn:xmpp:read-markers}query"))
    answer = await query.send()
    unseen = answer.xml.find("{urn:xmpp:read-markers}query/{urn:xmpp:read-markers}unseen-messages")
    check("bob, a member, has one unseen message", unseen is not None and unseen.get("amount") == "1", ET.tostring(answer.xml))
    ack = bob.make_iq_set(ito=room)
    ack.append(ET.Element("{urn:xmpp:read-markers}ack", {"id": stanza_id}))
    await ack.send()
    query = bob.make_iq_get(ito=room)
    query.append(ET.Element("{urn:xmpp:read-markers}query"))
    answer = await query.send()
    last = answer.xml.find("{urn:xmpp:read-markers}query/{urn:xmpp:read-markers}last-message")
    unseen = answer.xml.find("{urn:xmpp:read-markers}query/{urn:xmpp:read-markers}unseen-messages")
    check("the ack moves bob's marker and clears the counter", last is not None and last.get("id") == stanza_id and unseen.get("amount") == "0", ET.tostring(answer.xml))

    # A pubsub node with a publisher and a subscriber.
    await alice["xep_0060"].create_node(JID(PUBSUB), "news")
    await bob["xep_0060"].subscribe(JID(PUBSUB), "news")
    entry = ET.Element("{http://www.w3.org/2005/Atom}entry")
    title = ET.SubElement(entry, "{http://www.w3.org/2005/Atom}title")
    title.text = "To be, or not to be"
    await alice["xep_0060"].publish(JID(PUBSUB), "news", id="hamlet", payload=entry)
    event = await asyncio.wait_for(bob.events.get(), TIMEOUT)
    item = event["pubsub_event"]["items"]["item"]
    check("the subscriber receives the published item", item["id"] == "hamlet" and item["payload"].find("{http://www.w3.org/2005/Atom}title").text == "To be, or not to be")

    # XEP-0490 MDS with slixmpp's plugin: the phone flags the chat with bob as displayed (a
    # private PEP publication with publish-options), the laptop is told, catch-up finds it, and
    # bob, a contact of alice's, can read none of it.
    for client in (alice, alice2, bob):
        client.register_plugin("xep_0490")
    # Bob subscribes to alice's presence (slixmpp approves by default): he is a contact who
    # gets her PEP notifications of presence nodes.
    bob.send_presence(pto=f"alice@{DOMAIN}", ptype="subscribe")
    for _ in range(50):
        if alice.client_roster[f"bob@{DOMAIN}"]["from"]:
            break
        await asyncio.sleep(0.1)
    check("MDS: bob is subscribed to alice's presence", alice.client_roster[f"bob@{DOMAIN}"]["from"])
    displayed = asyncio.Queue()
    alice2.add_event_handler("message_displayed_synchronization_publish", lambda m: displayed.put_nowait(m))
    bob_saw = asyncio.Queue()
    bob.add_event_handler("message_displayed_synchronization_publish", lambda m: bob_saw.put_nowait(m))
    await alice["xep_0490"].flag_chat(f"bob@{DOMAIN}", "mds-stanza-1")
    event = await asyncio.wait_for(displayed.get(), TIMEOUT)
    item = event["pubsub_event"]["items"]["item"]
    check("MDS: the other device is told what was displayed", item["id"] == f"bob@{DOMAIN}" and item["displayed"]["stanza_id"]["id"] == "mds-stanza-1", str(event))
    # The second publication carries the same publish-options as the one that created the node.
    await alice["xep_0490"].flag_chat(f"bob@{DOMAIN}", "mds-stanza-2")
    event = await asyncio.wait_for(displayed.get(), TIMEOUT)
    item = event["pubsub_event"]["items"]["item"]
    check("MDS: the position moves again", item["displayed"]["stanza_id"]["id"] == "mds-stanza-2", str(event))
    caught = await alice2["xep_0490"].catch_up()
    items = list(caught["pubsub"]["items"])
    check("MDS: catching up finds the position", [(i["id"], i["displayed"]["stanza_id"]["id"]) for i in items] == [(f"bob@{DOMAIN}", "mds-stanza-2")], str(caught))
    try:
        await bob["xep_0060"].get_items(JID(f"alice@{DOMAIN}"), "urn:xmpp:mds:displayed:0")
        closed = False
    except slixmpp.exceptions.IqError:
        closed = True
    await asyncio.sleep(0.5)
    check("MDS: the node is closed to contacts and they are not notified", closed and bob_saw.empty())

    # Read state (#19): the same position seen through urn:xmpp:unread. Bob writes three
    # messages; alice's phone flags the second as displayed with slixmpp's XEP-0490 plugin; the
    # laptop's counts drop to one; an urn:xmpp:unread ack of all reaches the phone as its MDS
    # position.
    async def unread_counts(client):
        iq = client.make_iq_get(ito=DOMAIN)
        iq.append(ET.fromstring("<query xmlns='urn:xmpp:unread'/>"))
        answer = await iq.send(timeout=TIMEOUT)
        query = answer.xml.find("{urn:xmpp:unread}query")
        return {c.get("jid"): int(c.get("amount")) for c in query.findall("{urn:xmpp:unread}unread-messages")}

    async def ack_all(client):
        ack = client.make_iq_set(ito=DOMAIN)
        ack.append(ET.fromstring(f"<ack xmlns='urn:xmpp:unread' id='all' jid='bob@{DOMAIN}'/>"))
        await ack.send(timeout=TIMEOUT)

    # What the earlier scenarios left unread is read first.
    await ack_all(alice)
    await asyncio.wait_for(displayed.get(), TIMEOUT)
    while not alice.messages.empty():
        alice.messages.get_nowait()
    for n in range(3):
        bob.send_message(mto=f"alice@{DOMAIN}/phone", mbody=f"unread {n}", mtype="chat")
    ids = []
    for _ in range(3):
        message = await asyncio.wait_for(alice.messages.get(), TIMEOUT)
        ids.append(message["stanza_id"]["id"])
    counts = await unread_counts(alice2)
    check("unread: the laptop counts bob's three messages", counts.get(f"bob@{DOMAIN}") == 3, str(counts))
    await alice["xep_0490"].flag_chat(f"bob@{DOMAIN}", ids[1])
    event = await asyncio.wait_for(displayed.get(), TIMEOUT)
    counts = await unread_counts(alice2)
    check("unread: an MDS publication from slixmpp moves the count", counts.get(f"bob@{DOMAIN}") == 1, str(counts))
    # The same count in the inbox (XEP-0430), with bob's last message.
    inbox = alice2.make_iq_get(ito=f"alice@{DOMAIN}")
    inbox.append(ET.fromstring("<inbox xmlns='urn:xmpp:inbox:1'/>"))
    entries = []
    alice2.register_handler(Callback(
        "inbox entries",
        MatchXPath("{jabber:client}message/{urn:xmpp:inbox:1}entry"),
        lambda m: entries.append(m.xml.find("{urn:xmpp:inbox:1}entry")),
    ))
    await inbox.send(timeout=TIMEOUT)
    await asyncio.sleep(0.2)
    bob_entry = [e for e in entries if e.get("jid") == f"bob@{DOMAIN}"]
    check("unread: the inbox shows the same count and bob's last message", len(bob_entry) == 1 and bob_entry[0].get("unread") == "1" and bob_entry[0].get("id") == ids[2], str([ET.tostring(e) for e in entries]))
    phone_saw = asyncio.Queue()
    alice.add_event_handler("message_displayed_synchronization_publish", lambda m: phone_saw.put_nowait(m))
    await ack_all(alice2)
    event = await asyncio.wait_for(phone_saw.get(), TIMEOUT)
    item = event["pubsub_event"]["items"]["item"]
    counts = await unread_counts(alice)
    check("unread: an ack of all reaches the phone as its MDS position", item["displayed"]["stanza_id"]["id"] == ids[2] and counts == {}, f"{event} {counts}")

    # Stream management: the socket dies, a message arrives meanwhile, the stream resumes.
    dave = Client(f"dave@{DOMAIN}/pda", "davepass")
    dave.register_plugin("xep_0198")
    enabled = asyncio.Event()
    resumed = asyncio.Event()
    gone = asyncio.Event()
    dave.add_event_handler("sm_enabled", lambda _: enabled.set())
    dave.add_event_handler("session_resumed", lambda _: resumed.set())
    dave.add_event_handler("disconnected", lambda _: gone.set())
    dave.connect("127.0.0.1", PORT)
    await asyncio.wait_for(dave.online.wait(), TIMEOUT)
    await asyncio.wait_for(enabled.wait(), TIMEOUT)
    check("stream management is enabled with resumption", bool(dave["xep_0198"].sm_id))
    dave.transport.abort()
    await asyncio.wait_for(gone.wait(), TIMEOUT)
    await asyncio.sleep(0.5)
    bob.send_message(mto=f"dave@{DOMAIN}/pda", mbody="sent while the socket was dead", mtype="chat")
    await asyncio.sleep(0.5)
    dave.connect("127.0.0.1", PORT)
    await asyncio.wait_for(resumed.wait(), TIMEOUT)
    got = await asyncio.wait_for(dave.messages.get(), TIMEOUT)
    check("the stream resumes and the message arrives", got["body"] == "sent while the socket was dead")
    await asyncio.sleep(1)
    check("the message arrives once", dave.messages.empty())

    for client in (alice, alice2, bob, carol, dave):
        client.disconnect()
    await asyncio.sleep(0.5)
    print("slixmpp scenarios: all passed")


asyncio.run(main())
