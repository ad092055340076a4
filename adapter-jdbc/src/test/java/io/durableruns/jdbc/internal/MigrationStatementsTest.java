package io.durableruns.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MigrationStatementsTest {

    @Test
    void statements_split_at_semicolons_but_not_inside_a_function_body_and_comment_lines_are_dropped() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE t (id integer);
                CREATE FUNCTION f() RETURNS integer LANGUAGE plpgsql AS $$
                BEGIN
                    -- inside; too
                    PERFORM 1;
                    RETURN 2;
                END
                $$;
                DROP INDEX i;
                """;

        assertThat(Migrator.statements(script))
                .containsExactly(
                        "CREATE TABLE t (id integer)",
                        "CREATE FUNCTION f() RETURNS integer LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1;\n"
                                + "    RETURN 2;\nEND\n$$",
                        "DROP INDEX i");
    }

    @Test
    void a_migration_of_comments_only_has_no_statements() {
        assertThat(Migrator.statements("-- nothing to change here;\n-- nor here\n"))
                .isEmpty();
    }
}
