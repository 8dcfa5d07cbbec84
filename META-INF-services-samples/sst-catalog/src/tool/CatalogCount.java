import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a catalog's DuckDB script (a {@code <region>.sql} of the sst-catalog hook) in an in-memory
 * DuckDB and prints the row count of the one view it defines. {@code bin/duckdb-count} runs it with
 * the JDK's source launcher:
 *
 * <pre>{@code java -cp duckdb_jdbc.jar CatalogCount.java regolith-demo/catalog/1024_0000000001.sql}</pre>
 *
 * Exit status 0 with the count on standard output; 1 with the reason on standard error if the
 * script cannot be read or run, or defines no view or several; 2 for wrong arguments.
 */
public final class CatalogCount {

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: duckdb-count <catalog.sql>");
            System.exit(2);
        }
        Path script = Path.of(args[0]);
        try {
            System.out.println(count(script, Files.readString(script)));
        }
        catch (NoSuchFileException e) {
            fail("no such file: " + script);
        }
        catch (IOException e) {
            fail("cannot read " + script + ": " + e);
        }
        catch (SQLException e) {
            fail(script + ": " + e.getMessage());
        }
    }

    private static long count(Path script, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
            List<String> views = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(
                    "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name")) {
                while (result.next()) {
                    views.add(result.getString(1));
                }
            }
            if (views.size() != 1) {
                throw new SQLException("expected the script to define one view, it defines " + views.size() + ": " + views);
            }
            try (ResultSet result = statement.executeQuery(
                    "SELECT count(*) FROM \"" + views.get(0).replace("\"", "\"\"") + "\"")) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static void fail(String message) {
        System.err.println("duckdb-count: " + message);
        System.exit(1);
    }
}
