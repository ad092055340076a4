// Verifies deliveries with the official QStash SDK's Receiver.
// argv[2]: JSON {currentSigningKey, nextSigningKey, cases: [{name, signature, bodyBase64, url}]}
// stdout: JSON {results: [{name, valid, error}]}
import { Receiver } from "@upstash/qstash";

const input = JSON.parse(process.argv[2]);
const receiver = new Receiver({
  currentSigningKey: input.currentSigningKey,
  nextSigningKey: input.nextSigningKey,
});

const results = [];
for (const c of input.cases) {
  const body = Buffer.from(c.bodyBase64, "base64").toString("utf8");
  try {
    const valid = await receiver.verify({ signature: c.signature, body, url: c.url });
    results.push({ name: c.name, valid: valid === true, error: null });
  } catch (error) {
    results.push({ name: c.name, valid: false, error: String(error && error.message ? error.message : error) });
  }
}
process.stdout.write(JSON.stringify({ results }));
