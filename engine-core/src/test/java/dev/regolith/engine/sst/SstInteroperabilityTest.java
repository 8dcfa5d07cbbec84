package dev.regolith.engine.sst;

import static dev.regolith.engine.sst.SstTesting.allTypes;
import static dev.regolith.engine.sst.SstTesting.expectedStatistics;
import static dev.regolith.engine.sst.SstTesting.randomRows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.manifest.RegionMetadataCodec;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.hooks.spi.ColumnStatistics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.VersionParser;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type.Repetition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reads our SSTs with parquet-hadoop, the reference Java implementation: the files must be plain
 * Parquet that any reader understands, with nothing it discards.
 */
class SstInteroperabilityTest {

    private static final int ROWS = 1200;
    private static final int ROW_GROUP_ROWS = 500;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SstWriteOptions.Codec.class)
    void parquetHadoopReadsTheSameRows(SstWriteOptions.Codec codec) throws IOException {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(17), metadata, ROWS);
        Path file = write(metadata, rows, codec);

        // Column API over a local InputFile, with page checksums verified.
        List<InternalRow> read = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder().usePageChecksumVerification(true).build())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            org.apache.parquet.column.page.PageReadStore rowGroup;
            while ((rowGroup = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(rowGroup, new GroupRecordConverter(schema));
                for (long i = 0; i < rowGroup.getRowCount(); i++) {
                    read.add(toRow(metadata, records.read()));
                }
            }
        }
        assertThat(read).containsExactlyElementsOf(rows);

        // The record API over Hadoop's local file system.
        List<InternalRow> readWithHadoop = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
                .build()) {
            for (Group group = reader.read(); group != null; group = reader.read()) {
                readWithHadoop.add(toRow(metadata, group));
            }
        }
        assertThat(readWithHadoop).containsExactlyElementsOf(rows);
    }

    @ParameterizedTest
    @EnumSource(SstWriteOptions.Codec.class)
    @SuppressWarnings("deprecation") // v1 pages announce dictionaries as PLAIN_DICTIONARY
    void parquetHadoopSeesOurFooter(SstWriteOptions.Codec codec) throws Exception {
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(23), metadata, ROWS);
        Path file = write(metadata, rows, codec);

        ParquetMetadata footer;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            footer = reader.getFooter();
        }
        FileMetaData fileMetaData = footer.getFileMetaData();

        // created_by parses, so nothing is discarded as possibly corrupt (PARQUET-251).
        assertThat(fileMetaData.getCreatedBy()).isEqualTo("regolith version 0.1.0 (build sst-format-1)");
        VersionParser.ParsedVersion version = VersionParser.parse(fileMetaData.getCreatedBy());
        assertThat(version.application).isEqualTo("regolith");
        assertThat(version.version).isEqualTo("0.1.0");

        assertThat(fileMetaData.getKeyValueMetaData()).containsEntry("regolith.format_version", "1");
        assertThat(RegionMetadataCodec.fromBytes(Base64.getDecoder().decode(fileMetaData.getKeyValueMetaData().get("regolith.region_metadata"))))
                .isEqualTo(metadata);

        MessageType schema = fileMetaData.getSchema();
        assertThat(schema.getFieldCount()).isEqualTo(metadata.columns().size() + 2);
        assertThat(schema.getType("ts").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.MILLIS));
        assertThat(schema.getType("ts").getRepetition()).isEqualTo(Repetition.REQUIRED);
        assertThat(schema.getType("f_ts_us").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS));
        assertThat(schema.getType("f_ts_ns").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.NANOS));
        assertThat(schema.getType("host").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.stringType());
        assertThat(schema.getType("host").getRepetition()).isEqualTo(Repetition.OPTIONAL);
        assertThat(schema.getType("dc").getRepetition()).isEqualTo(Repetition.REQUIRED);
        assertThat(schema.getType("f_str").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.stringType());
        assertThat(schema.getType("f_bin").getLogicalTypeAnnotation()).isNull();
        assertThat(schema.getType("f_required").getRepetition()).isEqualTo(Repetition.OPTIONAL);
        assertThat(schema.getType("__sequence").asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT64);
        assertThat(schema.getType("__op_type").asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT32);
        for (ColumnSchema column : metadata.columns()) {
            assertThat(schema.getType(column.name()).getId().intValue()).isEqualTo(column.columnId());
        }

        List<BlockMetaData> blocks = footer.getBlocks();
        assertThat(blocks).extracting(BlockMetaData::getRowCount).containsExactly(500L, 500L, 200L);
        for (int group = 0; group < blocks.size(); group++) {
            List<InternalRow> groupRows = rows.subList(group * ROW_GROUP_ROWS, Math.min(ROWS, (group + 1) * ROW_GROUP_ROWS));
            List<ColumnChunkMetaData> chunks = blocks.get(group).getColumns();
            for (int column = 0; column < metadata.columns().size(); column++) {
                ColumnSchema columnSchema = metadata.columns().get(column);
                ColumnChunkMetaData chunk = chunks.get(column);
                assertThat(chunk.getPath().toArray()).containsExactly(columnSchema.name());
                assertThat(chunk.getCodec()).isEqualTo(CompressionCodecName.valueOf(codec.name()));
                assertThat(chunk.getValueCount()).isEqualTo(groupRows.size());

                ColumnStatistics expected = expectedStatistics(metadata, groupRows, column);
                Statistics<?> statistics = chunk.getStatistics();
                assertThat(statistics.isNumNullsSet()).isTrue();
                assertThat(statistics.getNumNulls()).as(columnSchema.name()).isEqualTo(expected.nullCount());
                assertThat(statistics.hasNonNullValue()).as(columnSchema.name()).isEqualTo(expected.min().isPresent());
                if (statistics.hasNonNullValue()) {
                    assertThat(engineValue(columnSchema, statistics.genericGetMin())).as(columnSchema.name()).isEqualTo(expected.min().get());
                    assertThat(engineValue(columnSchema, statistics.genericGetMax())).as(columnSchema.name()).isEqualTo(expected.max().get());
                }

                if (columnSchema.semanticType() == SemanticType.TAG) {
                    assertThat(chunk.hasDictionaryPage()).as(columnSchema.name()).isTrue();
                    assertThat(chunk.getEncodings()).contains(Encoding.PLAIN_DICTIONARY);
                    assertThat(chunk.getEncodingStats().hasDictionaryEncodedPages()).isTrue();
                    assertThat(chunk.getEncodingStats().hasNonDictionaryEncodedPages()).isFalse();
                }
                else {
                    assertThat(chunk.hasDictionaryPage()).as(columnSchema.name()).isFalse();
                    assertThat(chunk.getEncodings()).doesNotContain(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
                }
            }
        }
    }

    @Test
    void binaryStatisticsAreKeptWithTypeDefinedOrder() throws IOException {
        // BINARY and STRING bounds are the ones readers drop when they doubt them. parquet-hadoop
        // keeps min_value/max_value whatever created_by says and treats missing column orders
        // as type-defined, so SstWriterTest checks the raw footer fields other readers rely on.
        RegionMetadata metadata = allTypes();
        List<InternalRow> rows = randomRows(new Random(29), metadata, 50);
        Path file = write(metadata, rows, SstWriteOptions.Codec.ZSTD);

        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            List<ColumnChunkMetaData> chunks = reader.getFooter().getBlocks().get(0).getColumns();
            for (int column : new int[] {0, 8, 9}) {
                ColumnStatistics expected = expectedStatistics(metadata, rows, column);
                ColumnChunkMetaData chunk = chunks.get(column);
                assertThat(chunk.getStatistics().hasNonNullValue()).isTrue();
                assertThat(engineValue(metadata.columns().get(column), chunk.getStatistics().genericGetMin())).isEqualTo(expected.min().get());
                assertThat(engineValue(metadata.columns().get(column), chunk.getStatistics().genericGetMax())).isEqualTo(expected.max().get());
                assertThat(chunk.getPrimitiveType().columnOrder().getColumnOrderName())
                        .isEqualTo(org.apache.parquet.schema.ColumnOrder.ColumnOrderName.TYPE_DEFINED_ORDER);
            }
        }
    }

    private Path write(RegionMetadata metadata, List<InternalRow> rows, SstWriteOptions.Codec codec) {
        Path file = dir.resolve(FileId.random() + ".parquet");
        try (SstWriter writer = new SstWriter(new LocalFileIO(), file, metadata,
                SstWriteOptions.DEFAULT.withCodec(codec).withRowGroupRows(ROW_GROUP_ROWS))) {
            rows.forEach(writer::write);
            writer.finish(FileId.random(), 0);
        }
        return file;
    }

    /** A row as parquet-hadoop's example object model sees it, in the engine's value types. */
    private static InternalRow toRow(RegionMetadata metadata, Group group) {
        List<ColumnSchema> columns = metadata.columns();
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            if (group.getFieldRepetitionCount(i) == 0) {
                continue;
            }
            values[i] = switch (columns.get(i).dataType()) {
                case BOOLEAN -> group.getBoolean(i, 0);
                case INT32 -> group.getInteger(i, 0);
                case INT64, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS -> group.getLong(i, 0);
                case FLOAT32 -> group.getFloat(i, 0);
                case FLOAT64 -> group.getDouble(i, 0);
                case STRING -> group.getString(i, 0);
                case BINARY -> group.getBinary(i, 0).getBytes();
            };
        }
        long sequence = group.getLong("__sequence", 0);
        OpType op = OpType.ofCode(group.getInteger("__op_type", 0));
        return new InternalRow(values, sequence, op);
    }

    /** A Parquet statistics bound as {@link SstTesting#expectedStatistics} states it. */
    private static Object engineValue(ColumnSchema column, Object bound) {
        if (bound instanceof Binary binary) {
            return switch (column.dataType()) {
                case STRING -> binary.toStringUsingUTF8();
                default -> ByteBuffer.wrap(binary.getBytes()).asReadOnlyBuffer();
            };
        }
        return bound;
    }
}
