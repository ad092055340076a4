// Publishes through the official QStash SDK's Client to the QStash at baseUrl.
// argv[2]: JSON {baseUrl, token, url, body, retries, deduplicationId, headers}
// stdout: JSON {first, second, batch} with the SDK's answers
import { Client } from "@upstash/qstash";

const input = JSON.parse(process.argv[2]);
const client = new Client({ token: input.token, baseUrl: input.baseUrl });

const request = {
  url: input.url,
  body: input.body,
  retries: input.retries,
  deduplicationId: input.deduplicationId,
  headers: input.headers,
};
const first = await client.publishJSON(request);
const second = await client.publishJSON(request);
const batch = await client.batchJSON([
  { url: input.url + "?batch=1", body: { n: 1 } },
  { url: input.url + "?batch=2", body: { n: 2 }, delay: 1 },
]);
process.stdout.write(JSON.stringify({ first, second, batch }));
