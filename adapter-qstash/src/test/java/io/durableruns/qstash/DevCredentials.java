package io.durableruns.qstash;

/** Upstash's public development credentials, as the local dev server uses them. */
final class DevCredentials {
    static final String TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";
    static final String CURRENT_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
    static final String NEXT_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";

    private DevCredentials() {}
}
