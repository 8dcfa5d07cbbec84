package dev.regolith.benchmarks;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.FileId;
import dev.regolith.engine.api.OpType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import dev.regolith.engine.api.WriteBatch;
import dev.regolith.engine.cli.CpuDataset;
import dev.regolith.engine.io.LocalFileIO;
import dev.regolith.engine.row.InternalRow;
import dev.regolith.engine.row.RowOrder;
import dev.regolith.engine.sst.SstWriteOptions;
import dev.regolith.engine.sst.SstWriter;
import dev.regolith.hooks.spi.WrittenSstFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Flush throughput of our Parquet writer against parquet-hadoop's, on the same rows with the same
 * file layout: {@value #ROWS} TSBS cpu rows ({@value #HOSTS} hosts, sorted in {@link RowOrder},
 * as a flush hands them over) written to one file per operation. The score is rows per second
 * ({@link OperationsPerInvocation} = rows per file); the secondary score {@code fileBytes} is file
 * bytes written per second, so MB/s = fileBytes / 10^6.
 *
 * <ul>
 *   <li>{@code regolithSstWriter}: {@link SstWriter} from construction to {@link SstWriter#finish},
 *       which fsyncs the file and its directory.</li>
 *   <li>{@code parquetHadoopWriter}: parquet-hadoop's {@link ParquetWriter} on a
 *       {@link LocalOutputFile} (no Hadoop file system, so no {@code .crc} side files), fed the same
 *       {@link InternalRow} objects through a minimal {@link WriteSupport}; after {@code close()}
 *       the file is fsynced with {@link FileChannel#force(boolean) force(false)} (the call our
 *       {@code LocalFileIO} makes) and its directory with {@link LocalFileIO#syncDirectory}, so
 *       both sides pay for the same durability.</li>
 * </ul>
 *
 * <p><b>Same file.</b> Both write Parquet v1 data pages, ZSTD at level 3 (aircompressor's default
 * for ours; {@code parquet.compression.codec.zstd.level} for theirs), 1 MiB pages, 1 MiB
 * dictionary pages, row groups of 102,400 rows (theirs by {@code withRowGroupRowCountLimit}, its
 * byte limit raised out of the way), dictionary encoding on the tag columns only, page CRCs,
 * chunk statistics, no bloom filters and no size statistics. The schema parquet-hadoop writes is
 * read from the footer of a file our writer produced during setup, and so are the key-value
 * metadata, so the two cannot drift apart. The first file each method writes is read back with
 * parquet-hadoop and checked (rows, row groups, schema, codec, which columns use a dictionary);
 * a mismatch fails the run. Known differences left in place: parquet-hadoop also writes column
 * and offset indexes (its default; ours has none), and its ZSTD is zstd-jni (native code) where
 * ours is aircompressor (pure Java).
 *
 * <p><b>Inputs.</b> The rows are generated, converted and sorted once per trial and shared by both
 * methods: each converts strings to Parquet binaries as it writes, and neither builds objects of
 * its own per row beyond what its writer does. The Hadoop {@link Configuration} is built once, so
 * the XML parse of Hadoop's defaults is not measured. Output files are deleted after every
 * invocation (an operation takes on the order of a second, so per-invocation fixtures cost
 * nothing that matters). {@code ROWS} is a constant, not a {@code @Param}, because
 * {@link OperationsPerInvocation} must be a compile-time constant.
 *
 * <p>The trial teardown prints the file size and the uncompressed page bytes per file, from which
 * uncompressed MB/s follows. Run, for example:
 * {@code java -jar benchmarks/target/benchmarks.jar FlushBenchmark -f 1}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class FlushBenchmark {

    static final int ROWS = 200_000;
    static final int HOSTS = 4_000;
    private static final RegionId REGION = RegionId.of(1024, 1);
    private static final RegionMetadata METADATA = CpuDataset.metadata(REGION);
    private static final FileId FILE_ID = new FileId(new UUID(0x5265_676f_6c69_7468L, 1));
    /** ZSTD, 102,400-row groups, 1 MiB pages and dictionary pages. */
    private static final SstWriteOptions OPTIONS = SstWriteOptions.DEFAULT;
    private static final int ZSTD_LEVEL = 3;

    @State(Scope.Benchmark)
    public static class Input {
        InternalRow[] rows;
        final LocalFileIO io = new LocalFileIO();
        Path directory;
        Path regolithFile;
        Path hadoopFile;
        private MessageType schema;
        private Map<String, String> keyValueMetadata;
        private Configuration hadoopConfiguration;
        private FileSummary regolithSummary;
        private FileSummary hadoopSummary;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            if (OPTIONS.codec() != SstWriteOptions.Codec.ZSTD || OPTIONS.rowGroupRows() != 102_400
                    || OPTIONS.pageSizeBytes() != 1 << 20 || OPTIONS.dictionaryPageSizeBytes() != 1 << 20) {
                throw new IllegalStateException("SstWriteOptions.DEFAULT changed to " + OPTIONS + ": update FlushBenchmark to match");
            }
            WriteBatch batch = new CpuDataset(HOSTS).batch(0, ROWS);
            rows = new InternalRow[ROWS];
            for (int i = 0; i < ROWS; i++) {
                Object[] values = new Object[batch.columns().size()];
                for (int column = 0; column < values.length; column++) {
                    values[column] = batch.value(i, column);
                }
                rows[i] = new InternalRow(values, i + 1L, OpType.PUT);
            }
            Arrays.sort(rows, new RowOrder(METADATA));

            directory = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "regolith-flush-bench-");
            regolithFile = directory.resolve("regolith.parquet");
            hadoopFile = directory.resolve("parquet-hadoop.parquet");

            // parquet-hadoop writes the schema and key-value metadata of one of our files.
            Path probe = directory.resolve("probe.parquet");
            try (SstWriter writer = new SstWriter(io, probe, METADATA, OPTIONS)) {
                for (int i = 0; i < 1_000; i++) {
                    writer.write(rows[i]);
                }
                writer.finish(FILE_ID, 0);
            }
            ParquetMetadata footer = readFooter(probe);
            schema = footer.getFileMetaData().getSchema();
            keyValueMetadata = new HashMap<>(footer.getFileMetaData().getKeyValueMetaData());
            Files.delete(probe);

            hadoopConfiguration = new Configuration();
            hadoopConfiguration.setInt("parquet.compression.codec.zstd.level", ZSTD_LEVEL);
            // Force the lazy parse of Hadoop's default resources now, outside the measurement.
            hadoopConfiguration.get("fs.defaultFS");
        }

        ParquetWriter<InternalRow> openHadoopWriter() throws IOException {
            InternalRowWriteSupport support = new InternalRowWriteSupport(schema, keyValueMetadata);
            HadoopWriterBuilder builder = new HadoopWriterBuilder(new LocalOutputFile(hadoopFile), support)
                    .withConf(hadoopConfiguration)
                    .withWriteMode(ParquetFileWriter.Mode.CREATE)
                    .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                    .withCompressionCodec(CompressionCodecName.ZSTD)
                    .withRowGroupRowCountLimit(OPTIONS.rowGroupRows())
                    // Row groups close by row count, as ours do; the byte limit must not come first.
                    .withRowGroupSize(1L << 30)
                    .withPageSize(OPTIONS.pageSizeBytes())
                    .withDictionaryPageSize(OPTIONS.dictionaryPageSizeBytes())
                    .withDictionaryEncoding(false)
                    .withPageWriteChecksumEnabled(true)
                    .withBloomFilterEnabled(false)
                    .withSizeStatisticsEnabled(false)
                    .withValidation(false);
            for (ColumnSchema column : METADATA.columns()) {
                if (column.semanticType() == SemanticType.TAG) {
                    builder.withDictionaryEncoding(column.name(), true);
                }
            }
            return builder.build();
        }

        @TearDown(Level.Invocation)
        public void deleteOutput() throws IOException {
            // The first file of each method is checked before it goes.
            if (regolithSummary == null && Files.exists(regolithFile)) {
                regolithSummary = check(regolithFile);
            }
            if (hadoopSummary == null && Files.exists(hadoopFile)) {
                hadoopSummary = check(hadoopFile);
            }
            Files.deleteIfExists(regolithFile);
            Files.deleteIfExists(hadoopFile);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            for (FileSummary summary : new FileSummary[] {regolithSummary, hadoopSummary}) {
                if (summary != null) {
                    System.out.printf("%nFlushBenchmark: %s: %,d rows, %d row groups, %,d file bytes, %,d uncompressed page bytes"
                            + " (%.1f file bytes per row)%n", summary.file().getFileName(), summary.rows(), summary.rowGroups(),
                            summary.fileBytes(), summary.uncompressedBytes(), (double) summary.fileBytes() / summary.rows());
                }
            }
            WriteBenchmark.deleteRecursively(directory);
        }

        private FileSummary check(Path file) throws IOException {
            ParquetMetadata footer = readFooter(file);
            List<BlockMetaData> rowGroups = footer.getBlocks();
            long rowCount = rowGroups.stream().mapToLong(BlockMetaData::getRowCount).sum();
            int expectedRowGroups = (ROWS + OPTIONS.rowGroupRows() - 1) / OPTIONS.rowGroupRows();
            require(rowCount == ROWS, file, "holds " + rowCount + " rows, expected " + ROWS);
            require(rowGroups.size() == expectedRowGroups, file, "has " + rowGroups.size() + " row groups, expected " + expectedRowGroups);
            require(footer.getFileMetaData().getSchema().equals(schema), file, "has schema " + footer.getFileMetaData().getSchema()
                    + ", expected " + schema);
            long uncompressed = 0;
            for (BlockMetaData rowGroup : rowGroups) {
                for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
                    String name = chunk.getPath().toDotString();
                    boolean tag = METADATA.columns().stream()
                            .anyMatch(column -> column.name().equals(name) && column.semanticType() == SemanticType.TAG);
                    boolean dictionary = chunk.getEncodings().contains(Encoding.PLAIN_DICTIONARY)
                            || chunk.getEncodings().contains(Encoding.RLE_DICTIONARY);
                    require(chunk.getCodec() == CompressionCodecName.ZSTD, file, "column " + name + " uses " + chunk.getCodec());
                    require(dictionary == tag, file, "column " + name + " has encodings " + chunk.getEncodings()
                            + (tag ? ", expected a dictionary" : ", expected no dictionary"));
                    uncompressed += chunk.getTotalUncompressedSize();
                }
            }
            return new FileSummary(file, rowCount, rowGroups.size(), Files.size(file), uncompressed);
        }
    }

    /** File bytes written; JMH reports them per second beside the rows per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Output {
        public long fileBytes;

        @Setup(Level.Iteration)
        public void reset() {
            fileBytes = 0;
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public WrittenSstFile regolithSstWriter(Input input, Output output) {
        try (SstWriter writer = new SstWriter(input.io, input.regolithFile, METADATA, OPTIONS)) {
            for (InternalRow row : input.rows) {
                writer.write(row);
            }
            WrittenSstFile written = writer.finish(FILE_ID, 0);
            output.fileBytes += written.meta().fileSize();
            return written;
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long parquetHadoopWriter(Input input, Output output) throws IOException {
        try (ParquetWriter<InternalRow> writer = input.openHadoopWriter()) {
            for (InternalRow row : input.rows) {
                writer.write(row);
            }
        }
        try (FileChannel channel = FileChannel.open(input.hadoopFile, StandardOpenOption.WRITE)) {
            channel.force(false);
        }
        input.io.syncDirectory(input.directory);
        long size = Files.size(input.hadoopFile);
        output.fileBytes += size;
        return size;
    }

    record FileSummary(Path file, long rows, int rowGroups, long fileBytes, long uncompressedBytes) {
    }

    private static ParquetMetadata readFooter(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            return reader.getFooter();
        }
    }

    private static void require(boolean condition, Path file, String problem) {
        if (!condition) {
            throw new IllegalStateException("FlushBenchmark output " + file.getFileName() + " " + problem
                    + ": the two writers no longer write comparable files");
        }
    }

    /** Writes {@link InternalRow}s of the cpu schema to parquet-hadoop's record consumer. */
    static final class InternalRowWriteSupport extends WriteSupport<InternalRow> {

        private final MessageType schema;
        private final Map<String, String> keyValueMetadata;
        private final String[] names;
        private final DataType[] types;
        private final String sequenceName;
        private final String opTypeName;
        private RecordConsumer consumer;

        InternalRowWriteSupport(MessageType schema, Map<String, String> keyValueMetadata) {
            this.schema = schema;
            this.keyValueMetadata = keyValueMetadata;
            List<ColumnSchema> columns = METADATA.columns();
            this.names = new String[columns.size()];
            this.types = new DataType[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                names[i] = columns.get(i).name();
                types[i] = columns.get(i).dataType();
                if (!schema.getFieldName(i).equals(names[i])) {
                    throw new IllegalStateException("File column " + i + " is " + schema.getFieldName(i) + ", expected " + names[i]);
                }
            }
            this.sequenceName = schema.getFieldName(names.length);
            this.opTypeName = schema.getFieldName(names.length + 1);
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, keyValueMetadata);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(InternalRow row) {
            consumer.startMessage();
            for (int i = 0; i < names.length; i++) {
                Object value = row.value(i);
                if (value == null) {
                    continue;
                }
                consumer.startField(names[i], i);
                switch (types[i]) {
                    case STRING -> consumer.addBinary(Binary.fromString((String) value));
                    case FLOAT64 -> consumer.addDouble((Double) value);
                    case INT64, TIMESTAMP_MILLIS -> consumer.addLong((Long) value);
                    default -> throw new IllegalArgumentException("Unsupported type " + types[i] + " of column " + names[i]
                            + ": this write support covers the cpu schema only");
                }
                consumer.endField(names[i], i);
            }
            int sequence = names.length;
            consumer.startField(sequenceName, sequence);
            consumer.addLong(row.sequence());
            consumer.endField(sequenceName, sequence);
            consumer.startField(opTypeName, sequence + 1);
            consumer.addInteger(row.op().code());
            consumer.endField(opTypeName, sequence + 1);
            consumer.endMessage();
        }
    }

    static final class HadoopWriterBuilder extends ParquetWriter.Builder<InternalRow, HadoopWriterBuilder> {

        private final WriteSupport<InternalRow> support;

        HadoopWriterBuilder(LocalOutputFile file, WriteSupport<InternalRow> support) {
            super(file);
            this.support = support;
        }

        @Override
        protected HadoopWriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<InternalRow> getWriteSupport(Configuration configuration) {
            return support;
        }
    }
}
