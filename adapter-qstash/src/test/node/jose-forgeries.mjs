// Signs QStash-style JWTs with the independent `jose` library: one genuine token and the standard forgeries.
// argv[2]: JSON {key, otherKey, url, bodyBase64, now}
// stdout: JSON {tokens: {name: {signature, bodyBase64}}}
import { createHash, randomBytes } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";

const input = JSON.parse(process.argv[2]);
const body = Buffer.from(input.bodyBase64, "base64");
const now = input.now;

// QStash puts base64url(SHA-256(raw body)) with '=' padding in the body claim.
const bodyHash = (bytes) => createHash("sha256").update(bytes).digest("base64url") + "=";
const jti = () => "jwt_" + randomBytes(16).toString("hex");

function claims(overrides = {}) {
  return {
    iss: "Upstash",
    sub: input.url,
    exp: now + 300,
    nbf: now,
    iat: now,
    jti: jti(),
    body: bodyHash(body),
    aud: "",
    ...overrides,
  };
}

async function hmac(alg, key, payload) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg, typ: "JWT" })
    .sign(new TextEncoder().encode(key));
}

const changed = Buffer.from(body);
changed[changed.length - 1] ^= 1;

const tokens = {
  genuine: { signature: await hmac("HS256", input.key, claims()), bodyBase64: input.bodyBase64 },
  wrong_key: { signature: await hmac("HS256", input.otherKey, claims()), bodyBase64: input.bodyBase64 },
  alg_none: { signature: new UnsecuredJWT(claims()).encode(), bodyBase64: input.bodyBase64 },
  hs512: { signature: await hmac("HS512", input.key, claims()), bodyBase64: input.bodyBase64 },
  expired: {
    signature: await hmac("HS256", input.key, claims({ iat: now - 900, nbf: now - 900, exp: now - 600 })),
    bodyBase64: input.bodyBase64,
  },
  not_yet_valid: {
    signature: await hmac("HS256", input.key, claims({ iat: now + 600, nbf: now + 600, exp: now + 900 })),
    bodyBase64: input.bodyBase64,
  },
  wrong_iss: { signature: await hmac("HS256", input.key, claims({ iss: "NotUpstash" })), bodyBase64: input.bodyBase64 },
  wrong_sub: {
    signature: await hmac("HS256", input.key, claims({ sub: input.url + "-other" })),
    bodyBase64: input.bodyBase64,
  },
  body_changed: { signature: await hmac("HS256", input.key, claims()), bodyBase64: changed.toString("base64") },
  missing_header: { signature: null, bodyBase64: input.bodyBase64 },
};
process.stdout.write(JSON.stringify({ tokens }));
