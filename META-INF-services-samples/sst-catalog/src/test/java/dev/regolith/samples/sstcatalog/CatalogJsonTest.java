package dev.regolith.samples.sstcatalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.RegionId;
import dev.regolith.samples.sstcatalog.RegionCatalog.CatalogFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CatalogJsonTest {

    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final Path SOURCE = Path.of("/catalog/1024_0000000001.json");

    private static RegionCatalog catalog(Optional<String> partitionExpr, CatalogFile... files) {
        TreeMap<FileId, CatalogFile> byId = new TreeMap<>();
        for (CatalogFile file : files) {
            byId.put(file.fileId(), file);
        }
        return new RegionCatalog(REGION, 7, 2, List.of(
                ColumnSchema.tag("the \"host\"\n", 1, DataType.STRING),
                ColumnSchema.field("usage", 4, DataType.FLOAT64),
                ColumnSchema.timeIndex("ts", 0, DataType.TIMESTAMP_NANOS)), partitionExpr, byId);
    }

    private static CatalogFile file(long n) {
        return new CatalogFile(new FileId(new UUID(0, n)), Path.of("/data/it's \\ \"here\"/" + n + ".parquet"), 1, 100, 5_000, 2,
                -5, 1_700_000_000_000L);
    }

    @Test
    void writesOneFieldPerLineAndOneColumnOrFilePerLine() {
        assertThat(CatalogJson.write(catalog(Optional.of("host < 'm'"), file(2), file(1)))).isEqualTo("""
                {
                  "format": 1,
                  "region": "1024_0000000001",
                  "manifestVersion": 7,
                  "schemaVersion": 2,
                  "partitionExpr": "host < 'm'",
                  "view": "region_1024_0000000001",
                  "columns": [
                    {"name": "the \\"host\\"\\n", "id": 1, "type": "STRING", "semanticType": "TAG", "nullable": true},
                    {"name": "usage", "id": 4, "type": "FLOAT64", "semanticType": "FIELD", "nullable": true},
                    {"name": "ts", "id": 0, "type": "TIMESTAMP_NANOS", "semanticType": "TIMESTAMP", "nullable": false}
                  ],
                  "files": [
                    {"fileId": "00000000-0000-0000-0000-000000000001", "path": "/data/it's \\\\ \\"here\\"/1.parquet", "level": 1, "rows": 100, "bytes": 5000, "rowGroups": 2, "minTimeMillis": -5, "maxTimeMillis": 1700000000000},
                    {"fileId": "00000000-0000-0000-0000-000000000002", "path": "/data/it's \\\\ \\"here\\"/2.parquet", "level": 1, "rows": 100, "bytes": 5000, "rowGroups": 2, "minTimeMillis": -5, "maxTimeMillis": 1700000000000}
                  ]
                }
                """);
    }

    @Test
    void readsBackWhatItWrote() {
        for (RegionCatalog catalog : List.of(catalog(Optional.empty()), catalog(Optional.of("a\u00e9\u0001"), file(1)),
                catalog(Optional.empty(), file(3), file(1), file(2)))) {
            assertThat(CatalogJson.read(CatalogJson.write(catalog), SOURCE)).isEqualTo(catalog);
        }
        assertThat(CatalogJson.write(catalog(Optional.empty()))).contains("\"partitionExpr\": null,").contains("\"files\": []\n");
    }

    @Test
    void readsAReformattedCatalog() {
        String compact = CatalogJson.write(catalog(Optional.of("x"), file(1))).replace("\n", "").replace(": ", ":").replace(", ", ",")
                .replace("\"region\"", "\"comment\":[true,false,null,{},-1,\"\\u0041\\/\"],\"region\"");

        assertThat(CatalogJson.read(compact, SOURCE)).isEqualTo(catalog(Optional.of("x"), file(1)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"format\": 2}|format 2 is not 1",
        "[]|the document is not an object",
        "{\"format\": 1}|\"region\" is missing",
        "{\"format\": 1, \"region\": 5}|\"region\" is not a string",
        "{\"format\": 1.5}|only whole numbers are expected at offset 12",
        "{\"format\": 1, \"format\": 1}|key \"format\" appears twice at offset 14",
        "{\"format\": 1|expected '}' at offset 12",
        "{\"format\": 1} x|unexpected text after the document at offset 14",
        "{\"format\": \"1|unterminated string at offset 13",
        "{\"format\": tru}|unexpected text at offset 11",
        "|unexpected end of the document at offset 0",
    })
    void invalidCatalogsAreRejectedWithTheFileAndTheReason(String json, String reason) {
        assertThatThrownBy(() -> CatalogJson.read(json == null ? "" : json, SOURCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid SST catalog /catalog/1024_0000000001.json: " + reason);
    }

    @Test
    void invalidFieldsOfAColumnOrAFileAreRejected() {
        String valid = CatalogJson.write(catalog(Optional.empty(), file(1)));

        assertThatThrownBy(() -> CatalogJson.read(valid.replace("\"FLOAT64\"", "\"DECIMAL\""), SOURCE))
                .hasMessageStartingWith("Invalid SST catalog /catalog/1024_0000000001.json: No enum constant");
        assertThatThrownBy(() -> CatalogJson.read(valid.replace("\"level\": 1", "\"level\": 99999999999"), SOURCE))
                .hasMessage("Invalid SST catalog /catalog/1024_0000000001.json: integer overflow");
        assertThatThrownBy(() -> CatalogJson.read(valid.replace("\"nullable\": true", "\"nullable\": 1"), SOURCE))
                .hasMessage("Invalid SST catalog /catalog/1024_0000000001.json: \"nullable\" is not true or false");
        assertThatThrownBy(() -> CatalogJson.read(valid.replace("\"files\": [", "\"files\": [" + filesEntry(valid) + ","), SOURCE))
                .hasMessage("Invalid SST catalog /catalog/1024_0000000001.json: file 00000000-0000-0000-0000-000000000001 is listed "
                        + "twice");
        assertThatThrownBy(() -> CatalogJson.read(valid.replace("\"partitionExpr\": null", "\"partitionExpr\": 3"), SOURCE))
                .hasMessage("Invalid SST catalog /catalog/1024_0000000001.json: \"partitionExpr\" is not a string or null");
    }

    private static String filesEntry(String json) {
        int start = json.indexOf("{\"fileId\"");
        return json.substring(start, json.indexOf('}', start) + 1);
    }

    @Test
    void catalogsOfTheSameStateAreEqual() {
        assertThat(catalog(Optional.empty(), file(1), file(2))).isEqualTo(catalog(Optional.empty(), file(2), file(1)));
        assertThat(catalog(Optional.empty(), file(1))).isNotEqualTo(catalog(Optional.empty(), file(1), file(2)));
    }
}
