package dev.regolith.engine.sst;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.SemanticType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.column.values.factory.DefaultValuesWriterFactory;
import org.apache.parquet.column.values.factory.ValuesWriterFactory;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.MicroSeconds;
import org.apache.parquet.format.MilliSeconds;
import org.apache.parquet.format.NanoSeconds;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.StringType;
import org.apache.parquet.format.TimeUnit;
import org.apache.parquet.format.TimestampType;
import org.apache.parquet.format.Type;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of a region's SSTs: one flat column per region column, in region order, then
 * {@code __sequence} (INT64) and {@code __op_type} (INT32).
 *
 * <p>Field columns are OPTIONAL even when the region declares them non-nullable: a delete row
 * carries its primary key and timestamp only. Tags are OPTIONAL if nullable, the time index is
 * REQUIRED.
 */
final class SstSchema {

    static final String SEQUENCE_COLUMN = "__sequence";
    static final String OP_TYPE_COLUMN = "__op_type";

    private static final String MESSAGE_NAME = "schema";

    private final RegionMetadata metadata;
    private final MessageType messageType;
    private final List<ColumnDescriptor> descriptors;
    private final List<String> names;
    private final DataType[] dataTypes;
    private final boolean[] keyColumns;
    private final int timeIndex;

    SstSchema(RegionMetadata metadata) {
        this.metadata = metadata;
        List<ColumnSchema> columns = metadata.columns();
        int count = columns.size() + 2;
        this.dataTypes = new DataType[count];
        this.keyColumns = new boolean[count];
        keyColumns[count - 2] = true;
        keyColumns[count - 1] = true;
        this.names = new ArrayList<>(count);
        Types.MessageTypeBuilder builder = Types.buildMessage();
        for (int i = 0; i < columns.size(); i++) {
            ColumnSchema column = columns.get(i);
            dataTypes[i] = column.dataType();
            keyColumns[i] = column.semanticType() != SemanticType.FIELD;
            names.add(column.name());
            Repetition repetition = switch (column.semanticType()) {
                case TAG -> column.nullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
                case FIELD -> Repetition.OPTIONAL;
                case TIMESTAMP -> Repetition.REQUIRED;
            };
            builder.addField(primitive(column.dataType(), repetition).id(column.columnId()).named(column.name()));
        }
        int sequence = columns.size();
        dataTypes[sequence] = DataType.INT64;
        dataTypes[sequence + 1] = DataType.INT32;
        names.add(SEQUENCE_COLUMN);
        names.add(OP_TYPE_COLUMN);
        builder.addField(primitive(DataType.INT64, Repetition.REQUIRED).named(SEQUENCE_COLUMN));
        builder.addField(primitive(DataType.INT32, Repetition.REQUIRED).named(OP_TYPE_COLUMN));
        this.messageType = builder.named(MESSAGE_NAME);
        this.descriptors = messageType.getColumns();
        this.timeIndex = columns.indexOf(metadata.timeIndex());
    }

    private static Types.PrimitiveBuilder<PrimitiveType> primitive(DataType type, Repetition repetition) {
        return switch (type) {
            case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition);
            case INT32 -> Types.primitive(PrimitiveTypeName.INT32, repetition);
            case INT64 -> Types.primitive(PrimitiveTypeName.INT64, repetition);
            case FLOAT32 -> Types.primitive(PrimitiveTypeName.FLOAT, repetition);
            case FLOAT64 -> Types.primitive(PrimitiveTypeName.DOUBLE, repetition);
            case STRING -> Types.primitive(PrimitiveTypeName.BINARY, repetition).as(LogicalTypeAnnotation.stringType());
            case BINARY -> Types.primitive(PrimitiveTypeName.BINARY, repetition);
            case TIMESTAMP_MILLIS -> Types.primitive(PrimitiveTypeName.INT64, repetition)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
            case TIMESTAMP_MICROS -> Types.primitive(PrimitiveTypeName.INT64, repetition)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
            case TIMESTAMP_NANOS -> Types.primitive(PrimitiveTypeName.INT64, repetition)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.NANOS));
        };
    }

    RegionMetadata metadata() {
        return metadata;
    }

    MessageType messageType() {
        return messageType;
    }

    /** Region columns plus the two internal ones. */
    int columnCount() {
        return descriptors.size();
    }

    int regionColumnCount() {
        return descriptors.size() - 2;
    }

    int sequenceColumn() {
        return descriptors.size() - 2;
    }

    int opTypeColumn() {
        return descriptors.size() - 1;
    }

    int timeIndexColumn() {
        return timeIndex;
    }

    ColumnDescriptor descriptor(int column) {
        return descriptors.get(column);
    }

    String name(int column) {
        return names.get(column);
    }

    /** The engine type of a file column's values; INT64 and INT32 for the internal columns. */
    DataType dataType(int column) {
        return dataTypes[column];
    }

    /** Primary-key tags, the time index and the internal columns: read whatever the projection. */
    boolean alwaysRead(int column) {
        return keyColumns[column];
    }

    boolean isField(int column) {
        return !keyColumns[column];
    }

    /** The index of the file column named {@code name}, or -1. */
    int indexOf(String name) {
        return names.indexOf(name);
    }

    /**
     * Encoding settings: Parquet v1 pages, dictionary encoding for tags only. The per-column
     * switch of {@link ParquetProperties.Builder} takes a dot-separated path, which would split a
     * column named {@code a.b}; choosing the values writer per column descriptor avoids that.
     */
    ParquetProperties properties(SstWriteOptions options) {
        DefaultValuesWriterFactory dictionary = new DefaultValuesWriterFactory();
        baseProperties(options).withDictionaryEncoding(true).withValuesWriterFactory(dictionary).build();
        DefaultValuesWriterFactory plain = new DefaultValuesWriterFactory();
        baseProperties(options).withDictionaryEncoding(false).withValuesWriterFactory(plain).build();
        ValuesWriterFactory perColumn = new ValuesWriterFactory() {
            @Override
            public void initialize(ParquetProperties properties) {
                // Both delegates were initialized with their own properties above.
            }

            @Override
            public ValuesWriter newValuesWriter(ColumnDescriptor descriptor) {
                int column = descriptors.indexOf(descriptor);
                boolean tag = column >= 0 && column < regionColumnCount()
                        && metadata.columns().get(column).semanticType() == SemanticType.TAG;
                return tag ? dictionary.newValuesWriter(descriptor) : plain.newValuesWriter(descriptor);
            }
        };
        return baseProperties(options).withValuesWriterFactory(perColumn).build();
    }

    private static ParquetProperties.Builder baseProperties(SstWriteOptions options) {
        return ParquetProperties.builder()
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withPageSize(options.pageSizeBytes())
                .withDictionaryPageSize(options.dictionaryPageSizeBytes())
                .withBloomFilterEnabled(false)
                // Size statistics would go to the column index, which SSTs do not write.
                .withSizeStatisticsEnabled(false);
    }

    /** The footer's schema: a root element, then one element per column in file order. */
    List<SchemaElement> toSchemaElements() {
        List<SchemaElement> elements = new ArrayList<>(descriptors.size() + 1);
        SchemaElement root = new SchemaElement(MESSAGE_NAME);
        root.setNum_children(descriptors.size());
        elements.add(root);
        for (int column = 0; column < descriptors.size(); column++) {
            PrimitiveType type = descriptors.get(column).getPrimitiveType();
            SchemaElement element = new SchemaElement(type.getName());
            element.setType(formatType(type.getPrimitiveTypeName()));
            element.setRepetition_type(type.getRepetition() == Repetition.REQUIRED
                    ? FieldRepetitionType.REQUIRED
                    : FieldRepetitionType.OPTIONAL);
            if (type.getId() != null) {
                element.setField_id(type.getId().intValue());
            }
            switch (dataTypes[column]) {
                case STRING -> {
                    element.setLogicalType(LogicalType.STRING(new StringType()));
                    element.setConverted_type(ConvertedType.UTF8);
                }
                case TIMESTAMP_MILLIS -> {
                    element.setLogicalType(LogicalType.TIMESTAMP(new TimestampType(true, TimeUnit.MILLIS(new MilliSeconds()))));
                    element.setConverted_type(ConvertedType.TIMESTAMP_MILLIS);
                }
                case TIMESTAMP_MICROS -> {
                    element.setLogicalType(LogicalType.TIMESTAMP(new TimestampType(true, TimeUnit.MICROS(new MicroSeconds()))));
                    element.setConverted_type(ConvertedType.TIMESTAMP_MICROS);
                }
                // Nanosecond timestamps have no legacy converted type.
                case TIMESTAMP_NANOS -> element.setLogicalType(
                        LogicalType.TIMESTAMP(new TimestampType(true, TimeUnit.NANOS(new NanoSeconds()))));
                case BOOLEAN, INT32, INT64, FLOAT32, FLOAT64, BINARY -> {
                }
            }
            elements.add(element);
        }
        return elements;
    }

    /**
     * Describes the first difference between {@code elements}, read from a footer, and the schema
     * the region metadata implies; empty if they agree.
     */
    Optional<String> mismatch(List<SchemaElement> elements) {
        List<SchemaElement> expected = toSchemaElements();
        if (elements == null || elements.size() != expected.size()) {
            return Optional.of("footer schema has " + (elements == null ? 0 : elements.size()) + " elements, but the region"
                    + " metadata implies " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).equals(elements.get(i))) {
                return Optional.of("footer schema element " + i + " is " + elements.get(i) + ", but the region metadata implies "
                        + expected.get(i));
            }
        }
        return Optional.empty();
    }

    static Type formatType(PrimitiveTypeName type) {
        return switch (type) {
            case BOOLEAN -> Type.BOOLEAN;
            case INT32 -> Type.INT32;
            case INT64 -> Type.INT64;
            case INT96 -> Type.INT96;
            case FLOAT -> Type.FLOAT;
            case DOUBLE -> Type.DOUBLE;
            case BINARY -> Type.BYTE_ARRAY;
            case FIXED_LEN_BYTE_ARRAY -> Type.FIXED_LEN_BYTE_ARRAY;
        };
    }
}
