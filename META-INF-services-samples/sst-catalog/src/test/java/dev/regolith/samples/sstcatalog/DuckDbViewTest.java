package dev.regolith.samples.sstcatalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import dev.regolith.samples.sstcatalog.RegionCatalog.CatalogFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbViewTest {

    private static final RegionId REGION = RegionId.of(1024, 1);

    @TempDir
    Path dir;

    @Test
    void viewIsNamedAfterTheRegion() {
        assertThat(DuckDbView.viewName(REGION)).isEqualTo("region_1024_0000000001");
    }

    @Test
    void identifiersAndLiteralsDoubleTheirQuotes() {
        assertThat(DuckDbView.identifier("a \"b\" 'c'")).isEqualTo("\"a \"\"b\"\" 'c'\"");
        assertThat(DuckDbView.literal("/x/it's \"y\"")).isEqualTo("'/x/it''s \"y\"'");
    }

    @Test
    void regionWithoutFilesGetsAnEmptyViewWithItsColumns() throws IOException {
        RegionCatalog catalog = new RegionCatalog(REGION, 1, 0, List.of(
                ColumnSchema.tag("host", 1, DataType.STRING),
                ColumnSchema.field("up", 2, DataType.BOOLEAN),
                ColumnSchema.timeIndex("ts", 3, DataType.TIMESTAMP_MILLIS)), Optional.empty(), new TreeMap<>());
        Path script = Files.writeString(dir.resolve("empty.sql"), DuckDbView.script(catalog));

        assertThat(Files.readString(script)).isEqualTo("""
                -- Regolith SST catalog of region 1024_0000000001: manifest version 1, schema version 0, 0 live SST files.
                -- Written by the sst-catalog hook and replaced whenever the region's manifest changes.
                -- The view returns the region's live rows: for each primary key and time index the row with the
                -- highest __sequence, left out if it is a delete. Rows not yet flushed are not in SST files.
                CREATE OR REPLACE VIEW "region_1024_0000000001" AS
                SELECT CAST(NULL AS VARCHAR) AS "host",
                       CAST(NULL AS BOOLEAN) AS "up",
                       CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS "ts"
                WHERE false;
                """);
        assertThat(DuckDb.count(script, "region_1024_0000000001")).isZero();
        assertThat(DuckDb.describe(script, "region_1024_0000000001"))
                .containsExactly("host VARCHAR", "up BOOLEAN", "ts TIMESTAMP WITH TIME ZONE");
    }

    @Test
    void viewOverFilesKeepsTheNewestVersionOfEachRowKeyUnlessItIsADelete() {
        TreeMap<FileId, CatalogFile> files = new TreeMap<>();
        for (int n = 1; n <= 2; n++) {
            FileId id = new FileId(new UUID(0, n));
            files.put(id, new CatalogFile(id, Path.of("/data/it's/" + n + ".parquet"), 0, 10, 100, 1, 0, 0));
        }
        RegionCatalog catalog = new RegionCatalog(REGION, 4, 1, List.of(
                ColumnSchema.tag("dc", 1, DataType.STRING),
                ColumnSchema.field("v", 2, DataType.INT32),
                ColumnSchema.tag("host", 3, DataType.STRING),
                ColumnSchema.timeIndex("ts", 4, DataType.TIMESTAMP_MICROS)), Optional.of("dc = 'a'"), files);

        assertThat(DuckDbView.script(catalog)).isEqualTo("""
                -- Regolith SST catalog of region 1024_0000000001: manifest version 4, schema version 1, 2 live SST files.
                -- Written by the sst-catalog hook and replaced whenever the region's manifest changes.
                -- The view returns the region's live rows: for each primary key and time index the row with the
                -- highest __sequence, left out if it is a delete. Rows not yet flushed are not in SST files.
                CREATE OR REPLACE VIEW "region_1024_0000000001" AS
                SELECT "dc", "v", "host", "ts"
                FROM (
                    SELECT *
                    FROM (
                        -- Every column of the region, typed, even one that no file has yet.
                        SELECT CAST(NULL AS VARCHAR) AS "dc",
                               CAST(NULL AS INTEGER) AS "v",
                               CAST(NULL AS VARCHAR) AS "host",
                               CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS "ts",
                               CAST(NULL AS BIGINT) AS "__sequence",
                               CAST(NULL AS INTEGER) AS "__op_type"
                        WHERE false
                        UNION ALL BY NAME
                        SELECT * FROM read_parquet([
                            '/data/it''s/1.parquet',
                            '/data/it''s/2.parquet'
                        ], union_by_name = true)
                    )
                    QUALIFY row_number() OVER (PARTITION BY "dc", "host", "ts" ORDER BY "__sequence" DESC) = 1
                )
                WHERE "__op_type" <> 0;
                """);
    }

    @Test
    void everyDataTypeHasADuckDbType() {
        for (DataType type : DataType.values()) {
            assertThat(DuckDbView.type(type)).as("%s", type).isNotBlank();
        }
        assertThat(DuckDbView.type(DataType.TIMESTAMP_NANOS)).isEqualTo("TIMESTAMP_NS");
    }
}
