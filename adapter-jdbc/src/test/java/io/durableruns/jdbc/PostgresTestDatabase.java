package io.durableruns.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A PostgreSQL database for one test class: from {@code RUNS_TEST_POSTGRES_URL} (such as
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), else a Testcontainers PostgreSQL when Docker is
 * available. With {@code CI=true} and neither, the tests fail (they must never be skipped silently in CI);
 * elsewhere they are skipped with a message saying how to run them.
 *
 * <p>Each test class gets its own schema, dropped afterwards. Stores opened here force a session time zone
 * ({@link #SESSION_TIME_ZONE}) that differs from both UTC and the JVM's.
 */
final class PostgresTestDatabase implements BeforeAllCallback, AfterAllCallback {
    static final String SESSION_TIME_ZONE = "Asia/Kathmandu";
    private static final String URL_VARIABLE = "RUNS_TEST_POSTGRES_URL";
    private static PostgreSQLContainer container;

    private String url;
    private String schema;
    private final List<JdbcRunStore> stores = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        url = resolveUrl();
        String name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        schema = "t_" + name.substring(0, Math.min(24, name.length())) + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (JdbcRunStore store : stores) {
            store.close();
        }
        stores.clear();
        if (url != null) {
            dropSchemasLike(schema);
        }
    }

    /** The JDBC URL of the test database. */
    String url() {
        return url;
    }

    /** This class's schema. */
    String schema() {
        return schema;
    }

    /** A store on this class's schema, closed after the class. */
    JdbcRunStore openStore() {
        return openStore(b -> b);
    }

    /** A store with options of the test's choosing on top of the schema and session time zone. */
    JdbcRunStore openStore(UnaryOperator<JdbcOptions.Builder> options) {
        JdbcOptions built = options.apply(JdbcOptions.newBuilder()
                        .schema(schema)
                        .connectionInitSql("SET TIME ZONE '" + SESSION_TIME_ZONE + "'"))
                .build();
        JdbcRunStore store = JdbcRunStore.fromUrl(url, built);
        stores.add(store);
        return store;
    }

    /** A plain connection (autocommit, session time zone forced), for checks behind the store's back. */
    Connection connect() throws SQLException {
        Connection connection = DriverManager.getConnection(url);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TIME ZONE '" + SESSION_TIME_ZONE + "'");
        }
        return connection;
    }

    /** Empties every table of this class's schema. */
    void truncate() throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE \"" + schema + "\".graph_versions, \"" + schema + "\".runs, \"" + schema
                    + "\".idempotency_keys, \"" + schema + "\".steps, \"" + schema + "\".artifacts, \"" + schema
                    + "\".tool_calls, \"" + schema + "\".timeline_events, \"" + schema + "\".dispatch_intents");
        }
    }

    /** Drops this class's schema and any other schema whose name starts with it (tests may make more). */
    private void dropSchemasLike(String prefix) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            List<String> names = new ArrayList<>();
            try (var rs =
                    statement.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname LIKE '" + prefix + "%'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String name : names) {
                statement.execute("DROP SCHEMA IF EXISTS \"" + name + "\" CASCADE");
            }
        }
    }

    private static synchronized String resolveUrl() {
        String fromEnv = System.getenv(URL_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        if (container == null && dockerAvailable()) {
            container = new PostgreSQLContainer("postgres:15-alpine");
            container.start();
        }
        if (container != null) {
            return container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?") + "user="
                    + container.getUsername() + "&password=" + container.getPassword();
        }
        String message = "No PostgreSQL for the tests: set " + URL_VARIABLE
                + " (for example jdbc:postgresql://127.0.0.1:5432/test?user=postgres) or start Docker for Testcontainers";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + ". CI must run the PostgreSQL tests, not skip them.");
        }
        Assumptions.abort(message);
        return null;
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
