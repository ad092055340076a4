package io.durableruns.jdbc.internal;

/** The SQL dialects the store speaks. */
public enum Dialect {
    POSTGRESQL("PostgreSQL", "postgresql", "jsonb"),
    SQLITE("SQLite", "sqlite", "text");

    private final String displayName;
    private final String resourceFolder;
    private final String jsonType;

    Dialect(String displayName, String resourceFolder, String jsonType) {
        this.displayName = displayName;
        this.resourceFolder = resourceFolder;
        this.jsonType = jsonType;
    }

    public String displayName() {
        return displayName;
    }

    /** The classpath folder of this dialect's migrations, such as {@code db/postgresql}. */
    public String migrationFolder() {
        return "db/" + resourceFolder;
    }

    /** The column type that holds JSON. */
    public String jsonType() {
        return jsonType;
    }
}
