package dev.regolith.engine.api;

import java.util.Iterator;
import java.util.List;

/**
 * The rows of a scan, newest version of each row only, deleted rows left out, in primary key and
 * timestamp order. The scan reads a snapshot taken when it started: later writes are not seen,
 * and files it reads stay on disk until it is closed. Not thread-safe.
 */
public interface RegionScanner extends Iterator<List<Object>>, AutoCloseable {

    /** The names of the returned columns, matching each row's values. */
    List<String> columns();

    @Override
    void close();
}
