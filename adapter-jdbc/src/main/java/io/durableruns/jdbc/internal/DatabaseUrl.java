package io.durableruns.jdbc.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A database URL as users write it: {@code jdbc:postgresql://...}, {@code postgres://user:pass@host:port/db}
 * (or {@code postgresql://...}, as cloud providers hand them out), or {@code jdbc:sqlite:path}. Credentials are
 * kept apart from the JDBC URL, and {@link #toString()} never shows them.
 */
public record DatabaseUrl(Dialect dialect, String jdbcUrl, String username, String password, Path sqliteFile) {

    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the database URL is empty; use jdbc:postgresql://host:5432/db,"
                    + " postgres://user:password@host:5432/db or jdbc:sqlite:path/to/file.db");
        }
        String trimmed = url.strip();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(Dialect.POSTGRESQL, trimmed, null, null, null);
        }
        if (trimmed.startsWith("postgres://") || trimmed.startsWith("postgresql://")) {
            return fromPostgresUri(trimmed);
        }
        if (trimmed.startsWith("jdbc:sqlite:")) {
            String file = trimmed.substring("jdbc:sqlite:".length());
            int query = file.indexOf('?');
            if (query >= 0) {
                file = file.substring(0, query);
            }
            if (file.startsWith("file:")) {
                file = file.substring("file:".length());
            }
            if (file.isBlank() || file.contains(":memory:") || file.contains("mode=memory")) {
                throw new IllegalArgumentException("an SQLite run store needs a file (jdbc:sqlite:data/runs.db): an"
                        + " in-memory database would vanish with its connection; use the in-memory store of run-core"
                        + " instead");
            }
            return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null, Path.of(file));
        }
        throw new IllegalArgumentException(
                "unsupported database URL '" + redact(trimmed) + "'; use"
                        + " jdbc:postgresql://host:5432/db, postgres://user:password@host:5432/db or jdbc:sqlite:path/to/file.db");
    }

    private static DatabaseUrl fromPostgresUri(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed PostgreSQL URL '" + redact(url) + "': " + e.getReason(), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the PostgreSQL URL '" + redact(url) + "' names no host; expected"
                    + " postgres://user:password@host:5432/db");
        }
        String username = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String database = uri.getRawPath() == null || uri.getRawPath().length() <= 1
                ? "postgres"
                : uri.getRawPath().substring(1);
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        String jdbcUrl = "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + database + query;
        return new DatabaseUrl(Dialect.POSTGRESQL, jdbcUrl, username, password, null);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** The URL with user info and password parameters masked, for logs and messages. */
    public static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String toString() {
        return redact(jdbcUrl) + (username == null ? "" : " as " + username);
    }
}
