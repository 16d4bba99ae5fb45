// xmpp.js (npm @xmpp/client 0.14) against the example server: one login, logged element by
// element. Usage: node login.mjs PORT USER PASSWORD TOKEN_FILE [SEND_TO TEXT]
// The FAST token is kept in TOKEN_FILE between runs (fast.saveToken / fetchToken), and the
// user-agent id is fixed, as a client installation keeps it. It prints every element it sends
// and receives (`> ` and `< `), then `online as JID`, then, with SEND_TO, sends TEXT there and
// prints `received FROM: BODY` for each chat message until it has one, or after 3 s.
import { client, xml } from "@xmpp/client";
import fs from "node:fs";

const [port, username, password, tokenFile, sendTo, text] = process.argv.slice(2);

const xmpp = client({
  service: `xmpp://127.0.0.1:${port}`,
  domain: "localhost",
  username,
  password,
  resource: "xmppjs",
  userAgent: xml("user-agent", { id: "4a1b6c5e-0f4f-4d6b-9c4e-xmppkit-interop" }, [
    xml("software", {}, "xmpp.js"),
  ]),
});

xmpp.fast.saveToken = async (token) => {
  fs.writeFileSync(tokenFile, JSON.stringify(token));
  console.log(`saved a FAST token for ${token.mechanism}`);
};
xmpp.fast.fetchToken = async () => {
  try {
    return JSON.parse(fs.readFileSync(tokenFile, "utf8"));
  } catch {
    return null;
  }
};
xmpp.fast.deleteToken = async () => {
  fs.rmSync(tokenFile, { force: true });
  console.log("deleted the FAST token");
};

xmpp.on("send", (el) => console.log(`> ${el.toString()}`));
xmpp.on("element", (el) => console.log(`< ${el.toString()}`));
xmpp.on("error", (err) => console.log(`error: ${err.condition ?? err.message}`));

let done;
const finished = new Promise((resolve) => (done = resolve));
xmpp.on("stanza", (stanza) => {
  if (stanza.is("message") && stanza.getChildText("body")) {
    console.log(`received ${stanza.attrs.from}: ${stanza.getChildText("body")}`);
    done();
  }
});

xmpp.on("online", async (jid) => {
  console.log(`online as ${jid.toString()}`);
  await xmpp.send(xml("presence"));
  if (sendTo) {
    await xmpp.send(xml("message", { to: sendTo, type: "chat" }, xml("body", {}, text)));
    console.log(`sent to ${sendTo}`);
  }
});

const timer = setTimeout(done, 3000);
try {
  await xmpp.start();
} catch (err) {
  console.log(`start failed: ${err.condition ?? err.message}`);
  process.exit(1);
}
await finished;
clearTimeout(timer);
await xmpp.stop();
process.exit(0);
