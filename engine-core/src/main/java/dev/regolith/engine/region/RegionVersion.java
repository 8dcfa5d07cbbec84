package dev.regolith.engine.region;

import dev.regolith.engine.api.RegionMetadata;
import dev.regolith.engine.memtable.Memtable;
import java.util.ArrayList;
import java.util.List;

/**
 * One immutable view of a region: its schema, its memtables and its SST files. Replaced as a whole
 * under the region's write lock; readers take it without locking and keep reading it for as long
 * as they need.
 *
 * @param metadata the schema
 * @param mutable the memtable taking writes
 * @param immutables frozen memtables waiting to be flushed, oldest first
 * @param files the live SST files
 * @param manifestVersion the manifest version the files come from
 */
record RegionVersion(RegionMetadata metadata, Memtable mutable, List<Memtable> immutables, List<SstFile> files,
        long manifestVersion) {

    RegionVersion {
        immutables = List.copyOf(immutables);
        files = List.copyOf(files);
    }

    /** The memtables, newest first. */
    List<Memtable> memtables() {
        List<Memtable> all = new ArrayList<>(immutables.size() + 1);
        all.add(mutable);
        for (int i = immutables.size() - 1; i >= 0; i--) {
            all.add(immutables.get(i));
        }
        return all;
    }

    RegionVersion freeze(Memtable next) {
        mutable.freeze();
        List<Memtable> frozen = new ArrayList<>(immutables);
        frozen.add(mutable);
        return new RegionVersion(metadata, next, frozen, files, manifestVersion);
    }

    RegionVersion afterFlush(List<Memtable> flushed, List<SstFile> added, long newManifestVersion) {
        List<Memtable> remaining = new ArrayList<>(immutables);
        remaining.removeAll(flushed);
        List<SstFile> all = new ArrayList<>(files);
        all.addAll(added);
        return new RegionVersion(metadata, mutable, remaining, all, newManifestVersion);
    }

    RegionVersion replaceFiles(List<SstFile> removed, List<SstFile> added, long newManifestVersion) {
        List<SstFile> all = new ArrayList<>(files);
        all.removeAll(removed);
        all.addAll(added);
        return new RegionVersion(metadata, mutable, immutables, all, newManifestVersion);
    }

    long memtableBytes() {
        long bytes = mutable.bytes();
        for (Memtable memtable : immutables) {
            bytes += memtable.bytes();
        }
        return bytes;
    }
}
