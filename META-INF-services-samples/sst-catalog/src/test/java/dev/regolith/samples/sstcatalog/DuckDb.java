package dev.regolith.samples.sstcatalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Runs a catalog's DuckDB script in a fresh in-memory DuckDB, then a query against its view. */
final class DuckDb {

    private DuckDb() {
    }

    /** {@code SELECT count(*)} from {@code view} once {@code script} ran. */
    static long count(Path script, String view) {
        return (Long) query(script, "SELECT count(*) FROM " + DuckDbView.identifier(view)).get(0).get(0);
    }

    /** The rows {@code query} returns once {@code script} ran, each as its column values. */
    static List<List<Object>> query(Path script, String query) {
        String sql;
        try {
            sql = Files.readString(script);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(query)) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    List<Object> row = new ArrayList<>(columns);
                    for (int i = 1; i <= columns; i++) {
                        row.add(result.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
        catch (SQLException e) {
            throw new AssertionError("DuckDB failed on " + script + " then " + query + ": " + e.getMessage(), e);
        }
    }

    /** The view's columns as {@code name type}, in order. */
    static List<String> describe(Path script, String view) {
        return query(script, "DESCRIBE " + DuckDbView.identifier(view)).stream()
                .map(row -> row.get(0) + " " + row.get(1))
                .toList();
    }
}
