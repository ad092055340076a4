package io.durableruns.examples.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL of the end-to-end tests: {@code RUNS_TEST_POSTGRES_URL} (CI sets it). With {@code CI=true}
 * and no URL the tests fail; elsewhere they are skipped with a message.
 */
public final class TestPostgres {
    private TestPostgres() {}

    static Optional<String> url() {
        String url = System.getenv("RUNS_TEST_POSTGRES_URL");
        return url == null || url.isBlank() ? Optional.empty() : Optional.of(url);
    }

    public static String requireUrl() {
        Optional<String> url = url();
        if (url.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but RUNS_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI");
            }
            Assumptions.abort("PostgreSQL tests skipped: set RUNS_TEST_POSTGRES_URL, e.g."
                    + " jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        }
        return url.get();
    }

    /** Creates a fresh schema and returns a URL whose connections use it. */
    public static String freshSchemaUrl(String prefix) throws SQLException {
        String base = requireUrl();
        String schema =
                prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(base);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static void dropSchemaOf(String url) throws SQLException {
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = DriverManager.getConnection(requireUrl());
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
