package dev.regolith.engine.cli;

import dev.regolith.engine.api.ColumnSchema;
import dev.regolith.engine.api.DataType;
import dev.regolith.engine.api.RegionId;
import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.api.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deterministic TSBS-style "cpu" dataset: ten tags per host, ten usage fields, one row per host
 * every 10 seconds. Row {@code i} belongs to host {@code i % hosts} at step {@code i / hosts}, so
 * any N rows have distinct (host, timestamp) pairs, and the same N always gives the same rows.
 */
public final class CpuDataset {

    public static final long START_MILLIS = 1_700_000_000_000L;
    public static final long INTERVAL_MILLIS = 10_000;
    static final List<String> TAGS = List.of("hostname", "region", "datacenter", "rack", "os", "arch", "team", "service",
            "service_version", "service_environment");
    static final List<String> FIELDS = List.of("usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
            "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice");
    private static final String[] REGIONS = {"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1",
            "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"};
    private static final String[] OS = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
    private static final String[] ARCH = {"x64", "x86"};
    private static final String[] TEAMS = {"SF", "NYC", "LON", "CHI"};
    private static final String[] ENVIRONMENTS = {"production", "staging", "test"};

    private final int hosts;
    private final String[][] tags;

    public CpuDataset(int hosts) {
        if (hosts < 1) {
            throw new IllegalArgumentException("Invalid host count: " + hosts);
        }
        this.hosts = hosts;
        this.tags = new String[hosts][];
    }

    public int hosts() {
        return hosts;
    }

    /** The cpu table's schema for region {@code id}. */
    public static RegionMetadata metadata(RegionId id) {
        List<ColumnSchema> columns = new ArrayList<>();
        int columnId = 0;
        for (String tag : TAGS) {
            columns.add(ColumnSchema.tag(tag, columnId++, DataType.STRING));
        }
        for (String field : FIELDS) {
            columns.add(ColumnSchema.field(field, columnId++, DataType.FLOAT64));
        }
        columns.add(ColumnSchema.timeIndex("ts", columnId, DataType.TIMESTAMP_MILLIS));
        return new RegionMetadata(id, columns, 0, Map.of());
    }

    /** Every column, in schema order: what {@link #batch} rows give values for. */
    public static List<String> columns() {
        List<String> columns = new ArrayList<>(TAGS);
        columns.addAll(FIELDS);
        columns.add("ts");
        return columns;
    }

    /** A host's tag values, made once: a real agent sends the same strings for every row too. */
    private String[] hostTags(int host) {
        String[] values = tags[host];
        if (values == null) {
            values = new String[] {
                "host_" + host,
                REGIONS[host % REGIONS.length],
                REGIONS[host % REGIONS.length] + (char) ('a' + host % 3),
                Integer.toString(host % 100),
                OS[host % OS.length],
                ARCH[host % ARCH.length],
                TEAMS[host % TEAMS.length],
                Integer.toString(host % 20),
                Integer.toString(host % 2),
                ENVIRONMENTS[host % ENVIRONMENTS.length]};
            tags[host] = values;
        }
        return values;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
    public WriteBatch batch(long from, long to) {
        WriteBatch.Builder builder = WriteBatch.builder(columns());
        for (long i = from; i < to; i++) {
            builder.put(row(i));
        }
        return builder.build();
    }

    /** The timestamp of row {@code i}. */
    public long timestamp(long i) {
        return START_MILLIS + (i / hosts) * INTERVAL_MILLIS;
    }

    Object[] row(long i) {
        int host = (int) (i % hosts);
        Object[] values = new Object[TAGS.size() + FIELDS.size() + 1];
        System.arraycopy(hostTags(host), 0, values, 0, TAGS.size());
        long state = i * 0x9E3779B97F4A7C15L + host;
        for (int field = 0; field < FIELDS.size(); field++) {
            state ^= state >>> 33;
            state *= 0xff51afd7ed558ccdL;
            state ^= state >>> 33;
            values[TAGS.size() + field] = (state >>> 11) * 0x1.0p-53 * 100.0;
        }
        values[values.length - 1] = timestamp(i);
        return values;
    }
}
