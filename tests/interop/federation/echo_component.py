"""An external component (XEP-0114) written with slixmpp's ComponentXMPP: it logs in to the
example server with the shared secret and answers every chat message with "echo: <body>".
Usage: echo_component.py DOMAIN SECRET PORT SECONDS"""
import asyncio
import sys

from slixmpp.componentxmpp import ComponentXMPP


class Echo(ComponentXMPP):
    def __init__(self, domain, secret, port):
        super().__init__(domain, secret, "127.0.0.1", port)
        self.add_event_handler("session_start", lambda _: print("component online", flush=True))
        self.add_event_handler("message", self.echo)

    def echo(self, msg):
        if msg["type"] in ("chat", "normal") and msg["body"]:
            print(f"component got {msg['body']} from {msg['from']}", flush=True)
            msg.reply(f"echo: {msg['body']}").send()


async def main():
    domain, secret, port, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    echo = Echo(domain, secret, port)
    echo.connect()
    await asyncio.sleep(seconds)
    echo.disconnect()
    await asyncio.sleep(0.5)


asyncio.run(main())
